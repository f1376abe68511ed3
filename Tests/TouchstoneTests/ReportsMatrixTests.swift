import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneReports

/// The matrix renderings as text: Markdown matrix and the HTML page's markup (the rendered
/// page is checked in a real browser by HTMLMatrixBrowserTests).
@Suite("Matrix")
struct ReportsMatrixTests {
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func markdownMatrixHasGroupsTotalsLatencyAndQuirks() async throws {
        let report = try await EmulatorReports.report(["reference", "ollama", "vllm"])
        let md = MarkdownWriter.matrix(report)
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("| Feature | reference | ollama | vllm |"))
        for group in FeatureCatalog.groups {
            let title = group.title.replacingOccurrences(of: "_", with: "\\_")
            #expect(lines.contains("| **\(title)** | | | |"), "\(group.title)")
        }
        let ids = Set(report.targets.flatMap(\.features.keys))
        for id in ids {
            let row = try #require(lines.first { $0.hasPrefix("| \(id.replacingOccurrences(of: "_", with: "\\_")) |") }, "row \(id)")
            let cells = row.split(separator: "|").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 3)
            for (cell, target) in zip(cells, report.targets) {
                let v = target.features[id]!.verdict
                #expect(cell == "\(MarkdownWriter.symbol(v)) \(v.rawValue)", "\(id) \(target.name)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("| **Totals** |") })
        #expect(md.contains("### Streaming latency") && md.contains("| stream.basic | reference |"))
        #expect(md.contains("### Quirks"))
        // Catalogue order: the first feature row is models.list.
        #expect(lines.firstIndex { $0.hasPrefix("| models.list") }! < lines.firstIndex { $0.hasPrefix("| chat.basic") }!)
        // The plain table is unchanged and still available.
        #expect(MarkdownWriter.table(report).hasPrefix("| Feature | reference | ollama | vllm |"))
    }

    @Test func markdownMatrixEscapesAndRedacts() {
        let report = ReportWriterTests.sample()
        let md = MarkdownWriter.matrix(report, redactor: Redactor(secrets: [ReportWriterTests.secret]))
        #expect(!md.contains(ReportWriterTests.secret))
        #expect(!md.contains("\u{1B}") && !md.contains("\u{0}"))
        #expect(md.contains("| tools.choice\\|required |"), "a pipe never splits the table")
        #expect(md.contains("| **Other features** |"))
        for line in md.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| Feature | Target") {
            #expect(line.components(separatedBy: " |").count >= 2)
        }
    }

    @Test func htmlPageIsSelfContainedAndEscapesEverything() {
        let report = ReportWriterTests.sample()
        let html = HTMLMatrixWriter.page(report, redactor: Redactor(secrets: [ReportWriterTests.secret]))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // No script, no external asset; a CSP forbids them anyway.
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("<img") && !html.contains("@import"))
        #expect(!html.contains("src=") && !html.contains("url("))
        #expect(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"))
        // Hostile text: redacted, control characters visible, markup escaped.
        #expect(!html.contains(ReportWriterTests.secret) && html.contains("[REDACTED]"))
        for raw in ["\u{1B}", "\u{0}", "\u{7}", "\u{FFFE}", "\u{FFFF}"] { #expect(!html.contains(raw)) }
        #expect(html.contains("\\u001B") && html.contains("\\uFFFE"))
        #expect(html.contains("]]&gt; &lt;&amp;&gt;&quot;&#39;"))
        // One row per feature, one cell per feature × target, legend included.
        let ids = Set(report.targets.flatMap(\.features.keys))
        #expect(Self.count("<tr class=\"feature\"", in: html) == ids.count)
        #expect(Self.count("<td class=\"v v-", in: html) == ids.count * report.targets.count)
        #expect(Self.count("data-verdict=\"none\"", in: html) == ids.count * report.targets.count
                - report.targets.reduce(0) { $0 + $1.features.count })
        #expect(html.contains("partial run") == report.partial)
        // Latency figures of the streamed feature, in the cell and in the latency table.
        #expect(html.contains("ttfb 10.0 ms · ttft 20.0 ms · gap p50 1.0 ms · p95 3.0 ms · 42.5 tok/s"))
        #expect(html.contains("<section id=\"latency\">") && html.contains("<section id=\"quirks\">"))
        // Balanced structure: every opened cell and row is closed.
        #expect(Self.count("<td", in: html) == Self.count("</td>", in: html))
        #expect(Self.count("<tr", in: html) == Self.count("</tr>", in: html))
        #expect(Self.count("<details>", in: html) == Self.count("</details>", in: html))
    }

    @Test func htmlMatrixOfRealReportsHasEveryVerdict() async throws {
        let report = try await EmulatorReports.report(["reference", "ollama", "vllm", "gemini", "misbehaving"])
        let html = HTMLMatrixWriter.page(report, redactor: Redactor(secrets: []))
        for v in Verdict.allCases {
            let expected = report.targets.reduce(0) { n, t in n + t.features.values.filter { $0.verdict == v }.count }
            #expect(Self.count("data-verdict=\"\(v.rawValue)\"", in: html) == expected, "\(v)")
        }
        #expect(Self.count("<th scope=\"col\" class=\"target\"", in: html) == 5)
        #expect(html.contains("<section id=\"latency\">"), "stream features carry latency figures")
    }
}
