import Foundation
import TouchstoneCore

/// Capability presets (`touchstone.presets/v1`, docs/presets.md): what each probed upstream
/// can do, in a form other software reads, with where that knowledge came from.
///
/// Every capability is derived from verdicts and quirks of a report, never guessed:
/// a boolean is `true` when the feature is `supported`, `false` when it is `unsupported`,
/// `ignored` or `broken`, and absent when it is `untested` or was not probed.
public struct PresetDocument: Codable, Sendable, Equatable {
    public static let schemaID = "touchstone.presets/v1"

    public var schema: String
    /// The tool that wrote this document (`touchstone 0.1.0`).
    public var generator: String
    public var upstreams: [Preset]

    public init(generator: String, upstreams: [Preset]) {
        self.schema = PresetDocument.schemaID
        self.generator = generator
        self.upstreams = upstreams
    }
}

/// One upstream: how to reach it, what it can do, and where that came from.
public struct Preset: Codable, Sendable, Equatable {
    public var name: String
    public var baseURL: String
    public var auth: Auth
    public var model: String?
    public var embeddingModel: String?
    public var capabilities: Capabilities
    /// Every verdict of the report for this upstream, by feature id (the evidence behind each
    /// capability; the report itself holds the details).
    public var features: SortedMap<Verdict>
    public var provenance: Provenance

    enum CodingKeys: String, CodingKey {
        case name
        case baseURL = "base_url"
        case auth, model
        case embeddingModel = "embedding_model"
        case capabilities, features, provenance
    }

    public struct Auth: Codable, Sendable, Equatable {
        /// How to send the key, as the report recorded it: `bearer`, `api-key`, `x-api-key`,
        /// `header:NAME`, `azure` or `none`. From a report that did not record it (older
        /// versions), the bogus-key probe's reading: `bearer` (refused), `none` (accepted) or
        /// `unknown`.
        public var mode: String
        /// Whether the upstream checks keys: true when a bogus key was refused, false when it was
        /// accepted, absent when the probe could not tell (`auth.invalid_key_rejected`).
        public var keyChecked: Bool?
        /// The status a bogus key got (quirk `auth_failure_status`).
        public var failureStatus: Int?
        /// The environment variable a consumer should read the key from, when one was given to
        /// `touchstone presets --api-key-env`.
        public var apiKeyEnv: String?
        /// Azure (`mode: azure`): the `api-version` probed with, and the configured deployments
        /// (absent: the model names the deployment).
        public var apiVersion: String?
        public var deployment: String?
        public var embeddingDeployment: String?

        public init(mode: String, keyChecked: Bool? = nil, failureStatus: Int? = nil, apiKeyEnv: String? = nil,
                    apiVersion: String? = nil, deployment: String? = nil, embeddingDeployment: String? = nil) {
            self.mode = mode
            self.keyChecked = keyChecked
            self.failureStatus = failureStatus
            self.apiKeyEnv = apiKeyEnv
            self.apiVersion = apiVersion
            self.deployment = deployment
            self.embeddingDeployment = embeddingDeployment
        }

        enum CodingKeys: String, CodingKey {
            case mode
            case keyChecked = "key_checked"
            case failureStatus = "failure_status"
            case apiKeyEnv = "api_key_env"
            case apiVersion = "api_version"
            case deployment
            case embeddingDeployment = "embedding_deployment"
        }
    }

    public struct Capabilities: Codable, Sendable, Equatable {
        /// `responses` when the Responses API answers and streams (`responses.basic` and
        /// `responses.stream` supported), else `chat_completions`.
        public var preferredAPI: String
        /// The context window the upstream advertises for the model (quirk `context_length`).
        public var contextWindow: Int?
        public var chat: Bool?
        public var systemMessage: Bool?
        public var multiTurn: Bool?
        public var maxTokens: Bool?
        public var maxCompletionTokens: Bool?
        public var stop: Bool?
        public var n: Bool?
        public var logprobs: Bool?
        public var imageInput: Bool?
        public var reasoningEffort: Bool?
        /// Where reasoning text arrives (quirk `reasoning_field`).
        public var reasoningField: String?
        public var usage: Bool?

        public var tools: Bool?
        /// `tool_choice` values that are honoured, among `auto`, `none`, `required`, `named`.
        public var toolChoice: [String]
        /// `tool_choice` values that are accepted but not enforced: do not rely on them.
        public var toolChoiceIgnored: [String]
        public var parallelToolCalls: Bool?
        public var toolResultRoundtrip: Bool?
        /// Tools were refused with a message naming a server flag (`--jinja`, `--enable-auto-tool-choice`).
        public var toolsNeedServerFlag: Bool?

        public var streaming: Bool?
        public var streamDoneSentinel: Bool?
        public var streamToolCalls: Bool?
        /// Structured output (json_schema) honoured when streamed.
        public var streamResponseFormat: Bool?
        /// `incremental` or `whole` (quirk `tool_call_streaming`).
        public var toolCallStreaming: String?
        /// `on_request`, `always`, `never` or `unknown`.
        public var usageInStream: String
        /// True when usage is streamed only with `stream_options: {include_usage: true}`.
        public var usageInStreamNeedsStreamOptions: Bool?

        public var jsonObject: Bool?
        public var jsonSchemaStrict: Bool?

        public var embeddings: Embeddings

        public var responsesAPI: Bool?
        public var responsesStream: Bool?
        /// True when a Responses stream ends with `data: [DONE]` after `response.completed`
        /// (quirk `responses_done_sentinel`; OpenAI sends none).
        public var responsesDoneSentinel: Bool?
        public var responsesTools: Bool?
        /// `GET /responses/{id}` returns stored responses.
        public var responsesRetrieve: Bool?
        /// `previous_response_id` is read (a bogus one is refused).
        public var responsesPreviousResponse: Bool?
        public var legacyCompletions: Bool?
        public var modelsEndpoint: Bool?
        /// `accepted`, `redirect`, `not_found` or `unknown`: what a doubled slash after the base URL gets.
        public var trailingSlash: String
        /// `ignored` or `rejected` (quirk `unknown_params`).
        public var unknownParams: String?
        public var errors: Errors
        /// Rate-limit header names seen (quirk `rate_limit_headers`).
        public var rateLimitHeaders: [String]

        public struct Embeddings: Codable, Sendable, Equatable {
            public var supported: Bool?
            public var batch: Bool?
            public var base64: Bool?
            public var dimensions: Bool?
        }

        public struct Errors: Codable, Sendable, Equatable {
            /// Error body dialect (quirk `error_envelope`, or `openai` when `errors.envelope` is supported).
            public var envelope: String?
            /// True when every error had the OpenAI `{"error": {"message": …}}` envelope.
            public var openaiEnvelope: Bool?
            /// Type of `error.code` (quirk `error_code_type`).
            public var codeType: String?
            public var unknownModelRejected: Bool?
            public var invalidJSONRejected: Bool?
            public var missingMessagesRejected: Bool?
            public var toolChoiceWithoutToolsRejected: Bool?
            public var invalidRoleRejected: Bool?

            enum CodingKeys: String, CodingKey {
                case envelope
                case openaiEnvelope = "openai_envelope"
                case codeType = "code_type"
                case unknownModelRejected = "unknown_model_rejected"
                case invalidJSONRejected = "invalid_json_rejected"
                case missingMessagesRejected = "missing_messages_rejected"
                case toolChoiceWithoutToolsRejected = "tool_choice_without_tools_rejected"
                case invalidRoleRejected = "invalid_role_rejected"
            }
        }

        // In declaration order, which is the order YAML is written in.
        enum CodingKeys: String, CodingKey {
            case preferredAPI = "preferred_api"
            case contextWindow = "context_window"
            case chat
            case systemMessage = "system_message"
            case multiTurn = "multi_turn"
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case stop, n, logprobs
            case imageInput = "image_input"
            case reasoningEffort = "reasoning_effort"
            case reasoningField = "reasoning_field"
            case usage, tools
            case toolChoice = "tool_choice"
            case toolChoiceIgnored = "tool_choice_ignored"
            case parallelToolCalls = "parallel_tool_calls"
            case toolResultRoundtrip = "tool_result_roundtrip"
            case toolsNeedServerFlag = "tools_need_server_flag"
            case streaming
            case streamDoneSentinel = "stream_done_sentinel"
            case streamToolCalls = "stream_tool_calls"
            case streamResponseFormat = "stream_response_format"
            case toolCallStreaming = "tool_call_streaming"
            case usageInStream = "usage_in_stream"
            case usageInStreamNeedsStreamOptions = "usage_in_stream_needs_stream_options"
            case jsonObject = "json_object"
            case jsonSchemaStrict = "json_schema_strict"
            case embeddings
            case responsesAPI = "responses_api"
            case responsesStream = "responses_stream"
            case responsesDoneSentinel = "responses_done_sentinel"
            case responsesTools = "responses_tools"
            case responsesRetrieve = "responses_retrieve"
            case responsesPreviousResponse = "responses_previous_response"
            case legacyCompletions = "legacy_completions"
            case modelsEndpoint = "models_endpoint"
            case trailingSlash = "trailing_slash"
            case unknownParams = "unknown_params"
            case errors
            case rateLimitHeaders = "rate_limit_headers"
        }
    }

    public struct Provenance: Codable, Sendable, Equatable {
        /// The tool that probed (`touchstone 0.1.0`).
        public var tool: String
        public var reportSchema: String
        /// When the probe ran (the report's `started_at` and `finished_at`).
        public var probedAt: String
        public var finishedAt: String
        public var partial: Bool
        /// The upstream's `Server` header (quirk `server`).
        public var server: String?
        public var model: String?
        /// The report file the preset was made from, when known.
        public var report: String?
        /// JSON pointer to this upstream inside that report (`/targets/2`).
        public var pointer: String

        enum CodingKeys: String, CodingKey {
            case tool
            case reportSchema = "report_schema"
            case probedAt = "probed_at"
            case finishedAt = "finished_at"
            case partial, server, model, report, pointer
        }
    }
}

/// A string-keyed map that always encodes its keys sorted (YAML and JSON alike), so the same
/// presets give the same bytes.
public struct SortedMap<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var values: [String: Value]

    public init(_ values: [String: Value]) { self.values = values }

    public subscript(_ key: String) -> Value? { values[key] }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var values: [String: Value] = [:]
        for key in c.allKeys { values[key.stringValue] = try c.decode(Value.self, forKey: key) }
        self.values = values
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for key in values.keys.sorted() { try c.encode(values[key]!, forKey: Key(stringValue: key)) }
    }
}

public enum PresetBuilder {
    /// One source report with its file name (for provenance; nil when not from a file).
    public struct Source: Sendable {
        public var report: Report
        public var file: String?
        public init(report: Report, file: String? = nil) {
            self.report = report
            self.file = file
        }
    }

    /// Builds the presets of every target of every report. Target names must be unique across
    /// the reports (merge shards first). `apiKeyEnv` maps a target name (or `*` for every
    /// target) to the environment variable holding its key.
    public static func document(_ sources: [Source], apiKeyEnv: [String: String] = [:],
                                generator: String) throws -> PresetDocument {
        var seen: [String: String] = [:]
        var upstreams: [Preset] = []
        for source in sources {
            for (index, target) in source.report.targets.enumerated() where !target.notProbed {
                let from = source.file ?? "a report"
                if let other = seen[target.name] {
                    throw PresetError("target `\(target.name)` appears in \(other) and in \(from); presets need unique names (merge shards with `touchstone merge` first)")
                }
                seen[target.name] = from
                upstreams.append(preset(target, index: index, report: source.report, file: source.file,
                                        apiKeyEnv: apiKeyEnv[target.name] ?? apiKeyEnv["*"]))
            }
        }
        return PresetDocument(generator: generator, upstreams: upstreams)
    }

    /// The targets `document` leaves out because the preflight stopped them (configuration
    /// error: nothing is known about them), each with why.
    public static func skipped(_ sources: [Source]) -> [String] {
        sources.flatMap { source in
            source.report.targets.filter(\.notProbed).map { t in
                "\(t.name): not probed (configuration error: \(t.preflight?.summary ?? "see the report"))"
            }
        }
    }

    public static func preset(_ t: TargetReport, index: Int, report: Report, file: String?,
                              apiKeyEnv: String?) -> Preset {
        func flag(_ id: String) -> Bool? {
            switch t.features[id]?.verdict {
            case .supported: true
            case .unsupported, .ignored, .broken: false
            case .untested, nil: nil
            }
        }
        func quirk(_ key: String) -> String? {
            guard let v = t.quirks[key] else { return nil }
            return JUnitWriter.compact(v)
        }
        func quirkBool(_ key: String) -> Bool? {
            switch t.quirks[key] {
            case .bool(let b)?: b
            case .string(let s)?: s == "true" ? true : (s == "false" ? false : nil)
            default: nil
            }
        }
        let modes = ["auto", "none", "required", "named"]
        let keyChecked: Bool? = switch t.features["auth.invalid_key_rejected"]?.verdict {
        case .supported: true
        case .ignored: false
        default: nil
        }
        let authMode = t.auth ?? keyChecked.map { $0 ? "bearer" : "none" } ?? "unknown"
        let failureStatus: Int? = if case .int(let n)? = t.quirks["auth_failure_status"] { n } else { nil }

        let usageInStream: String = quirk("usage_in_stream") ?? {
            switch t.features["stream.include_usage"]?.verdict {
            case .supported: "on_request"
            case .ignored, .unsupported: "never"
            default: "unknown"
            }
        }()
        let trailingSlash: String = quirk("trailing_slash") ?? {
            switch t.features["base_url.trailing_slash"]?.verdict {
            case .supported: "accepted"
            case .unsupported: "not_found"
            default: "unknown"
            }
        }()
        let envelope: String? = quirk("error_envelope")
            ?? (t.features["errors.envelope"]?.verdict == .supported ? "openai" : nil)
        let rateLimitHeaders: [String] = switch t.quirks["rate_limit_headers"] {
        case .array(let items)?: items.map(JUnitWriter.compact).sorted()
        case .string(let s)?: s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
        default: []
        }

        let responsesFirst = t.features["responses.basic"]?.verdict == .supported
            && t.features["responses.stream"]?.verdict == .supported
        let contextWindow: Int? = if case .int(let n)? = t.quirks["context_length"], n > 0 { n } else { nil }
        let caps = Preset.Capabilities(
            preferredAPI: responsesFirst ? "responses" : "chat_completions", contextWindow: contextWindow,
            chat: flag("chat.basic"), systemMessage: flag("chat.system_message"), multiTurn: flag("chat.multi_turn"),
            maxTokens: flag("chat.max_tokens"), maxCompletionTokens: flag("chat.max_completion_tokens"),
            stop: flag("chat.stop"), n: flag("chat.n"), logprobs: flag("chat.logprobs"),
            imageInput: flag("chat.image_input"), reasoningEffort: flag("chat.reasoning_effort"),
            reasoningField: quirk("reasoning_field"), usage: flag("chat.usage"),
            tools: flag("tools.basic"),
            toolChoice: modes.filter { t.features["tool_choice.\($0)"]?.verdict == .supported },
            toolChoiceIgnored: modes.filter { t.features["tool_choice.\($0)"]?.verdict == .ignored },
            parallelToolCalls: flag("tools.parallel"), toolResultRoundtrip: flag("tools.result_roundtrip"),
            toolsNeedServerFlag: quirkBool("tools_need_server_flag"),
            streaming: flag("stream.basic"), streamDoneSentinel: flag("stream.done_sentinel"),
            streamToolCalls: flag("stream.tool_calls"), streamResponseFormat: flag("stream.response_format"),
            toolCallStreaming: quirk("tool_call_streaming"),
            usageInStream: usageInStream,
            usageInStreamNeedsStreamOptions: usageInStream == "unknown" ? nil : usageInStream == "on_request",
            jsonObject: flag("response_format.json_object"), jsonSchemaStrict: flag("response_format.json_schema"),
            embeddings: .init(supported: flag("embeddings.basic"), batch: flag("embeddings.batch"),
                              base64: flag("embeddings.base64"), dimensions: flag("embeddings.dimensions")),
            responsesAPI: flag("responses.basic"), responsesStream: flag("responses.stream"),
            responsesDoneSentinel: flag("responses.stream") == true ? quirkBool("responses_done_sentinel") ?? false : nil,
            responsesTools: flag("responses.tools"), responsesRetrieve: flag("responses.retrieve"),
            responsesPreviousResponse: flag("responses.previous_response"), legacyCompletions: flag("completions.legacy"),
            modelsEndpoint: flag("models.list"), trailingSlash: trailingSlash,
            unknownParams: quirk("unknown_params"),
            errors: .init(envelope: envelope, openaiEnvelope: flag("errors.envelope"),
                          codeType: quirk("error_code_type"), unknownModelRejected: flag("errors.unknown_model"),
                          invalidJSONRejected: flag("errors.invalid_json"),
                          missingMessagesRejected: flag("errors.missing_messages"),
                          toolChoiceWithoutToolsRejected: flag("errors.tool_choice_without_tools"),
                          invalidRoleRejected: flag("errors.invalid_role")),
            rateLimitHeaders: rateLimitHeaders)

        return Preset(
            name: t.name, baseURL: t.baseURL,
            auth: .init(mode: authMode, keyChecked: keyChecked, failureStatus: failureStatus, apiKeyEnv: apiKeyEnv,
                        apiVersion: t.apiVersion, deployment: t.deployment, embeddingDeployment: t.embeddingDeployment),
            model: t.model, embeddingModel: t.embeddingModel, capabilities: caps,
            features: SortedMap(t.features.mapValues(\.verdict)),
            provenance: .init(tool: "\(report.tool.name) \(report.tool.version)", reportSchema: report.schema,
                              probedAt: report.startedAt, finishedAt: report.finishedAt, partial: report.partial,
                              server: quirk("server"), model: t.model, report: file, pointer: "/targets/\(index)"))
    }
}

public struct PresetError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
