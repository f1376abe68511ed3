import Foundation
import TouchstoneCore

/// The features × targets matrix as one self-contained HTML page (docs/matrix.md).
///
/// No script, no network asset: inline CSS only, and a Content-Security-Policy that forbids
/// everything else, so the page is safe to open from a CI artifact. Every verdict has a colour
/// *and* a symbol and a word. A cell's `title` gives the one-line detail on hover; clicking it
/// opens (`<details>`) the detail, latency figures, the deciding suite/case and the evidence.
/// Below the matrix: streaming latency, quirks, and the targets with their stats.
///
/// Every string from the report is redacted, put through the XML character filter (control
/// characters and non-characters become visible `\u001B` escapes), capped, and HTML-escaped,
/// so hostile evidence (`</script>`, markup, control characters) stays text.
public enum HTMLMatrixWriter {
    /// The symbol shown with each verdict (text presentation, present in common fonts).
    public static func symbol(_ verdict: Verdict) -> String {
        switch verdict {
        case .supported: "✓"
        case .unsupported: "⊘"
        case .ignored: "⚠\u{FE0E}"
        case .broken: "✗"
        case .untested: "?"
        }
    }

    /// Shown in a cell when a target has no result for a feature.
    public static let missingSymbol = "—"

    /// The one-line meaning of each verdict, shown in the legend.
    public static func meaning(_ verdict: Verdict) -> String {
        switch verdict {
        case .supported: "honoured as the OpenAI API specifies"
        case .unsupported: "refused cleanly (4xx with an error body, 404 for an endpoint)"
        case .ignored: "accepted but not honoured"
        case .broken: "protocol violated (5xx, dropped connection, malformed JSON or SSE)"
        case .untested: "could not be decided (a prerequisite failed, no model configured)"
        }
    }

    static let titleLimit = 300
    static let nameLimit = 200
    static let detailLimit = 2000
    static let excerptLimit = 4096

    public static func page(_ report: Report, redactor: Redactor) -> String {
        var html = Renderer(redactor: redactor)
        html.document(report)
        return html.out
    }

    /// Escapes text for HTML element content and attribute values (after redaction, the
    /// character filter and the cap).
    static func escape(_ s: String, limit: Int, redactor: Redactor?, singleLine: Bool) -> String {
        let clean = XMLTextFilter.filter(s, limit: limit, redactor: redactor, singleLine: singleLine)
        var out = ""
        out.reserveCapacity(clean.utf8.count)
        for ch in clean.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// `[a-z0-9-]` only, for class names and ids built from report strings.
    static func token(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "-" })
    }

    private struct Renderer {
        let redactor: Redactor
        var out = ""

        /// Single-line text (cells, attributes, names).
        func line(_ s: String, _ limit: Int = HTMLMatrixWriter.nameLimit) -> String {
            HTMLMatrixWriter.escape(s, limit: limit, redactor: redactor, singleLine: true)
        }

        /// Multi-line text (evidence excerpts inside `<pre>`).
        func block(_ s: String, _ limit: Int = HTMLMatrixWriter.excerptLimit) -> String {
            HTMLMatrixWriter.escape(s, limit: limit, redactor: redactor, singleLine: false)
        }

        mutating func document(_ report: Report) {
            let layout = MatrixLayout(report)
            out += """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="generator" content="\(line("\(report.tool.name) \(report.tool.version)"))">
            <title>Touchstone capability matrix</title>
            <style>\(HTMLMatrixWriter.css)</style>
            </head>
            <body>

            """
            header(report, layout)
            out += "<main>\n"
            matrix(layout)
            latency(layout)
            quirks(layout)
            targets(layout)
            out += "</main>\n</body>\n</html>\n"
        }

        mutating func header(_ report: Report, _ layout: MatrixLayout) {
            out += "<header>\n<h1>Touchstone capability matrix</h1>\n<p class=\"provenance\">"
            var parts = ["<span class=\"tool\">\(line("\(report.tool.name) \(report.tool.version)"))</span>",
                         "started <time>\(line(report.startedAt))</time>",
                         "finished <time>\(line(report.finishedAt))</time>",
                         "\(layout.targets.count) target\(layout.targets.count == 1 ? "" : "s")",
                         "\(layout.featureIDs.count) features"]
            if let shard = report.shard { parts.append("shard \(line(shard))") }
            if report.partial {
                parts.append("<strong class=\"partial\">partial run: interrupted before every case finished</strong>")
            }
            out += parts.joined(separator: " · ") + "</p>\n<ul class=\"legend\">\n"
            for v in Verdict.allCases {
                out += "<li class=\"v v-\(v.rawValue)\"><span class=\"sym\" aria-hidden=\"true\">\(HTMLMatrixWriter.symbol(v))</span> <b>\(v.rawValue)</b> \(line(HTMLMatrixWriter.meaning(v)))</li>\n"
            }
            out += "<li class=\"v v-none\"><span class=\"sym\" aria-hidden=\"true\">\(HTMLMatrixWriter.missingSymbol)</span> <b>no result</b> the feature was not probed for this target</li>\n"
            out += "</ul>\n<p class=\"hint\">Hover a cell for its detail; click it for the evidence.</p>\n</header>\n"
        }

        mutating func matrix(_ layout: MatrixLayout) {
            let columns = layout.targets.count + 1
            out += "<table class=\"matrix\" id=\"matrix\">\n<thead>\n<tr><th scope=\"col\" class=\"corner\">Feature</th>"
            for t in layout.targets {
                var title = t.baseURL
                if let m = t.model { title += " · model \(m)" }
                if let m = t.embeddingModel { title += " · embeddings \(m)" }
                out += "<th scope=\"col\" class=\"target\" data-target=\"\(line(t.name))\" title=\"\(line(title, HTMLMatrixWriter.titleLimit))\">"
                out += "<span class=\"name\">\(line(t.name))</span>"
                if let m = t.model { out += "<span class=\"model\">\(line(m))</span>" }
                if t.insecure { out += "<span class=\"insecure\">TLS not verified</span>" }
                out += "</th>"
            }
            out += "</tr>\n</thead>\n"
            for group in layout.groups {
                out += "<tbody class=\"group\" data-group=\"\(HTMLMatrixWriter.token(group.title))\">\n"
                out += "<tr class=\"group-title\"><th scope=\"rowgroup\" colspan=\"\(columns)\">\(line(group.title))</th></tr>\n"
                for id in group.ids {
                    out += "<tr class=\"feature\" data-feature=\"\(line(id))\"><th scope=\"row\">\(line(id))</th>"
                    for t in layout.targets { cell(t, id) }
                    out += "</tr>\n"
                }
                out += "</tbody>\n"
            }
            out += "<tfoot>\n<tr class=\"totals\"><th scope=\"row\">Totals</th>"
            for t in layout.targets {
                if t.notProbed {
                    out += "<td>not probed: configuration error (\(line(t.preflight?.cause?.rawValue ?? "preflight")))</td>"
                    continue
                }
                let c = VerdictCounts(t.features.values.map(\.verdict))
                let parts = Verdict.allCases.filter { c[$0] > 0 }.map {
                    "<span class=\"count v-\($0.rawValue)\" title=\"\(c[$0]) \($0.rawValue)\">\(c[$0]) \(HTMLMatrixWriter.symbol($0))</span>"
                }
                out += "<td>\(parts.joined(separator: " "))</td>"
            }
            out += "</tr>\n</tfoot>\n</table>\n"
        }

        mutating func cell(_ t: TargetReport, _ id: String) {
            if t.features[id] == nil, t.notProbed {
                let why = "not probed: configuration error: " + (t.preflight?.summary ?? "")
                out += "<td class=\"v v-none\" data-verdict=\"none\" data-target=\"\(line(t.name))\" title=\"\(line(why, HTMLMatrixWriter.titleLimit))\">"
                    + "<span class=\"sym\" aria-hidden=\"true\">\(HTMLMatrixWriter.missingSymbol)</span> <span class=\"label\">not probed</span></td>"
                return
            }
            guard let r = t.features[id] else {
                out += "<td class=\"v v-none\" data-verdict=\"none\" data-target=\"\(line(t.name))\" title=\"no result\">"
                    + "<span class=\"sym\" aria-hidden=\"true\">\(HTMLMatrixWriter.missingSymbol)</span> <span class=\"label\">no result</span></td>"
                return
            }
            let v = r.verdict.rawValue
            out += "<td class=\"v v-\(v)\" data-verdict=\"\(v)\" data-target=\"\(line(t.name))\" title=\"\(v): \(line(r.detail, HTMLMatrixWriter.titleLimit))\">"
            out += "<details><summary><span class=\"sym\" aria-hidden=\"true\">\(HTMLMatrixWriter.symbol(r.verdict))</span> <span class=\"label\">\(v)</span></summary>"
            out += "<div class=\"info\">"
            out += "<p class=\"head\"><b>\(line(id))</b> on <b>\(line(t.name))</b>: <span class=\"v-\(v) tag\">\(v)</span></p>"
            out += "<p class=\"detail\">\(line(r.detail, HTMLMatrixWriter.detailLimit))</p>"
            if let l = r.latency {
                out += "<p class=\"latency\">\(line(MatrixLayout.latencyLine(l)))</p>"
            }
            out += "<p class=\"origin\">decided by \(line(r.suite))/\(line(r.caseID)) in \(JUnitWriter.seconds(r.seconds)) s</p>"
            if !r.evidence.isEmpty {
                out += "<ol class=\"evidence\">"
                for e in r.evidence {
                    out += "<li><p>\(line(JUnitWriter.summary(e), 600))</p>"
                    for url in e.redirects { out += "<p>redirect: \(line(url, 600))</p>" }
                    if let request = e.request, !request.isEmpty {
                        out += "<p class=\"k\">request</p><pre>\(block(request))</pre>"
                    }
                    out += "<p class=\"k\">response</p><pre>\(block(e.response))</pre>"
                    if let curl = e.curl, !curl.isEmpty {
                        out += "<p class=\"k\">reproduce</p><pre>\(block(curl))</pre>"
                    }
                    out += "</li>"
                }
                out += "</ol>"
            }
            out += "</div></details>"
            if let l = r.latency, let ttft = l.ttftMs ?? Optional(l.ttfbMs) {
                var short = "\(JUnitWriter.fixed(ttft, digits: 0)) ms"
                if let tps = l.tokensPerSecond { short += " · \(JUnitWriter.fixed(tps, digits: 0)) tok/s" }
                out += "<span class=\"lat\" title=\"\(line(MatrixLayout.latencyLine(l)))\">\(short)</span>"
            }
            out += "</td>"
        }

        mutating func latency(_ layout: MatrixLayout) {
            let ids = layout.latencyFeatures
            guard !ids.isEmpty else { return }
            out += "<section id=\"latency\">\n<h2>Streaming latency</h2>\n<table class=\"plain\">\n"
            out += "<thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">Target</th><th scope=\"col\">ttfb ms</th><th scope=\"col\">ttft ms</th><th scope=\"col\">gap p50 ms</th><th scope=\"col\">gap p95 ms</th><th scope=\"col\">tokens/s</th></tr></thead>\n<tbody>\n"
            let f = { (v: Double?) in v.map { JUnitWriter.fixed($0, digits: 1) } ?? HTMLMatrixWriter.missingSymbol }
            for id in ids {
                for t in layout.targets {
                    guard let l = t.features[id]?.latency else { continue }
                    out += "<tr><th scope=\"row\">\(line(id))</th><td>\(line(t.name))</td><td class=\"num\">\(f(l.ttfbMs))</td><td class=\"num\">\(f(l.ttftMs))</td><td class=\"num\">\(f(l.gapP50Ms))</td><td class=\"num\">\(f(l.gapP95Ms))</td><td class=\"num\">\(f(l.tokensPerSecond))</td></tr>\n"
                }
            }
            out += "</tbody>\n</table>\n</section>\n"
        }

        mutating func quirks(_ layout: MatrixLayout) {
            let keys = Array(Set(layout.targets.flatMap(\.quirks.keys))).sorted()
            guard !keys.isEmpty else { return }
            out += "<section id=\"quirks\">\n<h2>Quirks</h2>\n<table class=\"plain quirks\">\n<thead><tr><th scope=\"col\">Quirk</th>"
            for t in layout.targets { out += "<th scope=\"col\">\(line(t.name))</th>" }
            out += "</tr></thead>\n<tbody>\n"
            for key in keys {
                out += "<tr data-quirk=\"\(line(key))\"><th scope=\"row\">\(line(key))</th>"
                for t in layout.targets {
                    if let v = t.quirks[key] {
                        out += "<td>\(line(JUnitWriter.compact(v), 500))</td>"
                    } else {
                        out += "<td class=\"none\">\(HTMLMatrixWriter.missingSymbol)</td>"
                    }
                }
                out += "</tr>\n"
            }
            out += "</tbody>\n</table>\n</section>\n"
        }

        mutating func targets(_ layout: MatrixLayout) {
            guard !layout.targets.isEmpty else { return }
            out += "<section id=\"targets\">\n<h2>Targets</h2>\n<table class=\"plain\">\n"
            out += "<thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Base URL</th><th scope=\"col\">Model</th><th scope=\"col\">Embedding model</th><th scope=\"col\">Requests</th><th scope=\"col\">Responses</th><th scope=\"col\">Retries</th><th scope=\"col\">Prompt tokens</th><th scope=\"col\">Output tokens</th><th scope=\"col\">Total tokens</th><th scope=\"col\">Seconds</th></tr></thead>\n<tbody>\n"
            for t in layout.targets {
                out += "<tr><th scope=\"row\">\(line(t.name))\(t.insecure ? " <span class=\"insecure\">TLS not verified</span>" : "")</th>"
                out += "<td><code>\(line(t.baseURL, 500))</code></td><td>\(line(t.model ?? HTMLMatrixWriter.missingSymbol))</td>"
                out += "<td>\(line(t.embeddingModel ?? HTMLMatrixWriter.missingSymbol))</td>"
                out += "<td class=\"num\">\(t.stats.requests)</td><td class=\"num\">\(t.stats.responses)</td>"
                out += "<td class=\"num\">\(t.stats.retries)</td><td class=\"num\">\(t.stats.promptTokens)</td>"
                out += "<td class=\"num\">\(t.stats.outputTokens)</td><td class=\"num\">\(t.stats.totalTokens)</td>"
                out += "<td class=\"num\">\(JUnitWriter.fixed(t.stats.wallSeconds, digits: 2))</td></tr>\n"
                if let p = t.preflight, p.stopped || !p.notes.isEmpty {
                    let text = p.stopped ? "not probed: configuration error (\(p.cause?.rawValue ?? "preflight")): \(p.summary)"
                                         : "preflight: " + p.notes.joined(separator: "; ")
                    out += "<tr><td></td><td colspan=\"8\">\(line(text, 1000))</td></tr>\n"
                }
            }
            out += "</tbody>\n</table>\n</section>\n"
        }
    }

    static let css = """

    :root { color-scheme: light; --line: #d0d4da; --head: #f3f5f8; }
    * { box-sizing: border-box; }
    body { margin: 0; padding: 20px 24px 40px; font: 14px/1.4 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; background: #fff; }
    h1 { font-size: 22px; margin: 0 0 4px; }
    h2 { font-size: 17px; margin: 28px 0 8px; }
    .provenance { margin: 0 0 10px; color: #4b5563; }
    .partial { color: #7f1d1d; background: #fbd5d5; padding: 1px 6px; border-radius: 3px; }
    .legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 8px 0; }
    .legend li { padding: 3px 9px; border-radius: 4px; border: 1px solid rgba(0,0,0,.12); font-size: 12.5px; }
    .hint { color: #6b7280; font-size: 12px; margin: 4px 0 14px; }
    table { border-collapse: separate; border-spacing: 0; }
    .matrix th, .matrix td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
    .matrix { border-top: 1px solid var(--line); border-left: 1px solid var(--line); }
    .matrix thead th { position: sticky; top: 0; z-index: 3; background: var(--head); vertical-align: bottom; min-width: 110px; }
    .matrix thead th.corner { left: 0; z-index: 4; }
    .matrix tbody th[scope=row], .matrix tfoot th { position: sticky; left: 0; z-index: 2; background: #fff; font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12.5px; font-weight: normal; white-space: nowrap; }
    .target .name { display: block; font-weight: bold; }
    .target .model, .insecure { display: block; font-weight: normal; font-size: 11.5px; color: #4b5563; }
    .insecure { color: #7f1d1d; }
    .group-title th { background: #e8ebf0; text-align: left; font-size: 12px; letter-spacing: .04em; text-transform: uppercase; color: #374151; padding-top: 6px; }
    .matrix td.v { position: relative; white-space: nowrap; font-size: 13px; }
    .v-supported { background: #d3f2da; color: #14532d; }
    .v-unsupported { background: #dbe7fb; color: #1e3a8a; }
    .v-ignored { background: #fff0bd; color: #713f12; }
    .v-broken { background: #fbd0d0; color: #7f1d1d; }
    .v-untested { background: #e9e9eb; color: #3f3f46; }
    .v-none { background: #fff; color: #9ca3af; }
    .sym { display: inline-block; width: 1.1em; text-align: center; font-weight: bold; }
    .tag { padding: 0 5px; border-radius: 3px; }
    summary { cursor: pointer; list-style: none; }
    summary::-webkit-details-marker { display: none; }
    summary:focus-visible { outline: 2px solid #2563eb; }
    .lat { display: block; font-size: 11px; opacity: .85; }
    details[open] > summary { text-decoration: underline; }
    details .info { position: absolute; left: 0; top: 100%; z-index: 10; width: 44em; max-width: 80vw; max-height: 28em; overflow: auto; white-space: normal; background: #fff; color: #1b1f24; border: 1px solid #9ca3af; border-radius: 4px; box-shadow: 0 6px 18px rgba(0,0,0,.18); padding: 8px 10px; font-size: 12.5px; }
    .info p { margin: 3px 0; overflow-wrap: anywhere; }
    .info .k { font-weight: bold; margin-top: 6px; }
    .info ol { padding-left: 18px; margin: 6px 0 0; }
    .info pre { margin: 2px 0 6px; padding: 6px; background: #f6f8fa; border: 1px solid #e5e7eb; white-space: pre-wrap; overflow-wrap: anywhere; font: 11.5px/1.35 "DejaVu Sans Mono", ui-monospace, monospace; max-height: 14em; overflow: auto; }
    .totals td { font-size: 12px; white-space: nowrap; background: var(--head); }
    .totals th { background: var(--head) !important; font-weight: bold !important; }
    .count { padding: 0 4px; border-radius: 3px; margin-right: 2px; }
    .plain { border-top: 1px solid var(--line); border-left: 1px solid var(--line); }
    .plain th, .plain td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
    .plain thead th { background: var(--head); }
    .plain tbody th { font-weight: normal; font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12.5px; }
    .plain td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .plain td.none { color: #9ca3af; }
    code { font: 12px "DejaVu Sans Mono", ui-monospace, monospace; }
    @media print { details .info { display: none; } .matrix thead th, .matrix tbody th { position: static; } }

    """
}
