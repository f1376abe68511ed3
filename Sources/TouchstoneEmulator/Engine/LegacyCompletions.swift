import TouchstoneCore

/// `POST /completions`, the legacy text endpoint, as OpenAI documents it:
/// - `prompt` is a string, an array of strings, a token array (integers) or an array of token
///   arrays; a token is shown as its decimal id, so `[1, 2]` reads "1 2" (two tokens);
/// - one choice per prompt × `n`, prompt-major: choice `p * n + j` is prompt `p`'s `j`-th;
/// - `echo: true` puts the prompt before the generated text;
/// - `logprobs: k` (0…5) adds the legacy object `{tokens, token_logprobs, top_logprobs,
///   text_offset}` per choice, whose offsets count characters from the start of the prompt;
/// - streamed, each choice's pieces then its finish event, choice after choice.
/// `n`, `logprobs`, `max_tokens` and `stop` follow the same knobs as chat.
struct LegacyCompletions {
    let emulator: Emulator
    let body: JSONValue
    var knobs: Knobs { emulator.knobs }

    /// The legacy endpoint's `logprobs` maximum.
    static let maxLogprobs = 5

    /// The JSON types each typed field accepts (null is always accepted).
    static let fieldTypes: [String: Set<String>] = [
        "model": ["string"], "stream": ["boolean"], "stream_options": ["object"], "echo": ["boolean"],
        "n": ["integer"], "logprobs": ["integer"], "max_tokens": ["integer"], "stop": ["string", "array"],
        "temperature": ["integer", "number"], "top_p": ["integer", "number"], "suffix": ["string"],
        "presence_penalty": ["integer", "number"], "frequency_penalty": ["integer", "number"],
        "seed": ["integer"], "user": ["string"], "best_of": ["integer"], "logit_bias": ["object"],
    ]

    struct Prompt {
        var text: String
        var tokens: Int
    }

    func reply() throws -> Reply {
        guard knobs.completions == .served else { throw APIError(404, "Not found", code: "not_found") }
        for (key, value) in (body.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where !value.isNull {
            guard let allowed = Self.fieldTypes[key], !allowed.contains(value.typeName) else { continue }
            throw APIError.invalid("Invalid type for '\(key)': expected \(allowed.sorted().joined(separator: " or ")), got \(value.typeName).",
                                   param: key, knobs: knobs)
        }
        let model = try emulator.checkModel(emulator.requiredModel(body), serves: emulator.chatModel)
        let prompts = try self.prompts()
        try RequestRules(knobs: knobs, body: body).check(endpoint: .completions)
        let cap = try tokenCap()
        let stops = try stopStrings()
        let n = try emulator.choiceCount(body)
        let topLogprobs = try logprobCount()
        let echo = body["echo"]?.boolValue == true

        let generated = FakeModel.generate(FakeModel.sentence, cap: cap, stops: stops)
        let completion = generated.text.isEmpty ? "" : " " + generated.text
        let choices: [(prompt: Prompt, text: String)] = prompts.flatMap { prompt in
            (0..<n).map { _ in (prompt, (echo ? prompt.text : "") + completion) }
        }
        let promptTokens = prompts.reduce(0) { $0 + $1.tokens }
        let usage = Emulator.usage(prompt: promptTokens, completion: FakeModel.tokens(in: completion) * choices.count)
        let id = FakeModel.id("cmpl-")
        let created = Emulator.now
        let finish = generated.finish.rawValue

        func object(_ choices: [JSONValue], usage: JSONValue? = nil) -> JSONValue {
            var o: [String: JSONValue] = ["id": .string(id), "object": "text_completion", "created": .int(created),
                                          "model": .string(model), "choices": .array(choices)]
            if let usage { o["usage"] = usage }
            return .object(o)
        }
        /// A choice for `pieces` of its text, the first piece at character `offset` from the prompt's start.
        func choice(_ index: Int, _ pieces: [String], offset: Int, finish: String?) -> JSONValue {
            let logprobs = topLogprobs.map { Self.logprobs(pieces, top: $0, offset: offset) } ?? .null
            return ["index": .int(index), "text": .string(pieces.joined()), "logprobs": logprobs,
                    "finish_reason": finish.map(JSONValue.string) ?? .null]
        }
        /// Where a choice's text starts, counted from the start of its prompt.
        func start(_ c: (prompt: Prompt, text: String)) -> Int { echo ? 0 : c.prompt.text.count }

        guard body["stream"]?.boolValue == true else {
            let values = choices.enumerated().map { i, c in
                choice(i, FakeModel.pieces(of: c.text), offset: start(c), finish: finish)
            }
            return .json(200, object(values, usage: usage))
        }
        var events: [[UInt8]] = []
        for (i, c) in choices.enumerated() {
            var offset = start(c)
            for piece in FakeModel.pieces(of: c.text) {
                events.append(ChatStream.data(object([choice(i, [piece], offset: offset, finish: nil)])))
                offset += piece.count
            }
            events.append(ChatStream.data(object([choice(i, [], offset: offset, finish: finish)])))
        }
        let includeUsage = body["stream_options"]?["include_usage"]?.boolValue == true
        if knobs.streamUsage == .always || (knobs.streamUsage == .onRequest && includeUsage) {
            events.append(ChatStream.data(object([], usage: usage)))
        }
        if knobs.doneSentinel == .send { events.append(Array("data: [DONE]\n\n".utf8)) }
        return .stream(status: 200, headers: ChatStream.sseHeaders, events: events)
    }

    // MARK: Parameters

    private func prompts() throws -> [Prompt] {
        func tokenArray(_ items: [JSONValue]) -> Prompt? {
            guard !items.isEmpty else { return nil }
            let ids = items.compactMap(\.intValue)
            guard ids.count == items.count, ids.allSatisfy({ $0 >= 0 }) else { return nil }
            return Prompt(text: ids.map(String.init).joined(separator: " "), tokens: ids.count)
        }
        switch body["prompt"] {
        case .string(let s)?:
            return [Prompt(text: s, tokens: FakeModel.tokens(in: s))]
        case .array(let items)? where !items.isEmpty:
            if items.allSatisfy({ $0.stringValue != nil }) {
                return items.compactMap(\.stringValue).map { Prompt(text: $0, tokens: FakeModel.tokens(in: $0)) }
            }
            if let one = tokenArray(items) { return [one] }
            let many = items.compactMap { $0.arrayValue.flatMap(tokenArray) }
            if many.count == items.count { return many }
        default:
            break
        }
        throw APIError.invalid("Invalid 'prompt': expected a string, an array of strings, an array of tokens or an array of token arrays.",
                               param: "prompt", knobs: knobs)
    }

    /// The default cap is 16 (OpenAI's for this endpoint); 0 is allowed (with `echo`, the prompt alone).
    private func tokenCap() throws -> Int {
        guard let value = body["max_tokens"], !value.isNull, knobs.maxTokens != .ignore else { return 16 }
        if knobs.maxTokens == .reject {
            throw APIError.refused("max_tokens", "Unsupported parameter: 'max_tokens'.", knobs: knobs)
        }
        guard let limit = emulator.optionalInt(body, "max_tokens"), limit >= 0 else {
            throw APIError.refused("max_tokens", "'max_tokens' must be an integer of at least 0.", knobs: knobs)
        }
        return limit
    }

    private func stopStrings() throws -> [String] {
        guard let value = body["stop"], !value.isNull, knobs.stop == .honor || knobs.stop == .arrayOnly else { return [] }
        return try emulator.stopStrings(value)
    }

    /// nil when no logprobs are wanted (or they are ignored), else how many alternatives.
    private func logprobCount() throws -> Int? {
        guard let value = body["logprobs"], !value.isNull else { return nil }
        switch knobs.logprobs {
        case .ignore: return nil
        case .reject: throw APIError.refused("logprobs", "logprobs are not supported with this model.", knobs: knobs)
        case .honor:
            guard let k = emulator.optionalInt(body, "logprobs"), (0...Self.maxLogprobs).contains(k) else {
                throw APIError.refused("logprobs", "'logprobs' must be an integer between 0 and \(Self.maxLogprobs).", knobs: knobs)
            }
            return k
        }
    }

    /// The legacy logprobs object for `pieces`: per token its logprob, the sampled token with
    /// `top - 1` alternatives (the sampled one alone when `top` is 0), and its character offset.
    static func logprobs(_ pieces: [String], top: Int, offset: Int) -> JSONValue {
        var offsets: [JSONValue] = []
        var at = offset
        for piece in pieces {
            offsets.append(.int(at))
            at += piece.count
        }
        let values = pieces.indices.map { -0.001 * Double($0 + 1) }
        let tops: [JSONValue] = zip(pieces, values).map { piece, value in
            var alternatives: [String: JSONValue] = [piece: .double(value)]
            for k in stride(from: 1, to: top, by: 1) { alternatives[" alt\(k)"] = .double(value - 2.5 * Double(k)) }
            return .object(alternatives)
        }
        return ["tokens": .array(pieces.map(JSONValue.string)), "token_logprobs": .array(values.map(JSONValue.double)),
                "top_logprobs": .array(tops), "text_offset": .array(offsets)]
    }
}
