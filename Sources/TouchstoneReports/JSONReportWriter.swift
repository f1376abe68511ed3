import Foundation
import TouchstoneCore

/// Renders a `Report` as the versioned JSON report `touchstone.report/v1` (docs/report-json.md).
///
/// Pretty-printed with sorted keys, so the same report always gives the same bytes. The model's
/// explicit `CodingKeys` name every field; no key strategy is applied. JSON has no NaN or
/// infinity: such doubles are written as 0 rather than failing the whole report. A `summary`
/// (verdict counts and summed stats, `ReportSummary`) is derived from the targets on every write.
public enum JSONReportWriter {
    public static func data(_ report: Report) throws -> Data {
        let report = finite(report)
        var data = try encoder().encode(Written(report: report, summary: ReportSummary(report)))
        data.append(0x0A)  // trailing newline
        return data
    }

    /// The report's own fields plus the derived `summary`, in one JSON object.
    struct Written: Encodable {
        var report: Report
        var summary: ReportSummary
        enum Key: String, CodingKey { case summary }
        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(summary, forKey: .summary)
        }
    }

    /// Decodes a report written by `data(_:)` (the derived `summary` is not read back).
    public static func decode(_ data: Data) throws -> Report {
        try JSONDecoder().decode(Report.self, from: data)
    }

    static func finite(_ report: Report) -> Report {
        var out = report
        for t in out.targets.indices { out.targets[t] = finite(out.targets[t]) }
        return out
    }

    static func finite(_ target: TargetReport) -> TargetReport {
        func f(_ d: Double) -> Double { d.isFinite ? d : 0 }
        func f(_ d: Double?) -> Double? { d.map { $0.isFinite ? $0 : 0 } }
        var out = target
        out.stats.wallSeconds = f(out.stats.wallSeconds)
        for id in out.features.keys {
            var r = out.features[id]!
            r.seconds = f(r.seconds)
            for e in r.evidence.indices { r.evidence[e].elapsedMs = f(r.evidence[e].elapsedMs) }
            if var l = r.latency {
                l.ttfbMs = f(l.ttfbMs)
                l.ttftMs = f(l.ttftMs)
                l.gapP50Ms = f(l.gapP50Ms)
                l.gapP95Ms = f(l.gapP95Ms)
                l.tokensPerSecond = f(l.tokensPerSecond)
                r.latency = l
            }
            out.features[id] = r
        }
        return out
    }

    /// The encoder of every report: the same settings give the same bytes.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
