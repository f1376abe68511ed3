import ArgumentParser
import TouchstoneKit
import TouchstoneReports

/// `probe` and `run` on the terminal: the library's `RunPipeline` with the console as its
/// observer, SIGINT/SIGTERM caught, the capability table on stdout, and the exit code.
enum PipelineRun {
    static func run(_ specs: [TargetSpec], options: RunOptions, quiet: Bool) async throws {
        let console = Console(quiet: quiet)
        // From here, SIGINT/SIGTERM stop the run (Interruption.swift).
        let control = RunControl()
        let interruption = Interruption(control: control, console: console)
        defer { interruption.finish() }
        let outcome: RunOutcome
        do {
            outcome = try await RunPipeline(options: options, emulators: .emulators())
                .run(specs, control: control, observer: console)
        } catch let e as RunSetupError {
            if e.kind == .usage { throw ValidationError(e.message) }
            Terminal.error(e.message + "\n")
            throw ExitCode(e.status.rawValue)
        }
        // A report on standard output is all that goes there.
        if !ReportSelection(options.outputs).usesStandardOutput {
            Terminal.out(outcome.redactor.redact(ConsoleTable.render(outcome.report)), terminator: "")
        }
        if let stopped = interruption.exitStatus {
            console.note("run stopped (\(outcome.stopReason ?? "interrupted")): partial reports written; exit \(stopped.rawValue)")
            throw ExitCode(stopped.rawValue)
        }
        for line in outcome.messages { console.note(line) }
        if outcome.status != .ok { throw ExitCode(outcome.status.rawValue) }
    }
}

extension Console: RunObserver {
    func probingFinished() { finish() }
}
