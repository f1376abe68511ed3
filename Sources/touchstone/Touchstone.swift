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

enum ToolVersion {
    static let current = "0.1.0"
}

/// Exit codes, in one place (documented in --help and the README).
enum ExitStatus: Int32 {
    case ok = 0
    /// A verdict the run was told to fail on (`--fail-on`, default: ignored, broken).
    case verdictFailure = 1
    /// Bad usage, a bad suite file or bad configuration: nothing was sent.
    case usage = 2
    /// No target answered a single request (refused, DNS, TLS, timeouts).
    case unreachable = 3
    /// `--deadline` passed before every case finished: the reports are partial.
    case deadline = 4
    /// The run finished but a report could not be written (a full disk, a closed pipe); every
    /// other report was written. Wins over 1, 3 and 4.
    case reportNotWritten = 5
    /// The preflight stopped a target on a configuration error the upstream revealed: a refused
    /// or missing key, a base URL lacking `/v1`, a model it does not serve. Other targets ran.
    case configuration = 6
    /// SIGINT (Ctrl-C) stopped the run: partial reports were written (128 + 2).
    case interrupted = 130
    /// SIGTERM stopped the run: partial reports were written (128 + 15).
    case terminated = 143

    static let help = """
    Exit codes: 0 done, nothing to fail on; 1 a verdict listed in --fail-on
    (default: ignored, broken); 2 usage, suite or configuration error (nothing was
    sent), or no --model while the upstream lists several (only the preflight's GET
    /models was sent); 3 no target could be reached at all; 4 --deadline passed,
    the reports are partial; 5 a report could not be written (the others were); 6
    the preflight stopped a target: the upstream refused its key, its base URL
    needs /v1, or it does not serve its model (other targets ran); 130 (SIGINT)
    and 143 (SIGTERM) the run was stopped, the reports are partial.
    """
}

