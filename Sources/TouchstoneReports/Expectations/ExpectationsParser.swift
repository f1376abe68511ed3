import Foundation
import TouchstoneCore

/// Reads the expectations file format (docs/expectations.md) from YAML or JSON (`YAMLNode`,
/// the reader of every file the user writes), so each problem names its line and column.
///
/// ```yaml
/// schema: touchstone.expectations/v1     # optional
/// targets:
///   '*':                                 # every target
///     features:
///       '*': unsupported                 # at least a clean refusal everywhere
///   ollama:
///     features:
///       chat.basic: supported
///       'stream.*': supported
///       tools.parallel: [supported, ignored]   # model-dependent: either is fine
/// ```
struct ExpectationsParser {
    let file: String
    private var problems = DiagnosticCollector()

    init(file: String) {
        self.file = file
    }

    func parse(_ text: String) throws -> Expectations {
        var parser = self
        let rules = parser.rules(text)
        if parser.problems.hasErrors { throw ExpectationsError(file: file, problems: parser.problems.diagnostics) }
        return Expectations(rules: rules)
    }

    private mutating func rules(_ text: String) -> [Expectations.Rule] {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text, file: file)
        } catch let d as Diagnostic {
            problems.add(d)
            return []
        } catch {
            fail(0, 0, "invalid YAML: \(error)")
            return []
        }
        guard let root else {
            fail(1, 1, "the file is empty; write `targets:` with one entry per target name (or '*')")
            return []
        }
        guard let top = mapping(root, "the top level", hint: "write `targets:` with one entry per target name (or '*')") else {
            return []
        }
        var rules: [Expectations.Rule] = []
        var sawTargets = false
        for (key, value) in top {
            switch key.name {
            case "schema":
                if value.node.scalarText != Expectations.schemaID {
                    fail(value.node, "unknown schema `\(value.node.scalarText ?? "")`; this version reads `\(Expectations.schemaID)`")
                }
            case "targets":
                sawTargets = true
                rules += targets(value.node)
            default:
                fail(key, "unknown key `\(key.name)`; the top level has `targets` (and optionally `schema`)")
            }
        }
        if !sawTargets {
            fail(root, "missing `targets:`; write one entry per target name (or '*' for every target)")
        }
        return rules
    }

    private mutating func targets(_ node: YAMLNode) -> [Expectations.Rule] {
        guard let entries = mapping(node, "`targets`", hint: "one entry per target name (or '*'), each with `features:`") else {
            return []
        }
        var rules: [Expectations.Rule] = []
        for (target, body) in entries {
            if target.name.isEmpty { fail(target, "empty target name"); continue }
            guard let fields = mapping(body.node, "target `\(target.name)`", hint: "write `features:` under it") else { continue }
            var sawFeatures = false
            for (key, value) in fields {
                guard key.name == "features" else {
                    fail(key, "unknown key `\(key.name)` under target `\(target.name)`; expected `features`")
                    continue
                }
                sawFeatures = true
                guard let features = mapping(value.node, "`features` of `\(target.name)`",
                                             hint: "map feature ids or globs to a verdict or a list of verdicts") else { continue }
                for (feature, expected) in features {
                    if !Self.validFeaturePattern(feature.name) {
                        fail(feature, "`\(feature.name)` is not a feature id or glob (e.g. `chat.basic`, `stream.*`, `*`)")
                        continue
                    }
                    guard let expectation = expectation(expected.node) else { continue }
                    rules.append(Expectations.Rule(target: target.name, feature: feature.name,
                                                   expectation: expectation,
                                                   origin: "\(file):\(feature.line)"))
                }
            }
            if !sawFeatures {
                fail(target, "target `\(target.name)` has no `features:`")
            }
        }
        return rules
    }

    private mutating func expectation(_ node: YAMLNode) -> Expectations.Expectation? {
        switch node.kind {
        case .scalar:
            guard let v = verdict(node) else { return nil }
            return .atLeast(v)
        case .seq(let items):
            if items.isEmpty {
                fail(node, "an empty list accepts no verdict; list the allowed verdicts, e.g. [supported, ignored]")
                return nil
            }
            var set = Set<Verdict>()
            var ok = true
            for item in items {
                if let v = verdict(item) { set.insert(v) } else { ok = false }
            }
            return ok ? .oneOf(set) : nil
        case .map:
            fail(node, "expected a verdict (the minimum) or a list of allowed verdicts, got a mapping")
            return nil
        }
    }

    private mutating func verdict(_ node: YAMLNode) -> Verdict? {
        guard let text = node.scalarText, let v = Verdict(rawValue: text) else {
            fail(node, "unknown verdict `\(node.scalarText ?? "(not a scalar)")`; use supported, unsupported, untested, ignored or broken")
            return nil
        }
        return v
    }

    // MARK: - Helpers

    /// A mapping's key and where it was written.
    private struct Key {
        var name: String
        var line: Int
        var column: Int
    }

    private struct Value {
        var node: YAMLNode
    }

    /// The pairs of a mapping node (duplicate keys are the reader's error); nil (and a problem)
    /// when the node is not a mapping.
    private mutating func mapping(_ node: YAMLNode, _ what: String, hint: String) -> [(Key, Value)]? {
        guard case .map(let pairs) = node.kind else {
            fail(node, "\(what) must be a mapping; \(hint)")
            return nil
        }
        return pairs.map { (Key(name: $0.key, line: $0.keyLine, column: $0.keyColumn), Value(node: $0.value)) }
    }

    static func validFeaturePattern(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-*?[]!".unicodeScalars.contains($0)
        }
    }

    private mutating func fail(_ node: YAMLNode, _ message: String) {
        fail(node.line, node.column, message)
    }

    private mutating func fail(_ key: Key, _ message: String) {
        fail(key.line, key.column, message)
    }

    private mutating func fail(_ line: Int, _ column: Int, _ message: String) {
        problems.error(message, file: file, line: line, column: column)
    }
}
