import Foundation
import TouchstoneCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What each target must support (docs/expectations.md): from an expectations file
/// (`--expect FILE`) or from a previous report (`--baseline REPORT`).
///
/// A rule pairs a target pattern and a feature pattern (globs, `*` for any) with an
/// `Expectation`. For one target and feature the most specific rule applies: the most specific
/// target pattern that has a matching feature rule, then within it the most specific feature
/// pattern (an exact id beats a glob; among globs, more literal characters win; ties go to the
/// rule written first). Features no rule covers are read by the default rule of
/// `Verdict.outcome`: `ignored` and `broken` fail, `unsupported` and `untested` skip,
/// `supported` passes.
public struct Expectations: Sendable, Equatable {
    /// What one feature must show.
    public enum Expectation: Sendable, Equatable, CustomStringConvertible {
        /// This verdict or a better one (`Verdict.rank`).
        case atLeast(Verdict)
        /// One of these verdicts exactly.
        case oneOf(Set<Verdict>)

        public func accepts(_ verdict: Verdict) -> Bool {
            switch self {
            case .atLeast(let minimum): verdict.rank >= minimum.rank
            case .oneOf(let allowed): allowed.contains(verdict)
            }
        }

        /// The accepted verdicts, best first.
        public var accepted: [Verdict] {
            Verdict.allCases.filter(accepts).sorted { $0.rank > $1.rank }
        }

        public var description: String {
            switch self {
            case .atLeast(.broken): "any verdict"
            case .atLeast(.supported): "supported"
            case .atLeast(let v): "\(v.rawValue) or better"
            case .oneOf(let set) where set.count == 1: set.first!.rawValue
            case .oneOf: "one of " + accepted.map(\.rawValue).joined(separator: ", ")
            }
        }
    }

    /// One rule of an expectations file (or of a baseline).
    public struct Rule: Sendable, Equatable {
        public var target: String
        public var feature: String
        public var expectation: Expectation
        /// Where it was written (`file:line`, or `baseline`), for messages.
        public var origin: String

        public init(target: String, feature: String, expectation: Expectation, origin: String) {
            self.target = target
            self.feature = feature
            self.expectation = expectation
            self.origin = origin
        }
    }

    /// Identifier of the file format, accepted (optional) as `schema:` at the top of a file.
    public static let schemaID = "touchstone.expectations/v1"

    public private(set) var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    // MARK: - Sources

    /// Loads a YAML (or JSON) expectations file. Every problem is reported at once, each with
    /// `file:line:column` and how to fix it (`ExpectationsError`).
    public static func load(file: String) throws -> Expectations {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            text = String(decoding: data, as: UTF8.self)
        } catch {
            throw ExpectationsError(file: file, problems: [
                Diagnostic(file: file, line: 0, column: 0, message: "cannot read the file: \(error.localizedDescription)"),
            ])
        }
        return try parse(text, file: file)
    }

    /// Parses expectations from text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Expectations {
        try ExpectationsParser(file: file).parse(text)
    }

    /// What `--expect FILE` or `--baseline REPORT` asks for (nil for neither): the one reading
    /// of both options for `probe`, `run` and `merge`. A baseline's error names the option.
    public static func load(expect: String?, baseline: String?) throws -> Expectations? {
        if let expect { return try load(file: expect) }
        guard let baseline else { return nil }
        do {
            return Expectations.baseline(try ReportFile.read(baseline))
        } catch {
            throw BaselineError(description: "--baseline: \(error)")
        }
    }

    /// A `--baseline` report that cannot be read.
    public struct BaselineError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Each verdict of a previous report becomes the minimum for the same target and feature
    /// (exact names, no globs): the next run may stay equal or get better, never worse.
    public static func baseline(_ report: Report) -> Expectations {
        var rules: [Rule] = []
        for target in report.targets {
            for id in target.features.keys.sorted() {
                rules.append(Rule(target: target.name, feature: id,
                                  expectation: .atLeast(target.features[id]!.verdict),
                                  origin: "baseline of \(report.startedAt)"))
            }
        }
        return Expectations(rules: rules)
    }

    // MARK: - Reading a report

    /// The rule that applies to one target and feature, or nil when none does.
    public func rule(target: String, feature: String) -> Rule? {
        var best: (rule: Rule, score: (Int, Int), index: Int)?
        for (index, rule) in rules.enumerated() {
            guard let t = Self.specificity(rule.target, target),
                  let f = Self.specificity(rule.feature, feature) else { continue }
            let score = (t, f)
            if let b = best, !(score > b.score) { continue }
            best = (rule, score, index)
        }
        return best?.rule
    }

    /// How CI reads one feature; usable as `JUnitWriter.OutcomeRule`.
    /// With a rule: accepted and `supported` → passed; accepted otherwise → skipped (as
    /// expected); not accepted → failed. Without a rule: `result.verdict.outcome`.
    public func outcome(target: String, feature: String, result: FeatureResult) -> Verdict.Outcome {
        guard let rule = rule(target: target, feature: feature) else { return result.verdict.outcome }
        guard rule.expectation.accepts(result.verdict) else { return .failed }
        return result.verdict == .supported ? .passed : .skipped
    }

    /// A short note for reports ("expected supported (expect.yaml:7)"), or nil without a rule.
    public func note(target: String, feature: String) -> String? {
        rule(target: target, feature: feature).map { "expected \($0.expectation) (\($0.origin))" }
    }

    /// Every feature of the report whose verdict a rule does not accept, in report order then
    /// feature id order. Features without a rule are not listed (the default rule applies to
    /// them); targets and features absent from the report are not listed either (use
    /// `ReportDiff` to catch features that went missing).
    public func failures(in report: Report) -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        for target in report.targets {
            for id in target.features.keys.sorted() {
                let result = target.features[id]!
                guard let rule = rule(target: target.name, feature: id),
                      !rule.expectation.accepts(result.verdict) else { continue }
                out.append(ExpectationFailure(target: target.name, feature: id,
                                              expected: rule.expectation.accepted,
                                              actual: result.verdict, detail: result.detail,
                                              origin: rule.origin))
            }
        }
        return out
    }

    // MARK: - Patterns

    /// Nil when `pattern` does not match `name`; otherwise how specific it is: an exact name
    /// scores highest, a glob scores its number of literal characters (`*` scores 0).
    static func specificity(_ pattern: String, _ name: String) -> Int? {
        if !isGlob(pattern) { return pattern == name ? Int.max : nil }
        guard fnmatch(pattern, name, 0) == 0 else { return nil }
        return pattern.unicodeScalars.filter { !"*?[]".unicodeScalars.contains($0) }.count
    }

    static func isGlob(_ pattern: String) -> Bool {
        pattern.contains { "*?[".contains($0) }
    }
}

/// One feature of one target whose verdict an expectation does not accept.
public struct ExpectationFailure: Codable, Sendable, Equatable, CustomStringConvertible {
    public var target: String
    public var feature: String
    /// The verdicts that would have been accepted, best first.
    public var expected: [Verdict]
    public var actual: Verdict
    /// The feature's one-line detail.
    public var detail: String
    /// Where the expectation was written (`file:line`, or the baseline).
    public var origin: String

    public init(target: String, feature: String, expected: [Verdict], actual: Verdict,
                detail: String = "", origin: String = "") {
        self.target = target
        self.feature = feature
        self.expected = expected
        self.actual = actual
        self.detail = detail
        self.origin = origin
    }

    public var description: String {
        "\(target) \(feature): \(actual.rawValue), expected "
            + expected.map(\.rawValue).joined(separator: " or ")
            + (origin.isEmpty ? "" : " (\(origin))")
    }
}

/// Problems found in an expectations file, each with its place and how to fix it.
public struct ExpectationsError: DiagnosticError, Sendable, LocalizedError {
    public var file: String
    /// Each with its line and column (0 for the file as a whole).
    public var problems: [Diagnostic]
    public var diagnostics: [Diagnostic] { problems }

    public var errorDescription: String? { description }
}
