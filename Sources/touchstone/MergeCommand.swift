import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneKit
import TouchstoneReports

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine shard reports into one report, recomputing totals.",
        usage: """
        touchstone merge <report.json> ... --json <file> [--junit <file>]
          [--markdown <file>] [--html <file>]
          [--expect <file>] [--baseline <report>]
        """,
        discussion: """
        Reads touchstone.report/v1 files (e.g. the shards of `touchstone run --shard
        i/n`) and writes one report with every target (sorted by name), the earliest
        start, the latest end, and partial when any shard was partial. A target in
        several shards must have disjoint features there. Writes the merged JSON, and
        optionally JUnit (read against --expect or --baseline when given), Markdown
        and HTML.

          touchstone merge shard-*.json --json report.json --junit junit.xml \\
              --html matrix.html

        Exit codes: 0 merged (whatever the verdicts: gate with `touchstone diff` or
        the JUnit); 2 a report or the expectations cannot be read, the reports do not
        fit together, or an output cannot be written.
        """
    )

    @Argument(help: ArgumentHelp("Reports to merge.", valueName: "report.json"))
    var reports: [String]

    @Option(help: ArgumentHelp("Write the merged JSON report here.", valueName: "file"))
    var json: String

    @Option(help: ArgumentHelp("Also write JUnit XML here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Also write the Markdown matrix here.", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Also write the HTML matrix here.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Read the JUnit against this expectations file (docs/expectations.md).", valueName: "file"))
    var expect: String?

    @Option(help: ArgumentHelp("Read the JUnit against this earlier report: each of its verdicts is the minimum.", valueName: "report"))
    var baseline: String?

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one report to merge") }
        if expect != nil && baseline != nil { throw ValidationError("give --expect FILE or --baseline REPORT, not both") }
    }

    func run() throws {
        let merged: Report
        let expectations: Expectations?
        do {
            expectations = try Expectations.load(expect: expect, baseline: baseline)
            let inputs = try reports.map(ReportFile.read)
            let missing = ReportMerge.missingShards(inputs)
            if !missing.isEmpty {
                Terminal.error("warning: shard(s) \(missing.joined(separator: ", ")) not given; the merged report covers only the others\n")
            }
            merged = try ReportMerge.merge(inputs)
        } catch {
            Terminal.error("error: \(error)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        // Every path checked first; then every report written, one failure costing no other.
        let outputs = ReportSelection(["--json": json, "--junit": junit, "--markdown": markdown, "--html": html].compactMapValues { $0 })
        let problems = outputs.problems()
        if !problems.isEmpty {
            for p in problems { Terminal.error("error: cannot write a report to \(p)\n") }
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        // The reports were redacted when written; the writers' own filters still apply.
        let source = ReportSource(report: merged, redactor: Redactor(secrets: []), expectations: expectations)
        let failures = outputs.write(source)
        for f in failures { Terminal.error("error: cannot write the merged \(f.option) report \(f.path): \(f.error)\n") }
        if !failures.isEmpty { throw ExitCode(ExitStatus.reportNotWritten.rawValue) }
        let s = ReportSummary(merged)
        Terminal.out("merged \(reports.count) report(s): \(s.targets) target(s), \(s.results) result(s) → \(json)")
    }
}
