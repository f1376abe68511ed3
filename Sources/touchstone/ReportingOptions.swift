import ArgumentParser
import TouchstoneCore
import TouchstoneKit

/// What to write and when to fail: options `probe` and `run` share.
struct ReportingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the JSON report (touchstone.report/v1) here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML here (one testsuite per target × suite).", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write Markdown here: the capability table (`run`: the grouped matrix with latency and quirks).", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Write the matrix as a self-contained HTML page here.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("An expectations file: what each target must support; a worse verdict fails (JUnit failure, exit 1).", valueName: "file"))
    var expect: String?

    @Option(help: ArgumentHelp("A previous JSON report: every verdict in it is the minimum this run must reach.", valueName: "report"))
    var baseline: String?

    @Option(help: ArgumentHelp("Verdicts that make the exit code 1 (comma-separated, or `none`). Default: ignored,broken; none with --expect or --baseline.", valueName: "verdicts"))
    var failOn: String?

    @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
    var quiet = false

    func validate() throws {
        _ = try failVerdicts()
        if expect != nil && baseline != nil {
            throw ValidationError("give --expect FILE or --baseline REPORT, not both")
        }
    }

    func failVerdicts() throws -> Set<Verdict> {
        do {
            return try ExitPolicy.failOn(failOn, withExpectations: expect != nil || baseline != nil)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The options of a run made of these and `probing`.
    func runOptions(_ probing: ProbingOptions) throws -> RunOptions {
        RunOptions(probe: ProbeOptions(jobs: probing.jobs, timeout: probing.timeout, include: probing.features,
                                       exclude: probing.skip),
                   maxInFlight: probing.maxInFlight, suitesDirectory: probing.suites, onlySuites: probing.onlySuites,
                   insecure: probing.insecure, deadline: probing.deadline,
                   outputs: ["--json": json, "--junit": junit, "--markdown": markdown, "--html": html].compactMapValues { $0 },
                   expect: expect, baseline: baseline, failOn: try failVerdicts())
    }
}
