import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneKit
import TouchstoneReports

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two reports; exit 1 on any regression.",
        discussion: """
        Compares OLD and NEW (touchstone.report/v1 JSON) per target and feature. A
        regression is a verdict that got worse (supported > unsupported > untested >
        ignored > broken), a feature that had a result and has none, or a target that
        disappeared. Improvements, added features, new targets and quirk changes are
        listed but do not fail.

          touchstone diff baseline.json report.json
          touchstone diff baseline.json report.json --json diff.json

        Exit codes: 0 no regression; 1 at least one regression; 2 a report cannot be
        read.
        """
    )

    @Argument(help: ArgumentHelp("The earlier report.", valueName: "old"))
    var old: String

    @Argument(help: ArgumentHelp("The later report.", valueName: "new"))
    var new: String

    @Option(help: ArgumentHelp("Also write the diff as JSON (touchstone.diff/v1) here.", valueName: "file"))
    var json: String?

    @Flag(help: "Features and targets missing from NEW are listed but do not fail (e.g. NEW probed a subset).")
    var allowMissing = false

    func run() throws {
        let before: Report, after: Report
        do {
            before = try ReportFile.read(old)
            after = try ReportFile.read(new)
        } catch {
            Terminal.error("\(error)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let diff = ReportDiff.compare(old: before, new: after)
        Terminal.out(diff.text(), terminator: "")
        if let json {
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try ReportOutput.write(try encoder.encode(diff) + Data("\n".utf8), to: json)
            } catch {
                Terminal.error("error: cannot write \(json): \(error)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        let failing = allowMissing ? diff.features.contains { $0.kind == .regression } : diff.hasRegression
        if failing { throw ExitCode(ExitStatus.verdictFailure.rawValue) }
    }
}
