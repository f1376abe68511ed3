import TouchstoneCore
import TouchstoneReports

/// How a finished run's report becomes an exit status and the lines that explain it.
///
/// In order: 5 when a report could not be written; 4 when the run was cut short (deadline);
/// 3 when no target answered at all; 2 when the preflight stopped targets only for want of
/// `--model`, 6 when it stopped one on another configuration error; 1 when a verdict is worse
/// than the expectations allow (or `ignored`/`broken` where no expectation applies) or is in
/// `--fail-on`; else 0. (A signal, which the command line catches, wins over all of them.)
public struct ExitPolicy: Sendable {
    /// Verdicts that fail the run by themselves (`--fail-on`).
    public var failOn: Set<Verdict>
    public var expectations: Expectations?

    public init(failOn: Set<Verdict>, expectations: Expectations? = nil) {
        self.failOn = failOn
        self.expectations = expectations
    }

    /// The verdicts `--fail-on TEXT` names: by default `ignored,broken` without expectations
    /// and none with them (the expectations then decide).
    public static func failOn(_ text: String?, withExpectations: Bool) throws(RunSetupError) -> Set<Verdict> {
        let text = text ?? (withExpectations ? "none" : "ignored,broken")
        if text == "none" { return [] }
        var out = Set<Verdict>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let v = Verdict(rawValue: name) else {
                throw RunSetupError(.usage, "--fail-on: unknown verdict `\(name)`; use supported, unsupported, ignored, broken, untested or none")
            }
            out.insert(v)
        }
        return out
    }

    /// The status of `report`, with the lines (redacted) that explain it.
    public func evaluate(_ report: Report, reportsUnwritten: Int = 0, stopReason: String? = nil,
                         redactor: Redactor = Redactor(secrets: [])) -> (status: ExitStatus, lines: [String]) {
        if reportsUnwritten > 0 {
            return (.reportNotWritten, ["\(reportsUnwritten) report(s) could not be written (the others were); exit \(ExitStatus.reportNotWritten.rawValue)"])
        }
        if report.partial {
            return (.deadline, ["run stopped (\(stopReason ?? "deadline")): partial reports written; exit \(ExitStatus.deadline.rawValue)"])
        }
        var lines: [String] = []
        func say(_ s: String) { lines.append(redactor.redact(s)) }
        if !report.targets.isEmpty, report.targets.allSatisfy({ $0.stats.responses == 0 }) {
            let urls = report.targets.prefix(5).map { "\($0.name) (\($0.baseURL))" }.joined(separator: ", ")
            let more = report.targets.count > 5 ? " and \(report.targets.count - 5) more" : ""
            say("error: no target answered any request: \(TextSanitizer.oneLine(urls, limit: 400))\(more); is the server running, and is the URL right?")
            return (.unreachable, lines)
        }
        let stopped = report.targets.filter(\.notProbed)
        // A stopped target's exit code (2 or 6) wins over 1.
        let exitOne = stopped.isEmpty ? "; exit 1" : ""
        var failed = false
        if let expectations {
            var found = expectations.failures(in: report).map { "expectation not met: \($0)" }
            for t in report.targets {
                for id in t.features.keys.sorted() where expectations.rule(target: t.name, feature: id) == nil {
                    let r = t.features[id]!
                    if expectations.outcome(target: t.name, feature: id, result: r) == .failed {
                        found.append("no expectation for \(t.name) \(id): \(r.verdict.rawValue) fails by default")
                    }
                }
            }
            if !found.isEmpty {
                for l in found.prefix(50) { say(l) }
                if found.count > 50 { say("… and \(found.count - 50) more") }
                say("\(found.count) feature(s) fail against the expectations\(exitOne)")
                failed = true
            }
        }
        let hits = report.targets.flatMap { r in r.features.filter { failOn.contains($0.value.verdict) }.map { "\(r.name) \($0.key)" } }
        if !hits.isEmpty {
            let list = failOn.map(\.rawValue).sorted().joined(separator: ",")
            say("\(hits.count) feature(s) with verdicts in --fail-on (\(list))\(exitOne)")
            failed = true
        }
        if !stopped.isEmpty {
            let usage = stopped.allSatisfy { $0.preflight?.cause == .modelRequired }
            let code: ExitStatus = usage ? .usage : .configuration
            for t in stopped { say("error: \(t.name) not probed: \(t.preflight?.summary ?? "configuration error")") }
            say("\(stopped.count) target(s) not probed (configuration error); exit \(code.rawValue)")
            return (code, lines)
        }
        return (failed ? .verdictFailure : .ok, lines)
    }
}
