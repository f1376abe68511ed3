import ArgumentParser
import TouchstoneKit

/// How to probe: options `probe` and `run` share.
struct ProbingOptions: ParsableArguments {
    @Option(help: "Requests in flight at once per target (a targets file's `jobs:` wins for its target; never more than the slots a server advertises).")
    var jobs: Int = 8

    @Option(help: ArgumentHelp("Requests in flight at once across all targets; targets start as this allows, not all at once.", valueName: "n"))
    var maxInFlight: Int = RunScheduler.defaultMaxInFlight

    @Option(help: ArgumentHelp("Seconds each request may take (first byte, idle gap, total). Generous by default for slow local models; a targets file's `timeout:` wins for its target.", valueName: "seconds"))
    var timeout: Double = 120

    @Option(help: ArgumentHelp("A directory of your own suite files, added to the built-in suites (a file whose `suite:` name is a built-in suite's replaces it).", valueName: "dir"))
    var suites: String?

    @Flag(help: "Use only the suites of --suites, not the built-in ones.")
    var onlySuites = false

    @Option(help: ArgumentHelp("Only these features (glob, repeatable, e.g. 'stream.*'); prerequisites are added.", valueName: "glob"))
    var features: [String] = []

    @Option(help: ArgumentHelp("Skip these features (glob, repeatable).", valueName: "glob"))
    var skip: [String] = []

    @Flag(help: "Do not verify TLS certificates (reported in every output).")
    var insecure = false

    @Option(help: ArgumentHelp("Seconds the whole run may take: then transfers are cancelled, unfinished features end untested, the reports are written marked partial, and the exit code is 4.", valueName: "seconds"))
    var deadline: Double?

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if maxInFlight < 1 { throw ValidationError("--max-in-flight must be at least 1") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let deadline, !(deadline > 0 && deadline.isFinite) { throw ValidationError("--deadline must be a positive number of seconds") }
        if onlySuites && suites == nil { throw ValidationError("--only-suites needs --suites DIR") }
    }
}
