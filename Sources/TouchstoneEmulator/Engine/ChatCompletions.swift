import TouchstoneCore

/// `POST /chat/completions`: checks the request against the knobs, then answers with the fake
/// model, as one JSON object or as an SSE stream.
struct ChatCompletions {
    let emulator: Emulator
    let body: JSONValue
    var knobs: Knobs { emulator.knobs }

    /// Every top-level field of OpenAI's chat request; anything else is "unknown".
    static let knownFields: Set<String> = [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature",
        "top_p", "n", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
        "user", "seed", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort",
        "functions", "function_call", "metadata", "store", "service_tier", "modalities", "audio", "prediction",
        "web_search_options", "safety_identifier", "prompt_cache_key", "verbosity",
    ]

    /// The JSON types each typed field accepts (null is always accepted).
    static let fieldTypes: [String: Set<String>] = [
        "model": ["string"], "messages": ["array"], "stream": ["boolean"], "stream_options": ["object"],
        "max_tokens": ["integer"], "max_completion_tokens": ["integer"], "temperature": ["integer", "number"],
        "top_p": ["integer", "number"], "n": ["integer"], "stop": ["string", "array"],
        "presence_penalty": ["integer", "number"], "frequency_penalty": ["integer", "number"],
        "logprobs": ["boolean"], "top_logprobs": ["integer"], "user": ["string"], "seed": ["integer"],
        "tools": ["array"], "tool_choice": ["string", "object"], "parallel_tool_calls": ["boolean"],
        "response_format": ["object"], "reasoning_effort": ["string"],
    ]

    /// What the model will produce.
    enum Output {
        case text(String)
        case toolCalls([(name: String, arguments: String)])
    }

    func reply() throws -> Reply {
        let fields = body.objectValue ?? [:]

        // Unknown fields, then field types.
        if let unknown = fields.keys.sorted().first(where: { !Self.knownFields.contains($0) }) {
            let message = "Unrecognized request argument supplied: \(unknown)"
            switch knobs.unknownParams {
            case .ignore: break
            case .reject400: throw APIError(400, message, code: "unknown_parameter", param: unknown)
            case .reject422: throw APIError(422, "Extra inputs are not permitted: \(unknown)", code: "extra_forbidden", param: unknown)
            case .dropConnection: throw Emulator.DropConnection()
            }
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !value.isNull {
            guard let allowed = Self.fieldTypes[key], !allowed.contains(value.typeName) else { continue }
            if knobs.wrongTypeParams == .dropConnection { throw Emulator.DropConnection() }
            throw APIError.invalid("Invalid type for '\(key)': expected \(allowed.sorted().joined(separator: " or ")), got \(value.typeName).",
                                   param: key, knobs: knobs)
        }

        // Required fields.
        guard let messages = body["messages"]?.arrayValue else {
            throw APIError.invalid("'messages' is a required property", param: "messages", knobs: knobs)
        }
        guard !messages.isEmpty else {
            throw APIError.invalid("'messages' must contain at least one message", param: "messages", knobs: knobs)
        }
        try checkRoles(messages)
        let model = try emulator.checkModel(emulator.requiredModel(body), serves: emulator.chatModel)

        // OpenAI's range and dependent-parameter rules (the `requestRules` knob).
        try RequestRules(knobs: knobs, body: body).check(endpoint: .chat)

        // Parameters, each under its policy.
        let cap = try tokenCap()
        let stops = try stopStrings()
        let n = try emulator.choiceCount(body)
        let topLogprobs = try logprobCount()
        let reasoning = try reasoningRequested()
        try checkImages(messages)
        let format = try outputFormat()
        try checkToolChoiceHasTools()
        let calls = try ToolPlanner(knobs: knobs, body: body, messages: messages).plan()

        // Generation.
        let reasoningText = reasoning && knobs.reasoningField != .none ? FakeModel.reasoning : nil
        var answer: String
        switch format {
        case .text: answer = FakeModel.sentence
        case .jsonObject: answer = FakeModel.spacedJSON(FakeModel.jsonObjectAnswer)
        case .bestEffort: answer = FakeModel.spacedJSON(FakeModel.bestEffortAnswer)
        case .schema(let schema): answer = FakeModel.spacedJSON(SchemaInstance.generate(schema))
        }
        if let reasoningText, knobs.reasoningField == .thinkTags {
            answer = "<think>\(reasoningText)</think> " + answer
        }
        let generated = FakeModel.generate(answer, cap: cap, stops: stops)
        let separateReasoning = knobs.reasoningField == .thinkTags ? nil : reasoningText

        let choice = ChatChoice(
            content: calls.isEmpty ? generated.text : nil,
            reasoning: separateReasoning,
            toolCalls: calls.map { (emulator.toolCallID(), $0.name, $0.arguments) },
            finish: calls.isEmpty ? generated.finish.rawValue : "tool_calls",
            topLogprobs: topLogprobs)
        let choices = (0..<n).map { i in i == 0 ? choice : choice.withFreshIDs(emulator) }
        let promptTokens = FakeModel.promptTokens(messages)
        let completionTokens = choices.reduce(0) { $0 + $1.tokens }
        let usage = Emulator.usage(prompt: promptTokens, completion: completionTokens)
        let id = FakeModel.id("chatcmpl-")

        if body["stream"]?.boolValue == true {
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue == true
            return ChatStream(knobs: knobs, id: id, model: model, usage: usage, includeUsage: includeUsage)
                .reply(choices: choices)
        }
        return .json(200, [
            "id": .string(id), "object": "chat.completion", "created": .int(Emulator.now), "model": .string(model),
            "system_fingerprint": "fp_touchstone",
            "choices": .array(choices.enumerated().map { i, c in c.messageChoice(index: i, reasoningField: knobs.reasoningField) }),
            "usage": usage,
        ])
    }

    // MARK: Request consistency (roles, tool_choice without tools)

    static let roles: Set = ["system", "developer", "user", "assistant", "tool", "function"]

    /// Every message needs a string role; one outside OpenAI's set is refused unless the
    /// `invalidRole` knob accepts it (the message is then read as any other).
    private func checkRoles(_ messages: [JSONValue]) throws {
        for (i, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue else {
                throw APIError.invalid("messages[\(i)]: 'role' is a required property (a string)", param: "messages", knobs: knobs)
            }
            if !Self.roles.contains(role) && knobs.invalidRole == .reject {
                throw APIError.invalid("Invalid value: '\(role)'. Supported values are: \(Self.roles.sorted().map { "'\($0)'" }.joined(separator: ", ")).",
                                       param: "messages[\(i)].role", knobs: knobs)
            }
        }
    }

    /// OpenAI refuses `tool_choice` when no tools are given; the `toolChoiceWithoutTools` knob
    /// may accept it (it then changes nothing: there is nothing to call).
    private func checkToolChoiceHasTools() throws {
        guard let choice = body["tool_choice"], !choice.isNull, knobs.toolChoiceWithoutTools == .reject else { return }
        let tools = body["tools"]?.arrayValue ?? []
        guard tools.isEmpty else { return }
        throw APIError.invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                               param: "tool_choice", knobs: knobs)
    }

    // MARK: Parameters

    private func tokenCap() throws -> Int? {
        var cap: Int?
        for (key, policy) in [("max_tokens", knobs.maxTokens), ("max_completion_tokens", knobs.maxCompletionTokens)] {
            guard let value = body[key], !value.isNull else { continue }
            switch policy {
            case .ignore: continue
            case .reject:
                throw APIError.refused(key, "Unsupported parameter: '\(key)' is not supported with this model.", knobs: knobs)
            case .honor:
                guard let limit = emulator.optionalInt(body, key), limit >= 1 else {
                    throw APIError.refused(key, "'\(key)' must be an integer of at least 1.", knobs: knobs)
                }
                cap = min(cap ?? limit, limit)
            }
        }
        return cap
    }

    private func stopStrings() throws -> [String] {
        guard let value = body["stop"], !value.isNull else { return [] }
        switch knobs.stop {
        case .ignore: return []
        case .reject: throw APIError.refused("stop", "Unsupported parameter: 'stop' is not supported with this model.", knobs: knobs)
        case .arrayOnly where value.stringValue != nil:
            throw APIError.refused("stop", "Input validation error: `stop` must be an array of strings", knobs: knobs)
        case .honor, .arrayOnly:
            return try emulator.stopStrings(value)
        }
    }

    /// nil when no logprobs are wanted (or they are ignored), else the number of alternatives.
    private func logprobCount() throws -> Int? {
        let wanted = body["logprobs"]?.boolValue == true
        let top = body["top_logprobs"].flatMap { $0.isNull ? nil : $0 }
        guard wanted || top != nil else { return nil }
        switch knobs.logprobs {
        case .ignore: return nil
        case .reject:
            throw APIError.refused(wanted ? "logprobs" : "top_logprobs", "logprobs are not supported with this model.", knobs: knobs)
        case .honor:
            guard let k = top == nil ? 0 : emulator.optionalInt(body, "top_logprobs"), (0...20).contains(k) else {
                throw APIError.refused("top_logprobs", "'top_logprobs' must be an integer between 0 and 20.", knobs: knobs)
            }
            guard wanted else {
                throw APIError.refused("logprobs", "'logprobs' must be true when 'top_logprobs' is set.", knobs: knobs)
            }
            return k
        }
    }

    private func reasoningRequested() throws -> Bool {
        guard let value = body["reasoning_effort"], !value.isNull else { return false }
        let level = value.stringValue ?? ""
        switch knobs.reasoningEffort {
        case .reject:
            throw APIError.refused("reasoning_effort",
                                   "UnsupportedParamsError: this model does not support parameters: ['reasoning_effort']. To drop these, set drop_params=True.",
                                   knobs: knobs)
        case .validate:
            let levels = ["none", "minimal", "low", "medium", "high", "xhigh"]
            guard levels.contains(level) else {
                throw APIError.refused("reasoning_effort",
                                       "Invalid value for 'reasoning_effort': '\(level)'. Supported values are: \(levels.map { "'\($0)'" }.joined(separator: ", ")).",
                                       knobs: knobs)
            }
        case .acceptAnything: break
        }
        return level != "none"
    }

    private func checkImages(_ messages: [JSONValue]) throws {
        guard knobs.imageInput == .reject else { return }
        let hasImage = messages.contains { message in
            message["content"]?.arrayValue?.contains { ["image_url", "input_image"].contains($0["type"]?.stringValue ?? "") } ?? false
        }
        if hasImage {
            throw APIError.refused("messages", "Image input is not supported by this model.", knobs: knobs)
        }
    }

    enum Format {
        case text, jsonObject, bestEffort
        case schema(JSONValue)
    }

    private func outputFormat() throws -> Format {
        guard let format = body["response_format"], !format.isNull else { return .text }
        let type = format["type"]?.stringValue ?? ""
        switch type {
        case "text":
            return .text
        case "json_object":
            switch knobs.jsonObject {
            case .enforce: return .jsonObject
            case .ignore: return .text
            case .reject:
                throw APIError.refused("response_format", "response_format 'json_object' is not supported by this model.", knobs: knobs)
            case .rejectLMStudio:
                throw APIError(400, "'response_format.type' must be 'json_schema' or 'text'", param: "response_format")
            case .rejectTGI:
                throw APIError(422, "Failed to deserialize the JSON body into the target type: response_format: missing field `value`",
                               param: "response_format")
            }
        case "json_schema":
            switch knobs.jsonSchema {
            case .enforce: return .schema(format["json_schema"]?["schema"] ?? .object([:]))
            case .bestEffort: return .bestEffort
            case .ignore: return .text
            case .reject:
                throw APIError.refused("response_format", "response_format 'json_schema' is not supported by this model.", knobs: knobs)
            }
        default:
            throw APIError.refused("response_format", "Invalid value for 'response_format.type': '\(type)'.", knobs: knobs)
        }
    }
}

/// One choice of an answer, before it is shaped as a message or as stream deltas.
struct ChatChoice {
    var content: String?
    var reasoning: String?
    var toolCalls: [(id: String, name: String, arguments: String)]
    var finish: String
    var topLogprobs: Int?

    var tokens: Int {
        FakeModel.tokens(in: content ?? "") + FakeModel.tokens(in: reasoning ?? "")
            + toolCalls.reduce(0) { $0 + 1 + FakeModel.tokens(in: $1.arguments) }
    }

    func withFreshIDs(_ emulator: Emulator) -> ChatChoice {
        var copy = self
        copy.toolCalls = toolCalls.map { (emulator.toolCallID(), $0.name, $0.arguments) }
        return copy
    }

    func messageChoice(index: Int, reasoningField: Knobs.ReasoningField) -> JSONValue {
        var message: [String: JSONValue] = ["role": "assistant", "content": content.map(JSONValue.string) ?? .null]
        if let reasoning, let field = ChatStream.reasoningKey(reasoningField) {
            message[field] = .string(reasoning)
        }
        if !toolCalls.isEmpty {
            message["tool_calls"] = .array(toolCalls.map { call in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
            })
        }
        var logprobs: JSONValue = .null
        if let top = topLogprobs, let content {
            logprobs = ["content": .array(FakeModel.logprobs(for: FakeModel.pieces(of: content), top: top))]
        }
        return ["index": .int(index), "message": .object(message), "logprobs": logprobs, "finish_reason": .string(finish)]
    }
}

extension Emulator {
    func toolCallID() -> String {
        switch knobs.toolCallIDs {
        case .openai: FakeModel.id("call_")
        case .nineAlphanumeric: FakeModel.id("", length: 9)
        }
    }
}
