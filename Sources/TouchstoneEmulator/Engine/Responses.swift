import TouchstoneCore

/// `POST /responses` and `GET /responses/{id}`: OpenAI's Responses API, shaped by the knobs.
///
/// By the book: the answer is a `response` object carrying every field OpenAI's SDK types
/// require (`parallel_tool_calls`, `tool_choice`, `tools`, the `text` echo, `usage` with its
/// token details, output items with ids); function tools in the Responses shape are called as
/// `tool_choice` says (a `function_call` item with `call_id`, `name`, JSON `arguments`);
/// `stream: true` gives typed events, each with an `event:` line naming its `type` and an
/// increasing `sequence_number`, closed by `response.completed` (`response.incomplete` when
/// `max_output_tokens` cut the answer) and no `[DONE]`; answers are stored (unless
/// `store: false`) for `GET /responses/{id}` and `previous_response_id`.
struct Responses {
    let emulator: Emulator
    var knobs: Knobs { emulator.knobs }

    // MARK: GET /responses/{id}

    func retrieve(_ id: String) throws -> Reply {
        guard knobs.responses != .notFound else { throw APIError(404, "Not found", code: "not_found") }
        guard knobs.responsesStore == .stored, let stored = emulator.responseStore.get(id) else {
            // OpenAI names the id; the emulator does not, so that details stay the same across runs.
            throw APIError(404, "No response with this id was found.", code: "not_found")
        }
        return .json(200, stored)
    }

    // MARK: POST /responses

    func create(_ body: JSONValue) throws -> Reply {
        switch knobs.responses {
        case .notFound: throw APIError(404, "Not found", code: "not_found")
        case .requiresTextFormat where body["text"]?["format"] == nil:
            throw APIError(400, "'text.format' is required", param: "text.format")
        case .served, .requiresTextFormat: break
        }
        let model = try emulator.checkModel(emulator.requiredModel(body), serves: emulator.chatModel)
        let (inputTokens, lastUserText) = try input(body)
        let streamed = try wantsStream(body)
        let cap = try outputCap(body)
        let previousTokens = try previousResponseTokens(body)
        let tools = try functionTools(body)
        let calls = try plannedCalls(body, tools: tools, lastUserText: lastUserText)

        var output: [JSONValue] = []
        var complete = true
        var outputTokens = 0
        if calls.isEmpty {
            let generated = FakeModel.generate(try answer(body), cap: cap, stops: [])
            complete = generated.finish == .stop
            outputTokens = FakeModel.tokens(in: generated.text)
            output.append(Self.message(id: FakeModel.id("msg_"), text: generated.text, status: complete ? "completed" : "incomplete"))
        } else {
            for call in calls {
                outputTokens += 1 + FakeModel.tokens(in: call.arguments)
                output.append(Self.functionCall(id: FakeModel.id("fc_"), callID: FakeModel.id("call_"), name: call.name,
                                                arguments: call.arguments, status: "completed"))
            }
        }
        let echo = Echo(body: body, model: model, tools: tools)
        let id = FakeModel.id("resp_")
        let created = Emulator.now
        let input = inputTokens + previousTokens
        let usage: JSONValue = [
            "input_tokens": .int(input), "input_tokens_details": ["cached_tokens": .int(previousTokens), "cache_write_tokens": 0],
            "output_tokens": .int(outputTokens), "output_tokens_details": ["reasoning_tokens": 0],
            "total_tokens": .int(input + outputTokens),
        ]
        let final = echo.response(id: id, createdAt: created, status: complete ? "completed" : "incomplete",
                                  incomplete: complete ? nil : "max_output_tokens", output: output, usage: usage)
        if body["store"]?.boolValue != false && knobs.responsesStore == .stored {
            emulator.responseStore.put(id, final)
        }
        guard streamed else { return .json(200, final) }
        let opening = echo.response(id: id, createdAt: created, status: "in_progress", incomplete: nil, output: [], usage: .null)
        return ResponsesStream(knobs: knobs).reply(opening: opening, final: final)
    }

    // MARK: Request parts

    /// Input tokens and the text of the last user turn (the fake model calls the tools it names).
    private func input(_ body: JSONValue) throws -> (tokens: Int, lastUserText: String) {
        let instructions = FakeModel.tokens(in: body["instructions"]?.stringValue ?? "")
        switch body["input"] {
        case .string(let s)?:
            return (instructions + FakeModel.tokens(in: s), s)
        case .array(let items)?:
            var tokens = instructions
            var last = ""
            for (i, item) in items.enumerated() {
                guard case .object = item else {
                    throw APIError.invalid("input[\(i)] must be an object (an input item).", param: "input", knobs: knobs)
                }
                let text = FakeModel.text(of: item["content"]) + (item["output"]?.stringValue ?? "")
                tokens += FakeModel.tokens(in: text)
                if item["role"]?.stringValue == "user" { last = text }
            }
            return (tokens, last)
        default:
            throw APIError.invalid("'input' is a required property.", param: "input", knobs: knobs)
        }
    }

    private func wantsStream(_ body: JSONValue) throws -> Bool {
        guard body["stream"]?.boolValue == true else { return false }
        switch knobs.responsesStream {
        case .honor: return true
        case .ignore: return false
        case .reject: throw APIError.refused("stream", "Streaming is not supported on /responses.", knobs: knobs)
        }
    }

    private func outputCap(_ body: JSONValue) throws -> Int? {
        guard body["max_output_tokens"].map({ !$0.isNull }) == true else { return nil }
        guard let limit = emulator.optionalInt(body, "max_output_tokens"), limit >= 1 else {
            throw APIError.refused("max_output_tokens", "'max_output_tokens' must be an integer of at least 1.", knobs: knobs)
        }
        return limit
    }

    /// The tokens of the stored response a request continues (0 when it continues none).
    private func previousResponseTokens(_ body: JSONValue) throws -> Int {
        guard let value = body["previous_response_id"], !value.isNull else { return 0 }
        switch knobs.previousResponse {
        case .ignore: return 0
        case .reject:
            throw APIError.refused("previous_response_id", "'previous_response_id' is not supported.", knobs: knobs)
        case .honor:
            guard let id = value.stringValue else {
                throw APIError.invalid("'previous_response_id' must be a string.", param: "previous_response_id", knobs: knobs)
            }
            guard knobs.responsesStore == .stored, let previous = emulator.responseStore.get(id) else {
                // OpenAI's message names the id; this one does not, so that details are the same across runs.
                throw APIError(400, "Previous response not found.", code: "previous_response_not_found",
                               param: "previous_response_id")
            }
            return previous["usage"]?["total_tokens"]?.intValue ?? 0
        }
    }

    /// The function tools of the request, in the Responses shape (`{type, name, parameters}`).
    private func functionTools(_ body: JSONValue) throws -> [(name: String, parameters: JSONValue, definition: JSONValue)] {
        guard let list = body["tools"], !list.isNull else { return [] }
        guard let tools = list.arrayValue else { throw APIError.invalid("'tools' must be an array.", param: "tools", knobs: knobs) }
        if !tools.isEmpty && knobs.responsesTools == .reject {
            throw APIError.refused("tools", "Tools are not supported on /responses.", knobs: knobs)
        }
        return try tools.enumerated().map { i, tool in
            guard tool["type"]?.stringValue == "function" else {
                throw APIError.refused("tools", "tools[\(i)]: only function tools are served here.", knobs: knobs)
            }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else {
                throw APIError.invalid("Missing required parameter: 'tools[\(i)].name'.", param: "tools[\(i)].name", knobs: knobs)
            }
            let parameters = tool["parameters"].flatMap { $0.isNull ? nil : $0 } ?? ["type": "object", "properties": [:]]
            let definition: JSONValue = [
                "type": "function", "name": .string(name),
                "description": tool["description"].flatMap { $0.stringValue.map(JSONValue.string) } ?? .null,
                "parameters": parameters, "strict": .bool(tool["strict"]?.boolValue ?? true),
            ]
            return (name, parameters, definition)
        }
    }

    /// The calls the fake model makes: `none` → none; `auto` (the default) → the tools the last
    /// user turn names; `required` → those, else the first tool; a named function → that one.
    /// One call unless `parallel_tool_calls` (default true) allows more.
    private func plannedCalls(_ body: JSONValue, tools: [(name: String, parameters: JSONValue, definition: JSONValue)],
                              lastUserText: String) throws -> [(name: String, arguments: String)] {
        let choice = body["tool_choice"].flatMap { $0.isNull ? nil : $0 }
        var forced: String? = nil
        var required = false
        switch choice {
        case nil, .string("auto")?: break
        case .string("none")?: return []
        case .string("required")?: required = true
        case .object(let o)? where o["type"]?.stringValue == "function":
            guard let name = o["name"]?.stringValue else {
                throw APIError.invalid("Missing required parameter: 'tool_choice.name'.", param: "tool_choice.name", knobs: knobs)
            }
            forced = name
        default:
            throw APIError.invalid("Invalid value for 'tool_choice'.", param: "tool_choice", knobs: knobs)
        }
        if tools.isEmpty {
            if required || forced != nil {
                throw APIError.invalid("Tool choice '\(forced ?? "required")' needs 'tools'.", param: "tool_choice", knobs: knobs)
            }
            return []
        }
        guard knobs.responsesTools == .honor else { return [] }
        var chosen = tools.filter { ToolPlanner.mentions(lastUserText, $0.name) }
        if let forced {
            guard let tool = tools.first(where: { $0.name == forced }) else {
                throw APIError.invalid("Tool choice names '\(forced)', which is not in 'tools'.", param: "tool_choice", knobs: knobs)
            }
            chosen = [tool]
        } else if required && chosen.isEmpty {
            chosen = [tools[0]]
        }
        if body["parallel_tool_calls"]?.boolValue == false { chosen = Array(chosen.prefix(1)) }
        return chosen.map { ($0.name, SchemaInstance.generate($0.parameters).serialized()) }
    }

    /// The text to answer: the fixed sentence, or JSON under `text.format`.
    private func answer(_ body: JSONValue) throws -> String {
        let format = body["text"]?["format"]
        switch format?["type"]?.stringValue {
        case nil, "text"?: return FakeModel.sentence
        case "json_object"?: return FakeModel.spacedJSON(FakeModel.jsonObjectAnswer)
        case "json_schema"?: return FakeModel.spacedJSON(SchemaInstance.generate(format?["schema"] ?? .object([:])))
        case let other?: throw APIError.invalid("Invalid value for 'text.format.type': '\(other)'.", param: "text.format.type", knobs: knobs)
        }
    }

    // MARK: Output items

    static func message(id: String, text: String, status: String) -> JSONValue {
        ["id": .string(id), "type": "message", "status": .string(status), "role": "assistant",
         "content": [outputText(text)]]
    }

    static func outputText(_ text: String) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": []]
    }

    static func functionCall(id: String, callID: String, name: String, arguments: String, status: String) -> JSONValue {
        ["id": .string(id), "type": "function_call", "status": .string(status), "call_id": .string(callID),
         "name": .string(name), "arguments": .string(arguments)]
    }
}

/// The request fields a response object echoes, with OpenAI's defaults.
private struct Echo {
    let body: JSONValue
    let model: String
    let tools: [(name: String, parameters: JSONValue, definition: JSONValue)]

    func field(_ key: String, default value: JSONValue = .null) -> JSONValue {
        guard let v = body[key], !v.isNull else { return value }
        return v
    }

    func response(id: String, createdAt: Int, status: String, incomplete: String?, output: [JSONValue], usage: JSONValue) -> JSONValue {
        [
            "id": .string(id), "object": "response", "created_at": .int(createdAt), "status": .string(status),
            "background": false, "error": .null,
            "incomplete_details": incomplete.map { ["reason": .string($0)] } ?? .null,
            "instructions": field("instructions"), "max_output_tokens": field("max_output_tokens"), "max_tool_calls": .null,
            "model": .string(model), "output": .array(output),
            "parallel_tool_calls": field("parallel_tool_calls", default: true),
            "previous_response_id": field("previous_response_id"),
            "reasoning": ["effort": .null, "summary": .null], "service_tier": "default",
            "store": field("store", default: true), "temperature": field("temperature", default: 1.0),
            "text": ["format": body["text"]?["format"] ?? ["type": "text"], "verbosity": "medium"],
            "tool_choice": field("tool_choice", default: "auto"), "tools": .array(tools.map(\.definition)),
            "top_logprobs": 0, "top_p": field("top_p", default: 1.0), "truncation": "disabled",
            "usage": usage, "user": .null, "metadata": field("metadata", default: .object([:])),
        ]
    }
}
