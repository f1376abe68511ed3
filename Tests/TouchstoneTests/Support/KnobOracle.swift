import TouchstoneCore
import TouchstoneEmulator

extension Knobs {
    /// The verdict features.md's rules give each feature of a server with these knobs.
    ///
    /// Derived from what the knobs make the emulator do (docs/emulator.md, "Behaviour"),
    /// never from running the prober: it is the oracle a random-knob test compares the
    /// prober's verdicts with. It assumes the probe requests features.md describes:
    /// - chat probes carry `max_tokens` as their cap (the `chat.max_completion_tokens` probe
    ///   carries `max_completion_tokens` instead);
    /// - tool prompts name the tools they want (`tools.basic`, `tools.parallel`, `tool_choice.none`),
    ///   and `tool_choice.required`/`named` prompts name none;
    /// - `tools.result_roundtrip` resends its tool definitions without `tool_choice`.
    func expectedVerdicts(embeddingModelConfigured: Bool) -> [String: Verdict] {
        var v: [String: Verdict] = [:]

        // A chat probe with a max_tokens cap gets a 2xx unless max_tokens itself is refused.
        let capAccepted = maxTokens != .reject
        /// The verdict of a chat probe that is refused (4xx) when the cap is.
        func chat(_ verdict: Verdict) -> Verdict { capAccepted ? verdict : .unsupported }

        // Endpoints and transport
        switch modelsList {
        case .standard, .singleWithMeta, .prefixedIDs: v["models.list"] = .supported
        case .bareArray, .modelsKeyOnly: v["models.list"] = .broken
        case .notFound: v["models.list"] = .unsupported
        }
        switch doubledSlash {
        case .accept, .redirect307: v["base_url.trailing_slash"] = capAccepted ? .supported : .broken
        case .notFound: v["base_url.trailing_slash"] = .unsupported
        }
        // "401 or 403 → supported, whatever the body (errors.envelope judges it); 2xx → ignored;
        // any other status → broken".
        switch auth {
        case .status401, .status403, .stringError401, .html401, .emptyBody401: v["auth.invalid_key_rejected"] = .supported
        case .ignoreKey: v["auth.invalid_key_rejected"] = capAccepted ? .ignored : .broken
        case .status400, .noConnectedDB400: v["auth.invalid_key_rejected"] = .broken
        }

        // Chat completions: the emulator's answers always have the basic shape and usage.
        v["chat.basic"] = chat(.supported)
        v["chat.usage"] = capAccepted ? .supported : .untested
        v["chat.system_message"] = chat(.supported)
        v["chat.multi_turn"] = chat(.supported)
        v["chat.max_tokens"] = Self.verdict(maxTokens)
        v["chat.max_completion_tokens"] = Self.verdict(maxCompletionTokens)
        if !capAccepted {
            v["chat.stop"] = .untested  // the control request is refused
        } else {
            switch stop {
            case .honor, .arrayOnly: v["chat.stop"] = .supported  // the probe sends an array
            case .ignore: v["chat.stop"] = .ignored
            case .reject: v["chat.stop"] = .unsupported
            }
        }
        switch n {
        case .honor: v["chat.n"] = chat(.supported)
        case .ignore: v["chat.n"] = chat(.ignored)
        case .reject: v["chat.n"] = .unsupported
        case .serverError500: v["chat.n"] = chat(.broken)
        }
        v["chat.logprobs"] = chat(Self.verdict(logprobs))
        switch reasoningEffort {
        case .validate: v["chat.reasoning_effort"] = chat(.supported)
        case .acceptAnything: v["chat.reasoning_effort"] = chat(.ignored)
        case .reject: v["chat.reasoning_effort"] = .unsupported
        }
        v["chat.image_input"] = chat(imageInput == .reject ? .unsupported : .supported)

        // Streaming
        // Cumulative `chat.completion` events, and Azure's filter event (`object: ""`, `id: ""`),
        // break "every payload is a chat.completion.chunk with one id" (docs/emulator.md).
        // An unrequested usage chunk with `choices: []` (usage always, in a chunk of its own)
        // breaks "every chunk has a non-empty choices".
        let emptyChoicesChunk = streamUsage == .always && usageChunkChoices == .empty
        let streamBasic: Verdict = chat(chunkStyle == .cumulative || filterChunk == .azure || emptyChoicesChunk
                                        ? .broken : .supported)
        v["stream.basic"] = streamBasic
        v["stream.done_sentinel"] = streamBasic != .supported ? .untested : (doneSentinel == .send ? .supported : .broken)
        v["stream.include_usage"] = streamBasic != .supported ? .untested : (streamUsage == .never ? .ignored : .supported)

        // Tools. The fake model under `auto` calls the tools the last user message names.
        let refusesAllTools = toolChoice == .toolsNeedJinja
        let refusesAuto = refusesAllTools || toolChoice == .autoNeedsFlag
        let refusesForced = refusesAllTools || toolChoice == .autoAndNoneOnly
        let forcedIgnored = toolChoice == .ignore || toolChoice == .toolsIgnored
        let forced: Verdict = refusesForced ? .unsupported : (forcedIgnored ? .ignored : .supported)

        v["tools.basic"] = chat(refusesAuto ? .unsupported : (toolChoice == .toolsIgnored ? .ignored : .supported))
        if refusesForced {
            v["tools.parallel"] = .unsupported
        } else if toolChoice == .toolsIgnored {
            v["tools.parallel"] = chat(.ignored)
        } else {
            // Under `ignore` the request acts as auto, and the prompt names both tools.
            v["tools.parallel"] = chat(parallelToolCalls == .on ? .supported : .ignored)
        }
        v["tools.result_roundtrip"] = chat(refusesAuto ? .unsupported : .supported)
        v["tool_choice.auto"] = chat(refusesAuto ? .unsupported : .supported)
        switch toolChoice {
        case .toolsNeedJinja: v["tool_choice.none"] = .unsupported
        case .ignore: v["tool_choice.none"] = chat(.ignored)  // auto: the prompt demands the tool
        default: v["tool_choice.none"] = chat(.supported)
        }
        v["tool_choice.required"] = chat(forced)
        v["tool_choice.named"] = chat(forced)
        if streamBasic != .supported || v["tool_choice.named"] != .supported && v["tool_choice.required"] != .supported {
            v["stream.tool_calls"] = .untested
        } else {
            switch toolStreaming {
            case .incremental, .whole, .finishStop, .repeatedID: v["stream.tool_calls"] = .supported
            case .noIndex, .emptyID: v["stream.tool_calls"] = .broken
            }
        }

        // Structured output
        switch jsonObject {
        case .enforce: v["response_format.json_object"] = chat(.supported)
        case .ignore: v["response_format.json_object"] = chat(.ignored)
        case .reject, .rejectLMStudio, .rejectTGI: v["response_format.json_object"] = .unsupported
        }
        switch jsonSchema {
        case .enforce: v["response_format.json_schema"] = chat(.supported)
        case .bestEffort, .ignore: v["response_format.json_schema"] = chat(.ignored)
        case .reject: v["response_format.json_schema"] = .unsupported
        }

        // Streamed structured output: the schema instance, delta by delta, when both bases hold.
        if streamBasic != .supported || v["response_format.json_schema"] != .supported {
            v["stream.response_format"] = .untested
        } else {
            v["stream.response_format"] = .supported
        }

        // Embeddings
        let embeddingIDs = ["embeddings.basic", "embeddings.batch", "embeddings.base64", "embeddings.dimensions"]
        if !embeddingModelConfigured {
            for id in embeddingIDs { v[id] = .untested }
        } else if embeddings == .notFound {
            v["embeddings.basic"] = .unsupported
            for id in embeddingIDs.dropFirst() { v[id] = .untested }
        } else {
            v["embeddings.basic"] = .supported
            v["embeddings.batch"] = embeddingsBatch == .allRows ? .supported : .broken
            v["embeddings.base64"] = Self.verdict(embeddingsBase64)
            v["embeddings.dimensions"] = Self.verdict(embeddingsDimensions)
        }

        // Responses API. No probe sends `text.format`: under `requiresTextFormat` every POST is a 400.
        switch responses {
        case .served: v["responses.basic"] = .supported
        case .notFound: v["responses.basic"] = .unsupported
        case .requiresTextFormat: v["responses.basic"] = .broken  // a 400 is "other" for this row
        }
        v["responses.tools"] = responses == .served ? Self.verdict(responsesTools) : .unsupported
        if v["responses.basic"] != .supported {
            for id in ["responses.stream", "responses.retrieve", "responses.previous_response"] { v[id] = .untested }
        } else {
            v["responses.stream"] = Self.verdict(responsesStream)  // a [DONE] after the close is only a quirk
            v["responses.retrieve"] = responsesStore == .stored ? .supported : .unsupported
            switch previousResponse {
            case .honor: v["responses.previous_response"] = responsesStore == .stored ? .supported : .unsupported
            case .ignore: v["responses.previous_response"] = .ignored
            case .reject: v["responses.previous_response"] = .unsupported
            }
        }

        // Other endpoints
        v["completions.legacy"] = completions == .served ? .supported : .unsupported

        // Errors. The model is checked before any parameter.
        // Decided only when the chat.basic request (with its max_tokens cap) got a 2xx.
        switch unknownModel {
        case _ where !capAccepted:
            v["errors.unknown_model"] = .untested
        case .notFound404, .badRequest400:
            // "404, 400 or 422 with an error body": an empty body is none.
            v["errors.unknown_model"] = errorDialect == .empty ? .broken : .supported
        case .ignore:
            v["errors.unknown_model"] = .ignored
        }
        v["errors.invalid_json"] = validationStatus == .serverError500 ? .broken : .supported
        v["errors.missing_messages"] = validationStatus == .serverError500 ? .broken : .supported
        // Refused as invalid requests: "400 or 422 with an error body"; decided only when the plain
        // chat.basic request is answered.
        let invalidRequest: Verdict = validationStatus == .serverError500 || errorDialect == .empty ? .broken : .supported
        v["errors.tool_choice_without_tools"] = !capAccepted ? .untested : (toolChoiceWithoutTools == .reject ? invalidRequest : .ignored)
        v["errors.invalid_role"] = !capAccepted ? .untested : (invalidRole == .reject ? invalidRequest : .ignored)
        // The invalid-JSON probe always draws an error in the dialect; the bogus-key probe
        // draws the auth body, which some auth knobs replace.
        let authBodyIsOpenAI: Bool
        switch auth {
        case .ignoreKey, .status401, .status403, .status400, .noConnectedDB400: authBodyIsOpenAI = true
        case .html401, .emptyBody401, .stringError401: authBodyIsOpenAI = false
        }
        v["errors.envelope"] = errorDialect.isOpenAIEnvelope && authBodyIsOpenAI ? .supported : .broken
        return v
    }

    static func verdict(_ policy: ParamPolicy) -> Verdict {
        switch policy {
        case .honor: .supported
        case .ignore: .ignored
        case .reject: .unsupported
        }
    }
}
