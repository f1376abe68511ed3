import Foundation
import TouchstoneCore

/// Renders a `Report` as JUnit XML valid against both junit-10.xsd and the strict
/// jenkins-junit.xsd (docs/junit.md).
///
/// Layout: `<testsuites name="touchstone">` → one `<testsuite name="<target>.<suite>">` per
/// target × suite, sorted by target name then suite → `<properties>` → one `<testcase
/// classname="<target>.<suite>" name="<feature id>">` per feature, sorted by feature id.
/// `passed` → no child; `skipped` → `<skipped>text</skipped>`; `failed` → `<failure message
/// type>`; then `<system-out>` with the verdict, detail and evidence.
public enum JUnitWriter {
    /// Decides how CI reads one feature. The default is `result.verdict.outcome`; a later
    /// `--expect` can pass a rule comparing against expectations instead.
    public typealias OutcomeRule = (_ target: String, _ featureID: String, _ result: FeatureResult) -> Verdict.Outcome
    /// An optional note per feature (e.g. "expected supported (expect.yaml:7)"), written into
    /// the failure message, the skipped text and system-out.
    public typealias NoteRule = (_ target: String, _ featureID: String) -> String?

    /// Suite used for a target that has no feature result at all (one skipped testcase `run`,
    /// so the file still has a testcase and Jenkins keeps the suite).
    public static let emptyTargetSuite = "run"
    /// Suite and testcase name of a target the preflight stopped (one `<error>` testcase).
    public static let preflightSuite = "preflight"
    /// Suite used when a `FeatureResult.suite` is empty.
    public static let unnamedSuite = "features"

    /// Caps, in characters after filtering.
    static let messageLimit = 200
    static let failureTextLimit = 16 * 1024
    static let excerptLimit = 16 * 1024
    static let systemOutLimit = 64 * 1024
    static let propertyLimit = 4 * 1024

    /// The local host name, used for `testsuite@hostname` unless one is given.
    public static var localHostname: String { ProcessInfo.processInfo.hostName }

    public static func data(_ report: Report, redactor: Redactor? = nil,
                            hostname: String? = JUnitWriter.localHostname,
                            outcome: OutcomeRule = { _, _, result in result.verdict.outcome },
                            note: NoteRule? = nil) throws -> Data {
        let suites = plan(report, outcome: outcome, note: note)
        let xml = try XMLStreamWriter(redactor: redactor)
        let timestamp = isoTimestamp(report.startedAt)

        try xml.start("testsuites")
        try xml.attribute("name", "touchstone")
        try xml.attribute("tests", String(suites.reduce(0) { $0 + $1.cases.count }))
        try xml.attribute("failures", String(suites.reduce(0) { $0 + $1.failures }))
        try xml.attribute("errors", String(suites.reduce(0) { $0 + $1.errors }))
        try xml.attribute("time", seconds(suites.reduce(0) { $0 + $1.time }))

        for suite in suites {
            try xml.start("testsuite")
            try xml.attribute("name", suite.name)
            try xml.attribute("tests", String(suite.cases.count))
            try xml.attribute("failures", String(suite.failures))
            try xml.attribute("errors", String(suite.errors))
            try xml.attribute("skipped", String(suite.skipped))
            try xml.attribute("time", seconds(suite.time))
            if let timestamp { try xml.attribute("timestamp", timestamp) }
            if let hostname, !hostname.isEmpty { try xml.attribute("hostname", hostname) }

            try xml.start("properties")
            for (name, value) in properties(report, suite.target) {
                try xml.start("property")
                try xml.attribute("name", name)
                try xml.attribute("value", value, limit: propertyLimit)
                try xml.end()
            }
            try xml.end()

            for c in suite.cases { try write(c, to: xml, partial: report.partial, redactor: redactor) }
            try xml.end()
        }
        try xml.end()
        return try xml.finish()
    }

    /// JUnit read against expectations (docs/expectations.md): a verdict the expectations do not
    /// accept is a failure naming what was expected; features without a rule keep the default.
    public static func data(_ report: Report, redactor: Redactor? = nil,
                            hostname: String? = JUnitWriter.localHostname,
                            expectations: Expectations) throws -> Data {
        try data(report, redactor: redactor, hostname: hostname,
                 outcome: expectations.outcome(target:feature:result:),
                 note: expectations.note(target:feature:))
    }

    // MARK: - Plan (pure; counts derive from it)

    struct Case {
        var classname: String
        var name: String
        var outcome: Verdict.Outcome
        var note: String? = nil
        /// nil for the placeholder testcase of a target without features.
        var result: FeatureResult?
        /// The preflight that stopped the target: the testcase is an `<error>`.
        var stop: PreflightReport? = nil
        var time: Double { result.map { clampSeconds($0.seconds) } ?? 0 }
    }

    struct Suite {
        var name: String
        var target: TargetReport
        var cases: [Case]
        var failures: Int { cases.count(where: { $0.outcome == .failed && $0.stop == nil }) }
        var errors: Int { cases.count(where: { $0.stop != nil }) }
        var skipped: Int { cases.count(where: { $0.outcome == .skipped }) }
        var time: Double { cases.reduce(0) { $0 + $1.time } }
    }

    static func plan(_ report: Report, outcome: OutcomeRule, note: NoteRule? = nil) -> [Suite] {
        // Stable sort by target name (ties keep report order).
        let targets = report.targets.enumerated().sorted {
            $0.element.name != $1.element.name ? $0.element.name < $1.element.name : $0.offset < $1.offset
        }.map(\.element)

        var suites: [Suite] = []
        for target in targets {
            if target.notProbed {
                let name = "\(target.name).\(preflightSuite)"
                suites.append(Suite(name: name, target: target, cases: [
                    Case(classname: name, name: preflightSuite, outcome: .failed, result: nil, stop: target.preflight),
                ]))
                continue
            }
            if target.features.isEmpty {
                let name = "\(target.name).\(emptyTargetSuite)"
                suites.append(Suite(name: name, target: target, cases: [
                    Case(classname: name, name: "run", outcome: .skipped, result: nil),
                ]))
                continue
            }
            var bySuite: [String: [Case]] = [:]
            for (id, result) in target.features {
                let suite = result.suite.isEmpty ? unnamedSuite : result.suite
                let classname = "\(target.name).\(suite)"
                bySuite[suite, default: []].append(Case(
                    classname: classname, name: id,
                    outcome: outcome(target.name, id, result), note: note?(target.name, id), result: result))
            }
            for suite in bySuite.keys.sorted() {
                let cases = bySuite[suite]!.sorted { $0.name < $1.name }
                suites.append(Suite(name: "\(target.name).\(suite)", target: target, cases: cases))
            }
        }
        return suites
    }

    static func properties(_ report: Report, _ target: TargetReport) -> [(String, String)] {
        var out: [(String, String)] = [
            ("tool", "\(report.tool.name) \(report.tool.version)"),
            ("schema", report.schema),
            ("target", target.name),
            ("base_url", target.baseURL),
        ]
        if let model = target.model { out.append(("model", model)) }
        if let model = target.embeddingModel { out.append(("embedding_model", model)) }
        out.append(("insecure", String(target.insecure)))
        if let p = target.preflight {
            out.append(("preflight", p.status.rawValue + (p.cause.map { " (\($0.rawValue))" } ?? "")))
            if let m = p.modelChosen { out.append(("preflight.model_chosen", m)) }
        }
        out.append(("partial", String(report.partial)))
        for key in target.quirks.keys.sorted() {
            out.append(("quirk.\(key)", compact(target.quirks[key]!)))
        }
        return out
    }

    // MARK: - Testcase

    static func write(_ c: Case, to xml: XMLStreamWriter, partial: Bool, redactor: Redactor?) throws {
        try xml.start("testcase")
        try xml.attribute("classname", c.classname)
        try xml.attribute("name", c.name)
        try xml.attribute("time", seconds(c.time))

        if let stop = c.stop {
            try xml.start("error")
            try xml.attribute("message", "not probed: configuration error: \(stop.summary)", limit: messageLimit)
            try xml.attribute("type", stop.cause?.rawValue ?? "configuration")
            try xml.text(preflightText(stop), limit: failureTextLimit)
            try xml.end()
            try xml.end()
            return
        }
        guard let result = c.result else {
            try xml.element("skipped", text: "no feature result for this target"
                + (partial ? " (the run was interrupted)" : ""))
            try xml.end()
            return
        }
        let verdict = result.verdict.rawValue + (c.note.map { ", \($0)" } ?? "")
        switch c.outcome {
        case .passed:
            break
        case .skipped:
            // Plain text: the strict XSD allows no attribute on <skipped>.
            try xml.element("skipped", text: "\(verdict): \(result.detail)", limit: failureTextLimit)
        case .failed:
            try xml.start("failure")
            try xml.attribute("message", "\(verdict): \(result.detail)", limit: messageLimit)
            try xml.attribute("type", result.verdict.rawValue)
            try xml.text(failureText(result), limit: failureTextLimit)
            try xml.end()
        }
        try xml.element("system-out", text: (c.note.map { "expectation: \($0)\n" } ?? "")
                        + systemOut(result, redactor: redactor), limit: systemOutLimit)
        try xml.end()
    }

    /// Why the preflight stopped the target, the fix, and its exchanges with `curl` commands.
    static func preflightText(_ p: PreflightReport) -> String {
        var lines = [p.message ?? "configuration error"]
        if let fix = p.fix { lines.append("fix: \(fix)") }
        if let listed = p.modelsListed { lines.append("models listed: \(listed.joined(separator: ", "))") }
        lines.append("nothing else was sent to this target (\(p.requests) preflight request\(p.requests == 1 ? "" : "s"))")
        for e in p.evidence {
            lines.append(summary(e))
            if let curl = e.curl { lines.append("  reproduce: \(curl)") }
        }
        return lines.joined(separator: "\n")
    }

    /// Detail plus one line per exchange, each with the `curl` command that repeats it.
    static func failureText(_ r: FeatureResult) -> String {
        var lines = [r.detail]
        for e in r.evidence {
            lines.append(summary(e))
            if let curl = e.curl { lines.append("  reproduce: \(curl)") }
        }
        return lines.joined(separator: "\n")
    }

    static func summary(_ e: Evidence) -> String {
        var s = "\(e.step): \(e.method) \(e.url) → "
        if let status = e.status { s += "HTTP \(status)" } else { s += "no response" }
        if let error = e.error { s += " (\(error))" }
        s += " in \(fixed(e.elapsedMs, digits: 1)) ms"
        if e.attempts > 1 { s += ", \(e.attempts) attempts" }
        return s
    }

    /// Excerpts are redacted and capped on their own first, so a secret is never cut in two
    /// by the cap of the whole node.
    static func systemOut(_ r: FeatureResult, redactor: Redactor?) -> String {
        var out = "verdict: \(r.verdict.rawValue)\ndetail: \(r.detail)\n"
        out += "suite: \(r.suite)  case: \(r.caseID)  seconds: \(seconds(r.seconds))\n"
        if let l = r.latency {
            var parts = ["ttfb \(fixed(l.ttfbMs, digits: 1)) ms"]
            if let v = l.ttftMs { parts.append("ttft \(fixed(v, digits: 1)) ms") }
            if let v = l.gapP50Ms { parts.append("gap p50 \(fixed(v, digits: 1)) ms") }
            if let v = l.gapP95Ms { parts.append("gap p95 \(fixed(v, digits: 1)) ms") }
            if let v = l.tokensPerSecond { parts.append("\(fixed(v, digits: 1)) tokens/s") }
            out += "latency: " + parts.joined(separator: ", ") + "\n"
        }
        for (i, e) in r.evidence.enumerated() {
            out += "\n[\(i + 1)] " + summary(e) + "\n"
            for url in e.redirects { out += "redirect: \(url)\n" }
            if let request = e.request {
                out += "request:\n" + XMLTextFilter.filter(request, limit: excerptLimit, redactor: redactor) + "\n"
            }
            out += "response:\n" + XMLTextFilter.filter(e.response, limit: excerptLimit, redactor: redactor) + "\n"
        }
        return out
    }

    // MARK: - Formatting (locale-independent)

    static func clampSeconds(_ s: Double) -> Double {
        s.isFinite && s > 0 ? min(s, 1e9) : 0
    }

    /// `%.3f` without Foundation's locale machinery.
    static func seconds(_ s: Double) -> String { fixed(clampSeconds(s), digits: 3) }

    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "0" }
        let scale = [1, 10, 100, 1000][min(max(digits, 0), 3)]
        let scaled = (abs(min(max(value, -1e12), 1e12)) * Double(scale)).rounded()
        let n = Int(scaled)
        let sign = value < 0 && n != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(n) }
        let frac = String(n % scale)
        return sign + String(n / scale) + "." + String(repeating: "0", count: digits - frac.count) + frac
    }

    /// ISO-8601 UTC with `Z` and whole seconds, or nil when `text` is not a date.
    static func isoTimestamp(_ text: String) -> String? {
        guard let date = ISODate.parse(text) else { return nil }
        return ISO8601DateFormatter().string(from: date)  // default options: UTC, `Z`
    }

    static func compact(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
