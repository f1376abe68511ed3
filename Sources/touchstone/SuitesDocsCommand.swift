import ArgumentParser
import Foundation
import TouchstoneKit
import TouchstoneReports

/// `touchstone suites docs`: the feature reference (docs/features.md) rendered from the suites.
struct SuitesDocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print the feature reference (docs/features.md) generated from the suites.",
        discussion: """
            Renders every case's `rule:` with its request, prerequisites and quirks;
            docs/features.md is this output for the built-in suites.

            Exit codes: 0 written; 2 a suite file is invalid or the output path is
            unusable (nothing written); 5 the output could not be written.
            """
    )

    @Option(help: ArgumentHelp("A directory of your own suite files, added to the built-in suites (as for `run`).", valueName: "dir"))
    var suites: String?

    @Option(help: ArgumentHelp("Where to write the Markdown (default: standard output, also `-`).", valueName: "path"))
    var output: String?

    func run() throws {
        let output = self.output ?? "-"
        if let problem = ReportOutput.problems([("--output", output)]).first {
            Terminal.error("error: \(problem)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let loaded: [Suite]
        do {
            loaded = try BuiltinSuites.load(adding: suites)
        } catch let e as SuiteErrors {
            Terminal.error(e.description + "\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        // Text from a suite file never reaches a terminal with its control characters.
        let markdown = Terminal.safe(FeatureReference(suites: loaded).markdown())
        do {
            try ReportOutput.write(Data(markdown.utf8), to: output)
        } catch {
            Terminal.error("error: \(error)\n")
            throw ExitCode(ExitStatus.reportNotWritten.rawValue)
        }
    }
}
