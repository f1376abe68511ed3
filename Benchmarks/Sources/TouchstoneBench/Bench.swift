import ArgumentParser
import Foundation

/// The benchmarks of BENCHMARKS.md. `touchstone-bench run` measures every target of issue 6
/// and prints each figure beside its target and the alternative measured in the same run; the
/// other subcommands are the helper processes it starts.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touchstone-bench",
        abstract: "Touchstone's benchmarks: each figure beside its target and the alternative, in one run.",
        subcommands: [RunCommand.self, ServeCommand.self, SourceCommand.self, ProbeChildCommand.self,
                      RequestsCommand.self, ParseCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
