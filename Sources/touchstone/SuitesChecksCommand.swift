import ArgumentParser
import TouchstoneKit

/// `touchstone suites checks`: the named checks with their arguments and examples (docs/checks.md).
struct SuitesChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "List the named checks a suite can call, with their arguments and examples.",
        discussion: "Prints Markdown; docs/checks.md is this output."
    )

    func run() throws {
        Terminal.out(CheckReference().markdown(), terminator: "")
    }
}
