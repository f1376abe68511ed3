import ArgumentParser
import Foundation
import TouchstoneKit

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Probe every target of a targets file concurrently and write one combined report.",
        discussion: """
        A targets file names many upstreams (docs/targets.md):

          targets:
            local: {base_url: http://127.0.0.1:8080/v1, model: gemma}
            groq: {model: llama-3.3-70b-versatile}   # known: key from GROQ_API_KEY
            emu: {emulate: ollama}                   # an emulator personality

        Examples:
          touchstone run --targets targets.yaml --json report.json \\
              --junit junit.xml --markdown matrix.md --html matrix.html
          touchstone run --targets targets.yaml --expect expect.yaml
          touchstone run --targets targets.yaml --shard 2/4 --json shard-2.json
          touchstone merge shard-*.json --json report.json --junit junit.xml

        Shards: targets sorted by name, the k-th (from 0) runs in shard k mod n + 1;
        merging the shard reports gives the unsharded report. The report lists targets
        sorted by name.

        Without --expect/--baseline: ignored and broken fail, unsupported and untested
        are skipped, supported passes. With them, a verdict worse than expected fails.

        \(ExitStatus.help)
        """
    )

    @Option(help: ArgumentHelp("A targets file (repeatable; names must be unique across files).", valueName: "file"))
    var targets: [String] = []

    @Option(help: ArgumentHelp("Only the targets whose name matches this glob (repeatable).", valueName: "glob"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Run part i of n (1-based) of the targets, e.g. 2/4 for the second of four CI jobs.", valueName: "i/n"))
    var shard: String?

    @OptionGroup var probing: ProbingOptions
    @OptionGroup var reporting: ReportingOptions

    func validate() throws {
        if targets.isEmpty { throw ValidationError("name a targets file: --targets FILE (docs/targets.md)") }
        if let shard {
            do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        var specs: [TargetSpec]
        do {
            specs = try TargetsFile.load(files: targets)
        } catch let e as SuiteErrors {
            Terminal.error("\(e.description)\n\(e.errors.count) error(s) in the targets file; nothing was sent\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        if !only.isEmpty {
            specs = specs.filter { s in only.contains { Glob.matches($0, s.name) } }
            if specs.isEmpty {
                throw ValidationError("--only \(only.joined(separator: " ")) matches no target of \(targets.joined(separator: ", "))")
            }
        }
        var options = try reporting.runOptions(probing)
        options.shard = try shard.map { try Shard(parsing: $0) }
        options.sortByName = true
        options.markdown = .matrix
        try await PipelineRun.run(specs, options: options, quiet: reporting.quiet)
    }
}
