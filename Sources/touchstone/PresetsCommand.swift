import ArgumentParser
import Foundation
import TouchstoneKit
import TouchstoneCore
import TouchstoneReports

struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "Turn reports into capability presets other software reads.",
        usage: """
        touchstone presets <report.json> ... [--format <format>]
          [--output <file>] [--api-key-env <[target=]VAR> ...]
        """,
        discussion: """
        Reads touchstone.report/v1 files and writes, per upstream, its base URL, auth
        mode, models, capabilities (tool_choice modes, streaming, usage in stream,
        JSON modes, embeddings options, Responses API, trailing-slash tolerance, error
        dialect, …) and provenance. Formats: yaml or json (touchstone.presets/v1,
        docs/presets.md), litellm (a LiteLLM proxy config.yaml with model_list and
        model_info supports_* flags), or llm (the llm CLI's extra-openai-models.yaml
        with its supports_tools, supports_schema, can_stream and vision flags).

          touchstone presets report.json --format litellm \\
              --api-key-env vllm=VLLM_KEY -o litellm.yaml
          touchstone presets a.json b.json --format json
          touchstone presets report.json --format llm \\
              -o "$(dirname "$(llm logs path)")/extra-openai-models.yaml"

        Exit codes: 0 written; 2 a report cannot be read or target names repeat across
        reports.
        """
    )

    @Argument(help: ArgumentHelp("Reports to read.", valueName: "report.json"))
    var reports: [String]

    @Option(help: ArgumentHelp("yaml, json, litellm or llm.", valueName: "format"))
    var format: String = "yaml"

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write here instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Environment variable holding an upstream's key: `VAR` for every upstream or `TARGET=VAR` for one (repeatable). Only the name is written, never a value.", valueName: "[target=]VAR"))
    var apiKeyEnv: [String] = []

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one report") }
        if PresetWriter.Format(rawValue: format) == nil {
            throw ValidationError("--format must be yaml, json, litellm or llm, got `\(format)`")
        }
        _ = try keyVariables()
    }

    func keyVariables() throws -> [String: String] {
        var out: [String: String] = [:]
        for item in apiKeyEnv {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let (target, variable) = parts.count == 2 ? (parts[0], parts[1]) : ("*", item)
            guard !variable.isEmpty, variable.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                // The value may be a key pasted in by mistake: never echo it.
                throw ValidationError("--api-key-env takes an environment variable's name (letters, digits, _), optionally `target=VAR`; the value given is not one (not shown)")
            }
            out[target] = variable
        }
        return out
    }

    func run() throws {
        let text: String
        do {
            let sources = try reports.map { PresetBuilder.Source(report: try ReportFile.read($0), file: $0) }
            let names = Set(sources.flatMap { $0.report.targets.map(\.name) })
            for target in try keyVariables().keys.sorted() where target != "*" && !names.contains(target) {
                throw ValidationError("--api-key-env \(target)=…: no target `\(target)` in the reports\(SuiteLoader.suggestion(target, in: names)); targets: \(names.sorted().joined(separator: ", "))")
            }
            for line in PresetBuilder.skipped(sources) {
                Terminal.error("note: skipped \(line)\n")
            }
            let document = try PresetBuilder.document(sources, apiKeyEnv: try keyVariables(),
                                                      generator: "touchstone \(ToolVersion.current)")
            text = try PresetWriter.render(document, format: PresetWriter.Format(rawValue: format)!)
        } catch let error as ValidationError {
            throw error
        } catch {
            Terminal.error("error: \(error)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        if let output {
            do {
                try ReportOutput.write(Data(text.utf8), to: output)
            } catch {
                Terminal.error("error: cannot write \(output): \(error)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        } else {
            Terminal.out(text, terminator: "")
        }
    }
}
