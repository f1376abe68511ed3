import Foundation
import Testing
import TouchstoneCore
import TouchstoneReports

/// The report formats' registry: one writer per option, the same bytes from a complete report
/// (`merge`) and from a run's compact targets (`probe`, `run`).
@Suite("Report writers")
struct ReportWritersTests {
    @Test func everyFormatHasOneOption() {
        let options = ReportWriters.all.map(\.option)
        #expect(options == ["--json", "--junit", "--markdown", "--html"])
        #expect(options.allSatisfy { ReportWriters.named($0)?.option == $0 } && ReportWriters.named("--xml") == nil)
        let selection = ReportSelection(["--html": "a.html", "--json": "-", "--csv": "x.csv"])
        #expect(selection.outputs.map(\.writer.option) == ["--json", "--html"] && selection.usesStandardOutput)
        let clash = ReportSelection(["--json": "same", "--junit": "same"]).problems()
        #expect(clash.map(\.description) == ["--junit same: the same file as --json"])
    }

    @Test func aCompactRunWritesWhatACompleteReportWrites() async throws {
        let full = try await EmulatorReports.report(["reference", "ollama"])
        var compact = try CompactReport()
        for (i, t) in full.targets.enumerated() { try compact.add(t, index: i) }
        var outline = full
        outline.targets = compact.outlines
        let redactor = Redactor(secrets: [])
        let complete = ReportSource(report: full, redactor: redactor)
        let streamed = ReportSource(report: outline, compact: compact, redactor: redactor)

        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for writer in ReportWriters.all {
            let a = dir.appendingPathComponent("complete" + writer.option).path
            let b = dir.appendingPathComponent("streamed" + writer.option).path
            try writer.write(complete, to: a)
            try writer.write(streamed, to: b)
            var bytes = [try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b))]
            if writer.option == "--junit" {  // the host name and nothing else may differ between runs
                bytes = bytes.map { Data(String(decoding: $0, as: UTF8.self).replacing(/hostname="[^"]*"/, with: "").utf8) }
            }
            #expect(bytes[0] == bytes[1], "\(writer.option)")
            #expect(!bytes[0].isEmpty)
        }
        #expect(try JSONReportWriter.decode(Data(contentsOf: dir.appendingPathComponent("streamed--json"))).targets.map(\.name)
                == ["reference", "ollama"])
    }
}
