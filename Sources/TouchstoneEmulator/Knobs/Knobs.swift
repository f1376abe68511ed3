/// Everything an emulated upstream can do differently from the OpenAI API.
///
/// Each knob is an enum whose default (`Knobs()`) is the by-the-book behaviour of the
/// `reference` personality; a personality is a set of knobs. The struct is `Codable` as a flat
/// JSON object of knob name → case name (delays as integer milliseconds). Decoding is
/// lenient about missing keys (they keep the reference value, so a file can list only what
/// differs and later knobs, such as fault injection, can be added without breaking old
/// files) and strict about unknown keys (a typo is an error, not a silent default).
///
/// docs/emulator.md lists each knob, its values and the servers that behave so.
public struct Knobs: Sendable, Hashable {
    // MARK: Routing and transport

    /// Where the endpoints live.
    public var pathPrefix: PathPrefix = .v1
    /// What a path with a doubled or trailing slash (`/v1//chat/completions`) gets.
    public var doubledSlash: DoubledSlash = .accept
    /// The `Server` response header.
    public var serverHeader: ServerHeader = .touchstone
    /// `x-ratelimit-*` headers on every response.
    public var rateLimitHeaders: RateLimitHeaders = .none

    // MARK: Auth and errors

    /// What a missing or wrong key gets.
    public var auth: Auth = .status401
    /// The body family of every JSON error (auth variants with their own body excepted).
    public var errorDialect: ErrorDialect = .openaiStringCode
    /// Status of a body that is not JSON, or lacks `messages`/`model`/`input`.
    public var validationStatus: ValidationStatus = .badRequest400
    /// Status of a refused parameter (a `reject` policy, a wrong type with `.reject`).
    public var rejectStatus: RejectStatus = .badRequest400
    /// What a top-level request field the server does not know gets.
    public var unknownParams: UnknownParams = .reject400
    /// What a known field of the wrong type (`temperature: "hot"`) gets.
    public var wrongTypeParams: WrongTypeParams = .reject
    /// What a model id the server does not serve gets.
    public var unknownModel: UnknownModel = .notFound404

    // MARK: Chat parameters

    public var maxTokens: ParamPolicy = .honor
    public var maxCompletionTokens: ParamPolicy = .honor
    public var stop: StopPolicy = .honor
    public var n: NPolicy = .honor
    /// `logprobs` + `top_logprobs`.
    public var logprobs: ParamPolicy = .honor
    public var reasoningEffort: ReasoningEffortPolicy = .validate
    /// `image_url` content parts. `honor` and `ignore` both answer 200 (the fake model does not look).
    public var imageInput: ParamPolicy = .honor
    /// Where reasoning text goes when a request carries `reasoning_effort` (other than "none").
    public var reasoningField: ReasoningField = .none
    /// OpenAI's range and dependent-parameter checks, and its newer tool shapes.
    public var requestRules: RequestRules = .openai
    /// A message whose `role` is not one of OpenAI's (`"wizard"`).
    public var invalidRole: RequestCheck = .reject

    // MARK: Tools

    public var toolChoice: ToolChoicePolicy = .honor
    /// `tool_choice` in a request without `tools`.
    public var toolChoiceWithoutTools: RequestCheck = .reject
    /// Whether the model may call more than one tool in one message.
    public var parallelToolCalls: ParallelToolCalls = .on
    public var toolCallIDs: ToolCallIDStyle = .openai
    public var toolStreaming: ToolStreaming = .incremental

    // MARK: Streaming (SSE)

    public var doneSentinel: DoneSentinel = .send
    public var chunkStyle: ChunkStyle = .standard
    public var roleDelta: RoleDelta = .firstOnly
    public var sseComments: SSEComments = .none
    public var filterChunk: FilterChunk = .none
    public var streamUsage: StreamUsage = .onRequest
    public var usageChunkChoices: UsageChunkChoices = .empty

    // MARK: Structured output

    public var jsonObject: JSONObjectPolicy = .enforce
    public var jsonSchema: JSONSchemaPolicy = .enforce

    // MARK: Other endpoints

    public var modelsList: ModelsList = .standard
    /// Where the context window is advertised (OpenAI advertises none).
    public var contextLength: ContextAdvert = .none
    public var embeddings: Endpoint = .served
    public var embeddingsBatch: EmbeddingsBatch = .allRows
    /// `encoding_format: "base64"`.
    public var embeddingsBase64: ParamPolicy = .honor
    public var embeddingsDimensions: ParamPolicy = .honor
    public var responses: ResponsesEndpoint = .served
    /// `stream: true` on /responses: typed events (`honor`), a plain JSON answer (`ignore`), a refusal.
    public var responsesStream: ParamPolicy = .honor
    /// Function tools on /responses: called as `tool_choice` says (`honor`), never called (`ignore`), refused.
    public var responsesTools: ParamPolicy = .honor
    /// Whether answers are kept for `GET /responses/{id}` and `previous_response_id`.
    public var responsesStore: ResponsesStore = .stored
    /// `previous_response_id`: looked up (`honor`: unknown → 400), not read (`ignore`), refused.
    public var previousResponse: ParamPolicy = .honor
    /// `data: [DONE]` after the closing event of a Responses stream (OpenAI sends none).
    public var responsesDoneSentinel: DoneSentinel = .omit
    public var completions: Endpoint = .served

    // MARK: Latency (for benchmarks)

    /// Pause before every response (status line included).
    public var responseDelay: Delay = .none
    /// Pause between two SSE events of a stream.
    public var chunkDelay: Delay = .none

    // MARK: Capacity

    /// How many model requests are served at once, and what a queued one does to a running stream.
    public var slots: Slots = .many

    /// The reference: everything by the book.
    public init() {}

    /// Reference knobs changed by `body`.
    public init(_ body: (inout Knobs) -> Void) {
        body(&self)
    }
}

// MARK: - The knob enums

extension Knobs {
    public enum PathPrefix: String, KnobValue {
        /// `/v1/...` (most servers).
        case v1
        /// No prefix: `/chat/completions` (Perplexity). `/v1/...` is a 404.
        case none
        /// Both `/v1/...` and `/...` (llama.cpp, MLX, LiteLLM). Base URL uses `/v1`.
        case v1OrNone
        /// `/api/v1` (OpenRouter).
        case apiV1
        /// `/v1beta/openai` (Gemini).
        case v1betaOpenAI
        /// `/openai/v1` (Azure's v1 API).
        case openaiV1
        /// `/v1/openai` (DeepInfra).
        case v1OpenAI
        /// Azure OpenAI's classic data plane [AZ1, AZ2]: `/openai/deployments/{name}/chat/completions`
        /// (and `completions`, `embeddings`), `/openai/models`, `/openai/responses`, each needing
        /// `?api-version=` (without it: 404 "Resource not found"). Base URL: the host + `/openai`.
        /// Never picked by `random` (a plain client cannot reach it).
        case azureDeployments

        /// The prefixes served; the first one is the base URL's.
        var paths: [String] {
            switch self {
            case .v1: ["/v1"]
            case .none: [""]
            case .v1OrNone: ["/v1", ""]
            case .apiV1: ["/api/v1"]
            case .v1betaOpenAI: ["/v1beta/openai"]
            case .openaiV1: ["/openai/v1"]
            case .v1OpenAI: ["/v1/openai"]
            case .azureDeployments: ["/openai"]
            }
        }
    }

    public enum DoubledSlash: String, KnobValue {
        /// Served as the clean path.
        case accept
        /// 307 to the clean path (gin's trailing-slash redirect, Ollama).
        case redirect307
        /// 404 (exact-match routers: MLX).
        case notFound
    }

    public enum ServerHeader: String, KnobValue {
        case none, touchstone, uvicorn, openresty, cloudflare, llamaCpp, google, azure

        var value: String? {
            switch self {
            case .none: nil
            case .touchstone: "touchstone-emulator"
            case .uvicorn: "uvicorn"
            case .openresty: "openresty"
            case .cloudflare: "cloudflare"
            case .llamaCpp: "llama.cpp"
            case .google: "scaffolding on HTTPServer2"
            case .azure: "Microsoft-Azure-Application-Gateway/v2"
            }
        }
    }

    public enum RateLimitHeaders: String, KnobValue {
        case none
        /// `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`.
        case openai
        /// `x-ratelimit-remaining-{requests,tokens}` only.
        case azure
    }

    public enum Auth: String, KnobValue {
        /// Any key, or none, is accepted (Ollama, LM Studio, MLX).
        case ignoreKey
        /// 401 with an error body in the dialect (OpenAI).
        case status401
        /// 403 with an error body in the dialect (DeepInfra).
        case status403
        /// 400 with an error body in the dialect (Gemini, xAI).
        case status400
        /// 400 `"No connected db."` of type `no_db_connection` in the dialect (a LiteLLM proxy
        /// with a master key and no database).
        case noConnectedDB400
        /// 401 with an HTML page (Perplexity's openresty).
        case html401
        /// 401 with an empty body (TGI).
        case emptyBody401
        /// 401 `{"error":"Unauthorized"}` whatever the dialect (vLLM `--api-key`).
        case stringError401

        public var enforcesKey: Bool { self != .ignoreKey }
    }

    public enum ErrorDialect: String, KnobValue {
        /// `{"error":{"message","type","param","code":"<string>"}}`.
        case openaiStringCode
        /// `{"error":{"message","type","param","code":<int>}}` (vLLM, llama.cpp, OpenRouter).
        case openaiIntCode
        /// `{"error":{"message","type","param":null,"code":null}}` (Ollama).
        case openaiNullCode
        /// `{"error":"<string>"}` (LM Studio, MLX).
        case stringError
        /// `{"error":"<string>","error_type":"…"}` (TGI).
        case stringErrorWithType
        /// `{"detail":"…"}` (old DeepInfra, FastAPI defaults).
        case detail
        /// `{"object":"error","message","type","param","code"}` (Mistral).
        case topLevel
        /// `[{"error":{"code","message","status"}}]` (Gemini).
        case listWrapped
        /// `{"type","status","title","detail"}` as `application/problem+json` (NVIDIA hosted).
        case problemJSON
        /// `{"code":"<string>","error":"<string>"}` (xAI).
        case xaiFlat
        /// An HTML page.
        case html
        /// No body at all.
        case empty

        /// True when the body is the nested OpenAI envelope features.md's `errors.envelope` wants.
        public var isOpenAIEnvelope: Bool {
            switch self {
            case .openaiStringCode, .openaiIntCode, .openaiNullCode: true
            default: false
            }
        }
    }

    public enum ValidationStatus: String, KnobValue {
        case badRequest400, unprocessable422
        /// The body is not checked before use and the server fails (a 500).
        case serverError500

        var status: Int {
            switch self {
            case .badRequest400: 400
            case .unprocessable422: 422
            case .serverError500: 500
            }
        }
    }

    public enum RejectStatus: String, KnobValue {
        case badRequest400, unprocessable422

        var status: Int { self == .badRequest400 ? 400 : 422 }
    }

    public enum UnknownParams: String, KnobValue {
        case ignore, reject400, reject422
        /// Close the connection without a response.
        case dropConnection
    }

    public enum WrongTypeParams: String, KnobValue {
        /// A validation error (`validationStatus`).
        case reject
        /// Close the connection without a response (MLX).
        case dropConnection
    }

    public enum UnknownModel: String, KnobValue {
        case notFound404, badRequest400
        /// Answer with the one loaded model (single-model servers).
        case ignore
    }

    public enum ParamPolicy: String, KnobValue {
        /// Do what the parameter asks.
        case honor
        /// Accept it (2xx) and act as if it were absent.
        case ignore
        /// Refuse the request (`rejectStatus`, an error naming the parameter).
        case reject
    }

    public enum StopPolicy: String, KnobValue {
        case honor, ignore, reject
        /// Honoured as an array; a plain string is refused (TGI).
        case arrayOnly
    }

    public enum NPolicy: String, KnobValue {
        case honor, ignore, reject
        /// n > 1 fails with a 500 (llama.cpp "Only one completion choice is allowed").
        case serverError500
    }

    public enum ReasoningEffortPolicy: String, KnobValue {
        /// Known levels accepted, anything else refused.
        case validate
        /// Any value accepted.
        case acceptAnything
        /// The parameter itself is refused.
        case reject
    }

    public enum ReasoningField: String, KnobValue {
        case none
        /// `message.reasoning_content` / `delta.reasoning_content`.
        case reasoningContent
        /// `message.reasoning` / `delta.reasoning`.
        case reasoning
        /// `<think>…</think>` inline at the start of the content.
        case thinkTags
    }

    public enum RequestRules: String, KnobValue {
        /// As OpenAI: 400 for `temperature`, `top_p`, `presence_penalty`, `frequency_penalty` out
        /// of range, `stream_options` without `stream: true`, `parallel_tool_calls` without
        /// `tools`; `tool_choice: {"type": "allowed_tools"}` and `{"type": "custom"}` tools accepted.
        case openai
        /// None of those checks; `allowed_tools` and custom tools refused (`rejectStatus`).
        case lenient
    }

    public enum ToolChoicePolicy: String, KnobValue {
        /// auto / none / required / named as specified.
        case honor
        /// tool_choice is ignored: every request behaves as `auto` (Ollama, MLX).
        case ignore
        /// `auto` (or tool_choice omitted with tools) → 400 naming `--enable-auto-tool-choice` (vLLM).
        case autoNeedsFlag
        /// Any request with tools → 400 naming `--jinja` (llama.cpp without `--jinja`).
        case toolsNeedJinja
        /// Only auto and none; required and named → 400 (Cerebras).
        case autoAndNoneOnly
        /// Tools are accepted and never called.
        case toolsIgnored
    }

    public enum ParallelToolCalls: String, KnobValue { case on, off }

    public enum ToolCallIDStyle: String, KnobValue {
        /// `call_` + 24 alphanumerics.
        case openai
        /// 9 alphanumerics (Mistral).
        case nineAlphanumeric
    }

    public enum ToolStreaming: String, KnobValue {
        /// First delta: index, id, type, name, arguments ""; then fragments with index only.
        case incremental
        /// Each call whole in one delta, with index and id (Ollama, Mistral, MLX).
        case whole
        /// Each call whole, without `index`, and finish_reason "stop" (Gemini).
        case noIndex
        /// Incremental with `id: ""`.
        case emptyID
        /// Incremental with finish_reason "stop" instead of "tool_calls".
        case finishStop
        /// Incremental with index and id on every delta and the role repeated (TGI).
        case repeatedID
    }

    public enum DoneSentinel: String, KnobValue { case send, omit }

    public enum ChunkStyle: String, KnobValue {
        /// `chat.completion.chunk` deltas.
        case standard
        /// Cumulative `chat.completion` objects, usage in every event (Perplexity).
        case cumulative
    }

    public enum RoleDelta: String, KnobValue {
        case firstOnly
        /// `role: "assistant"` in every delta (MLX, TGI).
        case everyDelta
    }

    public enum SSEComments: String, KnobValue {
        case none
        /// `: keepalive` comment lines (llama.cpp, TGI, MLX).
        case keepAlive
        /// `: OPENROUTER PROCESSING` comment lines.
        case openRouterProcessing
    }

    public enum FilterChunk: String, KnobValue {
        case none
        /// A first event with `choices: []` and `prompt_filter_results` (Azure).
        case azure
    }

    public enum StreamUsage: String, KnobValue {
        case never
        /// When `stream_options.include_usage` is true.
        case onRequest
        case always
    }

    public enum UsageChunkChoices: String, KnobValue {
        /// A chunk of its own with `choices: []`. Without `include_usage` (`streamUsage: always`)
        /// this breaks `stream.basic`: a client reading `chunk.choices[0]` crashes on it.
        case empty
        /// A chunk of its own with `choices: [{"index":0,"delta":{},"finish_reason":null}]` (LiteLLM).
        case nonempty
        /// No chunk of its own: usage on the last finish_reason chunk, beside its choice (Mistral).
        case finishChunk
    }

    public enum Slots: String, KnobValue {
        /// Every request is served at once.
        case many
        /// One slot, like `llama-server -np 1`: a model request (chat, completions, embeddings,
        /// responses) that arrives while the slot is taken waits for it (no 503), and a streamed
        /// answer holding the slot is ended at once with `data: [DONE]` and no finish_reason
        /// when another request queues. `GET /props` is not served.
        case one
        /// `one`, and `GET /props` (at the server root) advertises `total_slots: 1` as llama.cpp does.
        case oneAdvertised
    }

    public enum JSONObjectPolicy: String, KnobValue {
        case enforce, ignore
        /// `rejectStatus` with a generic message.
        case reject
        /// 400 "'response_format.type' must be 'json_schema' or 'text'" (LM Studio).
        case rejectLMStudio
        /// 422 "missing field `value`" (TGI).
        case rejectTGI
    }

    public enum JSONSchemaPolicy: String, KnobValue {
        /// Content is an instance of the schema.
        case enforce
        /// Content is some JSON object that ignores the schema.
        case bestEffort
        /// Content is plain text.
        case ignore
        case reject
    }

    public enum ModelsList: String, KnobValue {
        /// `{"object":"list","data":[{id,object,created,owned_by}]}`.
        case standard
        /// One entry, with a `meta` object (llama.cpp).
        case singleWithMeta
        /// `[{id,…}]` without the list wrapper.
        case bareArray
        /// `{"models":[…]}` only (Ollama's native shape).
        case modelsKeyOnly
        /// Standard list with ids like `models/<id>` (Gemini).
        case prefixedIDs
        /// 404.
        case notFound
    }

    public enum Endpoint: String, KnobValue { case served, notFound }

    public enum ContextAdvert: String, KnobValue {
        case none
        /// `context_length` in each /models entry (OpenRouter).
        case modelsContextLength
        /// `max_model_len` in each /models entry (vLLM).
        case modelsMaxModelLen
        /// `GET /props` at the server root with `default_generation_settings.n_ctx` (llama.cpp).
        case props

        /// The window the emulator advertises.
        static let window = 4096
    }

    public enum ResponsesEndpoint: String, KnobValue {
        case served, notFound
        /// 400 unless the request has `text.format` (LM Studio).
        case requiresTextFormat
    }

    public enum ResponsesStore: String, KnobValue {
        /// Kept in memory (the last 1,000), unless the request says `store: false`.
        case stored
        /// Never kept: `GET /responses/{id}` is a 404 and every `previous_response_id` is unknown.
        case notStored
    }

    public enum RequestCheck: String, KnobValue {
        /// Refused as an invalid request (`validationStatus`, in the error dialect).
        case reject
        /// Answered as if the offending part were absent.
        case accept
    }

    public enum EmbeddingsBatch: String, KnobValue {
        case allRows
        /// Only the first input gets a row.
        case firstRowOnly
    }

    /// A pause in milliseconds. Coded as an integer (0 = none).
    public enum Delay: Sendable, Hashable, Codable, CustomStringConvertible {
        case none
        case milliseconds(Int)

        public var milliseconds: Int {
            switch self {
            case .none: 0
            case .milliseconds(let ms): max(0, ms)
            }
        }

        public init(from decoder: any Decoder) throws {
            let ms = try decoder.singleValueContainer().decode(Int.self)
            self = ms > 0 ? .milliseconds(ms) : .none
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(milliseconds)
        }

        public var description: String { "\(milliseconds)ms" }
    }
}

/// What every knob enum is: a closed set of named behaviours, coded by name.
public protocol KnobValue: Sendable, Hashable, Codable, CaseIterable, RawRepresentable where RawValue == String {}
