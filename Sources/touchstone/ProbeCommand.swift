import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
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

    @Argument(help: ArgumentHelp("The upstream's base URL, or a known upstream's name (omit with --emulate).", valueName: "target"))
    var baseURL: String?

    @Option(help: ArgumentHelp("Probe the built-in emulator instead: a personality name, a comma-separated list, or `all` (see `touchstone emulate --list`).", valueName: "name"))
    var emulate: String?

    @Option(help: "The chat model id to use (default with --emulate: the personality's).")
    var model: String?

    @Option(help: "An embedding model id; without one every embeddings.* feature is untested.")
    var embeddingModel: String?

    @Option(help: ArgumentHelp("Name of the environment variable holding the API key (default for a known upstream: its variable).", valueName: "VAR"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("How the key is sent: bearer, api-key, x-api-key, header:NAME, none, or azure (deployment path, api-version, api-key header). Default: bearer, or the known upstream's.", valueName: "mode"))
    var auth: String?

    @Option(help: ArgumentHelp("Azure's api-version (with --auth azure; default: $OPENAI_API_VERSION or \(AzureDeployments.defaultAPIVersion)).", valueName: "version"))
    var apiVersion: String?

    @Option(help: ArgumentHelp("Extra header sent with every request, `Name: value` (repeatable). `${VAR}` in the value is read from the environment; credential headers must use it.", valueName: "header"))
    var header: [String] = []

    @OptionGroup var probing: ProbingOptions
    @OptionGroup var reporting: ReportingOptions

    @Option(help: ArgumentHelp("The target's name in every report (default: HOST:PORT, or the known upstream's name). Letters, digits, `-` and `_`: JUnit consumers such as Jenkins split class names at dots.", valueName: "name"))
    var name: String?

    @Flag(help: "List the known upstreams (name, base URL, key variable) and exit.")
    var listUpstreams = false

    /// "Unknown option '--jsn'. Did you mean '--json'?" for the first option this command does
    /// not have, as ArgumentParser says it when no positional argument swallowed the next word.
    static func unknownOption(in arguments: [String]) -> String? {
        let help = helpMessage(columns: 10_000)
        let known = Set(help.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) } + ["--help"])
        for arg in arguments.dropFirst() where arg.hasPrefix("--") && arg.count > 2 {
            let name = String(arg.split(separator: "=", maxSplits: 1)[0])
            if !known.contains(name) {
                let hint = SuiteLoader.suggestion(name, in: known)
                return "Unknown option '\(TextSanitizer.oneLine(name, limit: 60))'" + (hint.isEmpty ? "" : hint.replacingOccurrences(of: "; did you mean `", with: ". Did you mean '").replacingOccurrences(of: "`?", with: "'?"))
            }
        }
        return nil
    }

    func validate() throws {
        if listUpstreams { return }
        if let name, !TargetsFile.isValidName(name) {
            throw ValidationError("--name `\(TextSanitizer.oneLine(name, limit: 64))`: use letters, digits, `-` and `_` (at most 64, starting with a letter or digit)")
        }
        if name != nil, emulate != nil {
            throw ValidationError("--name names a probed base URL; with --emulate the targets are named after the personalities")
        }
        if (baseURL == nil) == (emulate == nil) {
            // `--emulate x --jsn out.json`: the misspelt option's value was read as the base URL.
            if let unknown = Self.unknownOption(in: CommandLine.arguments) { throw ValidationError(unknown) }
            throw ValidationError("give either a base URL (or a known upstream's name) or --emulate NAME")
        }
        for h in header where !h.contains(":") { throw ValidationError("--header takes `Name: value`, got `\(h)`") }
        if let auth, TargetAuth.parse(auth) == nil {
            throw ValidationError("--auth: unknown mode `\(auth)`; use one of \(TargetAuth.spellings.joined(separator: ", "))")
        }
    }

    func run() async throws {
        if listUpstreams {
            Terminal.out(KnownUpstreamsTable.render(), terminator: "")
            return
        }
        let specs = try targetSpecs(environment: ProcessInfo.processInfo.environment)
        try await RunDriver(probing: probing, reporting: reporting).run(specs)
    }

    /// The targets the arguments describe; every configuration error is a usage error (exit 2).
    func targetSpecs(environment env: [String: String]) throws -> [TargetSpec] {
        var secrets: [String] = []
        let headers = try header.map { h -> HTTPHeader in
            let parts = h.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts[0]
            let raw = parts.count > 1 ? parts[1] : ""
            let value: VariableExpansion.Result
            do {
                value = try VariableExpansion(environment: env).expand(raw)
            } catch {
                throw ValidationError("--header \(name): \(error)")
            }
            if TargetsFile.isCredentialHeader(name) {
                if value.variables.isEmpty && !value.text.isEmpty {
                    throw ValidationError("--header \(name) carries a credential: pass it through the environment, e.g. --header '\(name): ${MY_TOKEN}' (single quotes), or use --api-key-env")
                }
                secrets.append(value.text)
            }
            secrets += value.secretValues
            return HTTPHeader(name, value.text)
        }
        var key: String? = nil
        if let apiKeyEnv {
            do {
                key = try KeySource.key(variable: apiKeyEnv, upstream: nil, environment: env).key
            } catch {
                // A value that is not a variable name may be the key itself: never echo it.
                throw ValidationError(error == .notAVariable ? "--api-key-env: \(error.description) (the value given is not shown)"
                                                             : "--api-key-env \(apiKeyEnv): \(error.description)")
            }
        }
        func mode(_ fallback: TargetAuth) -> TargetAuth {
            var azure = AzureDeployments()
            if case .azure(let a) = fallback { azure = a }
            if let v = env[KnownUpstreams.azureAPIVersionEnv], !v.isEmpty { azure.apiVersion = v }
            if let apiVersion { azure.apiVersion = apiVersion }
            let chosen = auth.flatMap { TargetAuth.parse($0, azure: azure) } ?? fallback
            if case .azure = chosen { return .azure(azure) }
            return chosen
        }

        if let emulate {
            let names = emulate == "all" ? Personalities.all.map(\.name)
                                         : emulate.split(separator: ",").map { String($0) }
            return names.map { name in
                TargetSpec(name: name, emulate: name, model: model, embeddingModel: embeddingModel,
                           apiKeyEnv: apiKeyEnv, apiKey: key, auth: mode(.bearer), headers: headers, secrets: secrets)
            }
        }
        guard let baseURL else { return [] }
        if let upstream = KnownUpstreams.named(baseURL) {
            let base: String
            do {
                base = try Target.normalise(try upstream.resolvedBaseURL(environment: env))
            } catch let p as VariableExpansion.Problem {
                throw ValidationError("\(upstream.name): the base URL comes from the environment: \(p.description); or give the base URL instead of the name")
            }
            if apiKeyEnv == nil {
                do {
                    key = try KeySource.key(variable: nil, upstream: upstream, environment: env).key
                } catch {
                    throw ValidationError("\(error.description), or name another variable with --api-key-env")
                }
            }
            if model == nil {
                // The preflight picks the only chat model /models lists, or stops and lists them.
                Terminal.error("note: no --model given (e.g. --model \(upstream.exampleModel)); the preflight uses the only chat model GET /models lists, or lists them and stops\n")
            }
            return [TargetSpec(name: name ?? upstream.name, upstream: upstream.name, baseURL: base, model: model,
                               embeddingModel: embeddingModel, apiKeyEnv: apiKeyEnv ?? upstream.apiKeyEnv, apiKey: key,
                               auth: mode(upstream.resolvedAuth(environment: env)), headers: headers, secrets: secrets)]
        }
        let base: String
        do {
            base = try Target.normalise(baseURL)
        } catch {
            throw ValidationError("\(error); or name a known upstream: \(KnownUpstreams.names.joined(separator: ", "))")
        }
        // Named after the host and port, so two local servers probed apart do not collide in a merge.
        let url = URL(string: base)
        let hostPort = (url?.host ?? "target") + (url?.port.map { ":\($0)" } ?? "")
        return [TargetSpec(name: name ?? hostPort, baseURL: base, model: model,
                           embeddingModel: embeddingModel, apiKeyEnv: apiKeyEnv, apiKey: key, auth: mode(.bearer),
                           headers: headers, secrets: secrets)]
    }
}

/// `touchstone probe --list-upstreams`.
enum KnownUpstreamsTable {
    static func render() -> String {
        let rows = KnownUpstreams.all.map { u in
            [u.name, u.baseURL, u.apiKeyEnv.map { u.keyRequired ? $0 : "\($0) (optional)" } ?? "none", u.auth.label]
        }
        let header = ["name", "base URL", "key variable", "auth"]
        let widths = (0..<header.count).map { i in ([header] + rows).map { $0[i].count }.max()! + 2 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
