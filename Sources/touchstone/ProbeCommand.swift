import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneKit

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe an OpenAI-compatible upstream and report one verdict per feature.",
        discussion: """
        TARGET is the API root that clients are configured with, usually ending in /v1
        (e.g. http://127.0.0.1:8080/v1; a trailing slash is fine), or the name of a
        known upstream (groq, openai, ollama, …; see --list-upstreams), whose base URL
        and key variable are then used. The API key is read from the environment
        variable named by --api-key-env (or the known upstream's), never from the
        command line.

        Examples:
          touchstone probe --emulate reference
          touchstone probe --emulate all --markdown matrix.md
          GROQ_API_KEY=… touchstone probe groq --model llama-3.3-70b-versatile
          OPENAI_API_KEY=… touchstone probe https://api.openai.com/v1 \\
              --model gpt-4o-mini --embedding-model text-embedding-3-small \\
              --api-key-env OPENAI_API_KEY --junit junit.xml
          touchstone probe http://127.0.0.1:11434/v1 --model llama3.2 \\
              --features 'tool_choice.*'

        Many targets at once: `touchstone run --targets FILE` (docs/targets.md).

        Verdicts: supported (honoured), unsupported (refused cleanly), ignored
        (accepted, not honoured), broken (protocol violated), untested (could not be
        decided).

        \(ExitStatus.help)
        """
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var probing: ProbingOptions
    @OptionGroup var reporting: ReportingOptions

    @Option(help: ArgumentHelp("The target's name in every report (default: HOST:PORT, or the known upstream's name). Letters, digits, `-` and `_`: JUnit consumers such as Jenkins split class names at dots.", valueName: "name"))
    var name: String?

    @Flag(help: "List the known upstreams (name, base URL, key variable) and exit.")
    var listUpstreams = false

    func validate() throws {
        if listUpstreams { return }
        if let name, !TargetsFile.isValidName(name) {
            throw ValidationError("--name `\(TextSanitizer.oneLine(name, limit: 64))`: use letters, digits, `-` and `_` (at most 64, starting with a letter or digit)")
        }
        if name != nil, target.emulate != nil {
            throw ValidationError("--name names a probed base URL; with --emulate the targets are named after the personalities")
        }
        if (target.baseURL == nil) == (target.emulate == nil) {
            // `--emulate x --jsn out.json`: the misspelt option's value was read as the base URL.
            if let unknown = Self.unknownOption(in: CommandLine.arguments) { throw ValidationError(unknown) }
            throw ValidationError("give either a base URL (or a known upstream's name) or --emulate NAME")
        }
    }

    func run() async throws {
        if listUpstreams { return Terminal.out(KnownUpstreamsTable.render(), terminator: "") }
        let flags = target.target(name: name, allPersonalities: EmulatorHook.emulators().allNames)
        let specs: [TargetSpec]
        do {
            specs = try flags.specs()
        } catch let e as DiagnosticError {
            throw ValidationError(e.description)
        }
        for note in flags.notes { Terminal.error(note + "\n") }
        try await PipelineRun.run(specs, options: try reporting.runOptions(probing), quiet: reporting.quiet)
    }
}
