import ArgumentParser
import TouchstoneKit

/// The target `probe` describes with flags; the library reads them as a targets file's entry
/// (`CommandLineTarget`).
struct TargetOptions: ParsableArguments {
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

    func validate() throws {
        for h in header where !h.contains(":") { throw ValidationError("--header takes `Name: value`, got `\(h)`") }
        if let auth, TargetAuth.parse(auth) == nil {
            throw ValidationError("--auth: unknown mode `\(auth)`; use one of \(TargetAuth.spellings.joined(separator: ", "))")
        }
        if let apiKeyEnv, !VariableExpansion.isName(Substring(apiKeyEnv)) {
            // A value that is not a variable name may be the key itself: never echo it.
            throw ValidationError("--api-key-env: \(KeySource.Problem.notAVariable.description) (the value given is not shown)")
        }
    }

    /// The flags as the library reads them; `all` means every personality of `allPersonalities`.
    func target(name: String?, allPersonalities: [String]) -> CommandLineTarget {
        let personalities = emulate.map { $0 == "all" ? allPersonalities : $0.split(separator: ",").map(String.init) } ?? []
        return CommandLineTarget(target: baseURL, emulate: personalities, name: name, model: model,
                                 embeddingModel: embeddingModel, apiKeyEnv: apiKeyEnv, auth: auth, apiVersion: apiVersion,
                                 headers: header)
    }
}
