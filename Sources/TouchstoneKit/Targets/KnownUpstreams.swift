/// A hosted API or local server Touchstone knows by name: `touchstone probe groq --model …`
/// or `upstream: groq` in a targets file take its base URL, key variable and auth mode.
public struct KnownUpstream: Sendable {
    /// The name to use (`groq`, `llamacpp`); `aliases` are accepted too.
    public let name: String
    public let aliases: [String]
    /// How people call it (`Groq`, `llama.cpp llama-server`).
    public let title: String
    /// The default base URL; `${VAR}` parts come from the environment (Azure's endpoint).
    public let baseURL: String
    /// The environment variable the key is read from; nil when the server takes none.
    public let apiKeyEnv: String?
    /// True for hosted APIs: an unset key variable is an error. Local servers run without a
    /// key unless they were started with one; the variable is then read when set.
    public let keyRequired: Bool
    public let auth: TargetAuth
    /// A model id that worked when this table was written (documentation only: never a default).
    public let exampleModel: String
    public let notes: String

    /// Every name this upstream answers to, lower-cased.
    public var names: [String] { [name] + aliases }
}

public enum KnownUpstreams {
    /// The environment variable Azure's official clients read the API version from.
    public static let azureAPIVersionEnv = "OPENAI_API_VERSION"

    public static let all: [KnownUpstream] = [
        hosted("openai", "OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini",
               "embeddings: text-embedding-3-small"),
        KnownUpstream(name: "azure", aliases: ["azure-openai"], title: "Azure OpenAI (deployments)",
                      baseURL: "${AZURE_OPENAI_ENDPOINT}", apiKeyEnv: "AZURE_OPENAI_API_KEY", keyRequired: true,
                      auth: .azure(AzureDeployments()), exampleModel: "your deployment name",
                      notes: "base URL is the resource endpoint https://NAME.openai.azure.com; the model names the deployment; api-version from OPENAI_API_VERSION or \(AzureDeployments.defaultAPIVersion)"),
        KnownUpstream(name: "azure-v1", aliases: [], title: "Azure OpenAI (v1 API)",
                      baseURL: "${AZURE_OPENAI_ENDPOINT}/openai/v1", apiKeyEnv: "AZURE_OPENAI_API_KEY", keyRequired: true,
                      auth: .header("api-key"), exampleModel: "your deployment name",
                      notes: "the /openai/v1 API of newer resources: no deployment path, no api-version"),
        hosted("groq", "Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "llama-3.3-70b-versatile",
               "no embeddings"),
        hosted("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "openai/gpt-4o-mini",
               "provider/model ids"),
        hosted("together", "Together AI", "https://api.together.xyz/v1", "TOGETHER_API_KEY",
               "meta-llama/Llama-3.3-70B-Instruct-Turbo", "", aliases: ["togetherai"]),
        hosted("mistral", "Mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "mistral-small-latest",
               "embeddings: mistral-embed"),
        hosted("deepinfra", "DeepInfra", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY",
               "meta-llama/Llama-3.3-70B-Instruct", ""),
        hosted("cerebras", "Cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", "llama3.1-8b", ""),
        hosted("xai", "xAI", "https://api.x.ai/v1", "XAI_API_KEY", "grok-3-mini", "", aliases: ["x-ai"]),
        hosted("perplexity", "Perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY", "sonar",
               "no /v1 in the base URL"),
        hosted("cohere", "Cohere (compatibility API)", "https://api.cohere.ai/compatibility/v1", "COHERE_API_KEY",
               "command-r-plus", ""),
        hosted("gemini", "Google Gemini (OpenAI layer)", "https://generativelanguage.googleapis.com/v1beta/openai",
               "GEMINI_API_KEY", "gemini-2.0-flash", ""),
        hosted("nvidia", "NVIDIA NIM (hosted)", "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY",
               "meta/llama-3.1-8b-instruct", "self-hosted NIM: give its base URL, usually :8000/v1"),
        local("ollama", "Ollama", "http://127.0.0.1:11434/v1", nil, "llama3.2", "the key is ignored"),
        local("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1", nil, "the loaded model id", "",
              aliases: ["lm-studio"]),
        local("vllm", "vLLM", "http://127.0.0.1:8000/v1", "VLLM_API_KEY", "the served model name",
              "key only when started with --api-key"),
        local("llamacpp", "llama.cpp llama-server", "http://127.0.0.1:8080/v1", "LLAMA_API_KEY",
              "the --alias or file name /v1/models lists", "key only when started with --api-key",
              aliases: ["llama.cpp", "llama-cpp", "llama-server"]),
        local("litellm", "LiteLLM proxy", "http://127.0.0.1:4000/v1", "LITELLM_MASTER_KEY", "a model_list alias",
              "key only when a master_key is set"),
    ]

    /// The upstream called `name` (case-insensitive, aliases included), or nil.
    public static func named(_ name: String) -> KnownUpstream? {
        let n = name.lowercased()
        return all.first { $0.names.contains(n) }
    }

    /// Every accepted name, for messages.
    public static var names: [String] { all.map(\.name) }

    private static func hosted(_ name: String, _ title: String, _ base: String, _ key: String, _ model: String,
                               _ notes: String, aliases: [String] = []) -> KnownUpstream {
        KnownUpstream(name: name, aliases: aliases, title: title, baseURL: base, apiKeyEnv: key, keyRequired: true,
                      auth: .bearer, exampleModel: model, notes: notes)
    }

    private static func local(_ name: String, _ title: String, _ base: String, _ key: String?, _ model: String,
                              _ notes: String, aliases: [String] = []) -> KnownUpstream {
        KnownUpstream(name: name, aliases: aliases, title: title, baseURL: base, apiKeyEnv: key, keyRequired: false,
                      auth: .bearer, exampleModel: model, notes: notes)
    }
}

extension KnownUpstream {
    /// The base URL with its `${VAR}` parts taken from `environment`.
    public func resolvedBaseURL(environment: [String: String]) throws(VariableExpansion.Problem) -> String {
        try VariableExpansion(environment: environment).expand(baseURL).text
    }

    /// The auth mode, Azure's api-version taken from `OPENAI_API_VERSION` when it is set.
    public func resolvedAuth(environment: [String: String]) -> TargetAuth {
        guard case .azure(var settings) = auth else { return auth }
        if let v = environment[KnownUpstreams.azureAPIVersionEnv], !v.isEmpty { settings.apiVersion = v }
        return .azure(settings)
    }
}
