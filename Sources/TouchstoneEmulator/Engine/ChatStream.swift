import TouchstoneCore

/// The SSE form of a chat answer, shaped by the streaming knobs.
///
/// By the book: `data: {chunk}` events of `chat.completion.chunk` objects sharing one id; per
/// choice a first delta `{"role":"assistant","content":""}`, one delta per word, then one
/// delta with the finish_reason; with `stream_options.include_usage` a last chunk with
/// `choices: []` and usage; then `data: [DONE]`. A single-slot server (`Knobs.slots`) may end
/// the stream early (`Connection.write`).
struct ChatStream {
    let knobs: Knobs
    let id: String
    let model: String
    let usage: JSONValue
    let includeUsage: Bool
    let created = Emulator.now

    static func reasoningKey(_ field: Knobs.ReasoningField) -> String? {
        switch field {
        case .reasoningContent: "reasoning_content"
        case .reasoning: "reasoning"
        case .none, .thinkTags: nil
        }
    }

    func reply(choices: [ChatChoice]) -> Reply {
        var events: [[UInt8]] = []
        if knobs.chunkStyle == .cumulative {
            for (i, choice) in choices.enumerated() { events += cumulativeEvents(choice, index: i) }
        } else {
            if knobs.filterChunk == .azure { events.append(Self.data(azureFilterChunk)) }
            let usageWanted = knobs.streamUsage == .always || (knobs.streamUsage == .onRequest && includeUsage)
            // Mistral: usage rides on the last finish_reason chunk, beside its choice.
            let usageOnFinish = usageWanted && knobs.usageChunkChoices == .finishChunk
            for (i, choice) in choices.enumerated() {
                let onFinish: JSONValue? = usageOnFinish && i == choices.count - 1 ? .some(usage) : .none
                events += deltaEvents(choice, index: i, usage: onFinish)
            }
            if usageWanted && !usageOnFinish {
                let choicesValue: JSONValue = knobs.usageChunkChoices == .empty
                    ? [] : [["index": 0, "delta": [:], "finish_reason": .null]]
                events.append(Self.data(chunk(choicesValue, usage: usage)))
            }
        }
        if knobs.doneSentinel == .send { events.append(Array("data: [DONE]\n\n".utf8)) }
        events = withComments(events)
        return .stream(status: 200, headers: Self.sseHeaders, events: events)
    }

    static let sseHeaders: [(name: String, value: String)] = [
        ("content-type", "text/event-stream"), ("cache-control", "no-cache"),
    ]

    static func data(_ value: JSONValue) -> [UInt8] {
        Array("data: ".utf8) + value.serializedBytes() + Array("\n\n".utf8)
    }

    // MARK: Standard chunks

    private func chunk(_ choices: JSONValue, usage: JSONValue? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "system_fingerprint": "fp_touchstone", "choices": choices,
        ]
        if let usage { o["usage"] = usage }
        return .object(o)
    }

    private func deltaChunk(_ index: Int, _ delta: [String: JSONValue], finish: String? = nil,
                            logprobs: JSONValue = .null, usage: JSONValue? = nil) -> [UInt8] {
        var delta = delta
        if knobs.roleDelta == .everyDelta { delta["role"] = "assistant" }
        return Self.data(chunk([[
            "index": .int(index), "delta": .object(delta), "logprobs": logprobs,
            "finish_reason": finish.map(JSONValue.string) ?? .null,
        ]], usage: usage))
    }

    private func deltaEvents(_ choice: ChatChoice, index i: Int, usage: JSONValue? = nil) -> [[UInt8]] {
        var events: [[UInt8]] = []
        var finish = choice.finish
        if choice.toolCalls.isEmpty {
            events.append(deltaChunk(i, ["role": "assistant", "content": ""]))
        }
        if let reasoning = choice.reasoning, let key = Self.reasoningKey(knobs.reasoningField) {
            for piece in FakeModel.pieces(of: reasoning) { events.append(deltaChunk(i, [key: .string(piece)])) }
        }
        if choice.toolCalls.isEmpty {
            let pieces = FakeModel.pieces(of: choice.content ?? "")
            let logprobs = choice.topLogprobs.map { FakeModel.logprobs(for: pieces, top: $0) }
            for (k, piece) in pieces.enumerated() {
                let lp: JSONValue = logprobs.map { ["content": [$0[k]]] } ?? .null
                events.append(deltaChunk(i, ["content": .string(piece)], logprobs: lp))
            }
        } else {
            events += toolCallEvents(choice, index: i)
            if knobs.toolStreaming == .noIndex || knobs.toolStreaming == .finishStop { finish = "stop" }
        }
        events.append(deltaChunk(i, [:], finish: finish, usage: usage))
        return events
    }

    private func toolCallEvents(_ choice: ChatChoice, index i: Int) -> [[UInt8]] {
        func whole(_ k: Int, _ call: (id: String, name: String, arguments: String), index: Bool) -> JSONValue {
            var o: [String: JSONValue] = [
                "id": .string(call.id), "type": "function",
                "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
            ]
            if index { o["index"] = .int(k) }
            return .object(o)
        }
        let calls = choice.toolCalls
        switch knobs.toolStreaming {
        case .whole:
            return [deltaChunk(i, [
                "role": "assistant", "content": "",
                "tool_calls": .array(calls.enumerated().map { whole($0, $1, index: true) }),
            ])]
        case .noIndex:
            return [deltaChunk(i, ["role": "assistant"])] + calls.enumerated().map { k, call in
                deltaChunk(i, ["tool_calls": [whole(k, call, index: false)]])
            }
        case .incremental, .emptyID, .finishStop, .repeatedID:
            var events: [[UInt8]] = []
            for (k, call) in calls.enumerated() {
                let callID = knobs.toolStreaming == .emptyID ? "" : call.id
                var header: [String: JSONValue] = ["tool_calls": [[
                    "index": .int(k), "id": .string(callID), "type": "function",
                    "function": ["name": .string(call.name), "arguments": ""],
                ]]]
                if k == 0 {
                    header["role"] = "assistant"
                    header["content"] = .null
                }
                events.append(deltaChunk(i, header))
                for fragment in Self.fragments(of: call.arguments) {
                    var part: [String: JSONValue] = ["index": .int(k), "function": ["arguments": .string(fragment)]]
                    if knobs.toolStreaming == .repeatedID {
                        part["id"] = .string(callID)
                        part["type"] = "function"
                    }
                    events.append(deltaChunk(i, ["tool_calls": [.object(part)]]))
                }
            }
            return events
        }
    }

    /// Arguments cut in three (or fewer) fragments that join back to the whole.
    static func fragments(of arguments: String) -> [String] {
        let chars = Array(arguments)
        guard chars.count >= 3 else { return chars.isEmpty ? [] : [arguments] }
        let size = (chars.count + 2) / 3
        return stride(from: 0, to: chars.count, by: size).map { String(chars[$0..<min($0 + size, chars.count)]) }
    }

    private var azureFilterChunk: JSONValue {
        let safe: JSONValue = ["filtered": false, "severity": "safe"]
        return [
            "choices": [], "created": 0, "id": "", "model": "", "object": "",
            "prompt_filter_results": [[
                "prompt_index": 0,
                "content_filter_results": ["hate": safe, "self_harm": safe, "sexual": safe, "violence": safe],
            ]],
        ]
    }

    // MARK: Cumulative chunks (Perplexity)

    private func cumulativeEvents(_ choice: ChatChoice, index i: Int) -> [[UInt8]] {
        func event(_ message: [String: JSONValue], finish: String?) -> [UInt8] {
            Self.data([
                "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
                "usage": usage,
                "choices": [[
                    "index": .int(i), "message": .object(message), "delta": .object(message),
                    "finish_reason": finish.map(JSONValue.string) ?? .null,
                ]],
            ])
        }
        if !choice.toolCalls.isEmpty {
            let message = choice.messageChoice(index: i, reasoningField: knobs.reasoningField)["message"]?.objectValue ?? [:]
            return [event(message, finish: choice.finish)]
        }
        var events: [[UInt8]] = []
        var text = ""
        for piece in FakeModel.pieces(of: choice.content ?? "") {
            text += piece
            events.append(event(["role": "assistant", "content": .string(text)], finish: nil))
        }
        events.append(event(["role": "assistant", "content": .string(text)], finish: choice.finish))
        return events
    }

    // MARK: Comments

    /// Keep-alive comment lines: one before the first event, then one every four events.
    private func withComments(_ events: [[UInt8]]) -> [[UInt8]] {
        let comment: String
        switch knobs.sseComments {
        case .none: return events
        case .keepAlive: comment = ": keepalive\n\n"
        case .openRouterProcessing: comment = ": OPENROUTER PROCESSING\n\n"
        }
        var out: [[UInt8]] = []
        for (k, event) in events.enumerated() {
            if k % 4 == 0 { out.append(Array(comment.utf8)) }
            out.append(event)
        }
        return out
    }
}
