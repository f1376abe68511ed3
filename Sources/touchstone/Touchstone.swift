import ArgumentParser
import Foundation
import TouchstoneKit

@main
struct Touchstone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "touchstone",
        abstract: "Conformance harness and compatibility prober for OpenAI-compatible LLM APIs.",
        discussion: """
        Probe a server and get one verdict per feature (supported, unsupported,
        ignored, broken, untested), with JUnit, JSON and Markdown reports.

          touchstone probe --emulate reference            probe the built-in emulator
          touchstone probe http://127.0.0.1:8080/v1 --model gemma
          touchstone run --targets targets.yaml --junit junit.xml   many targets
          touchstone emulate --list                       the emulator's personalities
          touchstone suites validate suites/              check suite files

        \(ExitStatus.help)
        """,
        version: ToolVersion.current,
        subcommands: [ProbeCommand.self, RunCommand.self, EmulateCommand.self, SuitesCommand.self,
                      DiffCommand.self, MergeCommand.self, PresetsCommand.self]
    )

    /// Runs the command, mapping usage errors to exit code 2 (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.error((fullMessage(for: error) + "\n"))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            // Our own exit codes print nothing more; other failures print their message, which
            // may quote user input (escaped by Terminal).
            if !(error is ExitCode), code != .success {
                Terminal.error(fullMessage(for: error) + "\n")
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}
