import Foundation
import TouchstoneCore

/// Renders a `Report` as a GitHub-flavoured Markdown summary (docs/markdown.md): a features ×
/// targets table, then the quirks of each target, then the non-supported verdicts of each
/// target with their one-line detail.
public enum MarkdownWriter {
    /// The symbol shown before each verdict in a cell.
    public static func symbol(_ verdict: Verdict) -> String {
        switch verdict {
        case .supported: "✅"
        case .unsupported: "⛔"
        case .ignored: "⚠️"
        case .broken: "❌"
        case .untested: "➖"
        }
    }

    /// Shown in a cell when a target has no result for a feature.
    public static let missingCell = "—"

    /// Shown in every cell of a target the preflight stopped.
    public static let notProbedCell = "🚫 not probed"

    /// A target's cell for a feature: its verdict, `not probed`, or no result.
    static func cell(_ target: TargetReport, _ id: String) -> String {
        if let r = target.features[id] { return "\(symbol(r.verdict)) \(r.verdict.rawValue)" }
        return target.notProbed ? notProbedCell : missingCell
    }

    /// The details line of a target the preflight stopped or that got a model from it.
    static func preflightLine(_ target: TargetReport, esc: (String, Int) -> String) -> String {
        guard let p = target.preflight else { return "" }
        if p.stopped {
            return "- \(notProbedCell): configuration error (\(esc(p.cause?.rawValue ?? "preflight", cellLimit))): \(esc(p.summary, detailLimit))\n"
        }
        return p.notes.map { "- preflight: \(esc($0, detailLimit))\n" }.joined()
    }

    static let cellLimit = 200
    static let detailLimit = 500

    /// - Parameters:
    ///   - featureOrder: row order; ids it lists come first in that order (ids absent from every
    ///     target are skipped), the remaining ids follow sorted. Nil: all ids sorted.
    ///   - redactor: applied to every string, like the JUnit writer.
    public static func table(_ report: Report, featureOrder: [String]? = nil,
                             redactor: Redactor? = nil) -> String {
        let esc = { (s: String, limit: Int) in escape(s, limit: limit, redactor: redactor) }
        let ids = rowOrder(report, featureOrder: featureOrder)
        var out = ""

        if report.partial {
            out += "_Partial run: interrupted before every case finished._\n\n"
        }

        // Table.
        out += "| Feature |" + report.targets.map { " \(esc($0.name, cellLimit)) |" }.joined() + "\n"
        out += "|---|" + String(repeating: "---|", count: report.targets.count) + "\n"
        for id in ids {
            out += "| \(esc(id, cellLimit)) |"
            for target in report.targets {
                out += " \(cell(target, id)) |"
            }
            out += "\n"
        }
        out += "\n" + Verdict.allCases.map { "\(symbol($0)) \($0.rawValue)" }.joined(separator: " · ")
            + " · \(missingCell) no result" + (report.targets.contains(where: \.notProbed) ? " · \(notProbedCell): configuration error, see Details" : "") + "\n"

        // Quirks.
        let withQuirks = report.targets.filter { !$0.quirks.isEmpty }
        if !withQuirks.isEmpty {
            out += "\n### Quirks\n"
            for target in withQuirks {
                out += "\n**\(esc(target.name, cellLimit))**\n\n"
                for key in target.quirks.keys.sorted() {
                    out += "- \(esc(key, cellLimit)): \(esc(JUnitWriter.compact(target.quirks[key]!), detailLimit))\n"
                }
            }
        }

        // Details of every verdict other than supported.
        out += "\n### Details\n"
        for target in report.targets {
            out += "\n**\(esc(target.name, cellLimit))**\n\n"
            out += preflightLine(target, esc: esc)
            if target.notProbed { continue }
            let notSupported = ids.compactMap { id in target.features[id].map { (id, $0) } }
                .filter { $0.1.verdict != .supported }
            if notSupported.isEmpty {
                out += target.features.isEmpty ? "- no feature result\n" : "- every feature supported\n"
            }
            for (id, r) in notSupported {
                out += "- \(esc(id, cellLimit)) — \(symbol(r.verdict)) \(r.verdict.rawValue): "
                    + esc(r.detail, detailLimit)
                    + " (\(esc(r.suite, cellLimit))/\(esc(r.caseID, cellLimit)))\n"
            }
        }
        return out
    }

    /// The capability matrix (docs/matrix.md): a provenance line, then features × targets with
    /// a bold row per feature group (catalogue order, then other ids sorted), a verdict count
    /// row per target, streaming latency figures, quirks and the details of every verdict other
    /// than `supported`.
    public static func matrix(_ report: Report, redactor: Redactor? = nil) -> String {
        let esc = { (s: String, limit: Int) in escape(s, limit: limit, redactor: redactor) }
        let layout = MatrixLayout(report)
        var out = "## Touchstone capability matrix\n\n"
        out += "_" + MatrixLayout.provenance(report).map { esc($0, cellLimit) }.joined(separator: " · ") + "_\n\n"
        if report.partial {
            out += "_Partial run: interrupted before every case finished._\n\n"
        }

        out += "| Feature |" + layout.targets.map { " \(esc($0.name, cellLimit)) |" }.joined() + "\n"
        out += "|---|" + String(repeating: "---|", count: layout.targets.count) + "\n"
        out += "| _model_ |" + layout.targets.map { " \(esc($0.model ?? "", cellLimit)) |" }.joined() + "\n"
        for group in layout.groups {
            out += "| **\(esc(group.title, cellLimit))** |" + String(repeating: " |", count: layout.targets.count) + "\n"
            for id in group.ids {
                out += "| \(esc(id, cellLimit)) |"
                for target in layout.targets {
                    out += " \(cell(target, id)) |"
                }
                out += "\n"
            }
        }
        out += "| **Totals** |" + layout.targets.map { t in
            if t.notProbed { return " \(notProbedCell) (\(esc(t.preflight?.cause?.rawValue ?? "configuration error", cellLimit))) |" }
            let c = VerdictCounts(t.features.values.map(\.verdict))
            return " " + Verdict.allCases.filter { c[$0] > 0 }.map { "\(c[$0]) \(symbol($0))" }.joined(separator: " ") + " |"
        }.joined() + "\n"
        out += "| _requests_ |" + layout.targets.map { " \($0.stats.requests) |" }.joined() + "\n"
        out += "| _tokens: prompt + output_ |" + layout.targets.map { " \($0.stats.promptTokens) + \($0.stats.outputTokens) |" }.joined() + "\n"
        out += "\n" + Verdict.allCases.map { "\(symbol($0)) \($0.rawValue)" }.joined(separator: " · ")
            + " · \(missingCell) no result" + (report.targets.contains(where: \.notProbed) ? " · \(notProbedCell): configuration error, see Details" : "") + "\n"

        let latency = layout.latencyFeatures
        if !latency.isEmpty {
            out += "\n### Streaming latency\n\n| Feature | Target | ttfb ms | ttft ms | gap p50 ms | gap p95 ms | tokens/s |\n|---|---|---|---|---|---|---|\n"
            let f = { (v: Double?) in v.map { JUnitWriter.fixed($0, digits: 1) } ?? missingCell }
            for id in latency {
                for target in layout.targets {
                    guard let l = target.features[id]?.latency else { continue }
                    out += "| \(esc(id, cellLimit)) | \(esc(target.name, cellLimit)) | \(f(l.ttfbMs)) | \(f(l.ttftMs)) | \(f(l.gapP50Ms)) | \(f(l.gapP95Ms)) | \(f(l.tokensPerSecond)) |\n"
                }
            }
        }

        let quirkKeys = Array(Set(layout.targets.flatMap(\.quirks.keys))).sorted()
        if !quirkKeys.isEmpty {
            out += "\n### Quirks\n\n| Quirk |" + layout.targets.map { " \(esc($0.name, cellLimit)) |" }.joined() + "\n"
            out += "|---|" + String(repeating: "---|", count: layout.targets.count) + "\n"
            for key in quirkKeys {
                out += "| \(esc(key, cellLimit)) |" + layout.targets.map { t in
                    " " + (t.quirks[key].map { esc(JUnitWriter.compact($0), cellLimit) } ?? missingCell) + " |"
                }.joined() + "\n"
            }
        }

        out += "\n### Details\n"
        for target in layout.targets {
            out += "\n**\(esc(target.name, cellLimit))** — \(esc(target.baseURL, cellLimit))\n\n"
            out += preflightLine(target, esc: esc)
            if target.notProbed { continue }
            let notSupported = layout.featureIDs.compactMap { id in target.features[id].map { (id, $0) } }
                .filter { $0.1.verdict != .supported }
            if notSupported.isEmpty {
                out += target.features.isEmpty ? "- no feature result\n" : "- every feature supported\n"
            }
            for (id, r) in notSupported {
                out += "- \(esc(id, cellLimit)) — \(symbol(r.verdict)) \(r.verdict.rawValue): "
                    + esc(r.detail, detailLimit) + "\n"
            }
        }
        return out
    }

    static func rowOrder(_ report: Report, featureOrder: [String]?) -> [String] {
        let present = Set(report.targets.flatMap(\.features.keys))
        var seen = Set<String>()
        var ids: [String] = []
        for id in featureOrder ?? [] where present.contains(id) && seen.insert(id).inserted {
            ids.append(id)
        }
        ids += present.subtracting(seen).sorted()
        return ids
    }

    /// One line, control characters escaped (`\u001B`), capped, then Markdown-escaped:
    /// backslash escapes for `\ | ` * _ [ ] ~`, entities for `< > &`.
    static func escape(_ s: String, limit: Int, redactor: Redactor?) -> String {
        let line = XMLTextFilter.filter(s, limit: limit, redactor: redactor, singleLine: true)
        var out = ""
        out.reserveCapacity(line.utf8.count)
        for ch in line.unicodeScalars {
            switch ch {
            case "\\", "|", "`", "*", "_", "[", "]", "~": out += "\\"; out.unicodeScalars.append(ch)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
