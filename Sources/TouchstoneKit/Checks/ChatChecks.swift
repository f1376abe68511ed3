import TouchstoneCore

enum ChatChecks {
    static let checks: [String: BuiltinCheck] = [
        "chat_completion": BuiltinCheck(
            "a body with the chat.completion shape (id, object, created, model, choices[0] index/role/content, finish_reason); the status is the suite's to check",
            arguments: ["finish_reasons", "allow_tool_calls"],
            examples: [
                .pass("chat.completion shape with finish_reason stop", .chat()),
                .fail("finish_reason is length, expected stop", .chat(finish: "length"), args: ["finish_reasons": ["stop"]]),
                .fail(#"`object` is "chat.completion.chunk", expected "chat.completion""#,
                      .json(#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}"#)),
                .fail("`message.content` is not a string", .chat(nil, finish: "tool_calls", toolCalls: toolCall)),
                .pass("finish_reason tool_calls", .chat(nil, finish: "tool_calls", toolCalls: toolCall),
                      args: ["finish_reasons": ["tool_calls"], "allow_tool_calls": true]),
                .fail("an error object inside a 2xx response", .json(#"{"error":{"message":"overloaded"}}"#)),
                .fail("body is not JSON", .text("Hello there", status: 200)),
            ]
        ) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            let reasons = input.args["finish_reasons"]?.arrayValue?.compactMap(\.stringValue) ?? ["stop", "length"]
            return chatCompletion(body, finishReasons: reasons, allowToolCalls: input.bool("allow_tool_calls"))
        },
        "usage_present": BuiltinCheck("the body has a `usage` object", examples: [
            .pass("usage present", .chat(usage: usageJSON(5, 2, 7))),
            .fail("no usage object", .chat()),
            .fail("no usage object", .chat(usage: "null")),
        ]) { input in
            guard let u = input.exchange.json?["usage"], u.objectValue != nil else { return .fail("no usage object") }
            return .pass("usage present")
        },
        "usage_consistent": BuiltinCheck(
            "usage.prompt_tokens, completion_tokens, total_tokens are integers and total = prompt + completion",
            examples: [
                .pass("usage 5+2=7", .chat(usage: usageJSON(5, 2, 7))),
                .fail("usage is inconsistent: 5 + 2 != 8", .chat(usage: usageJSON(5, 2, 8))),
                .fail("usage.prompt_tokens is missing or not an integer",
                      .chat(usage: #"{"prompt_tokens":"5","completion_tokens":2,"total_tokens":7}"#)),
                .fail("usage.prompt_tokens is negative (-1)", .chat(usage: usageJSON(-1, 2, 1))),
                .fail("overflows", .chat(usage: usageJSON(Int.max, 1, 0))),
                .fail("no usage object", .chat()),
            ]
        ) { input in
            guard let u = input.exchange.json?["usage"] else { return .fail("no usage object") }
            return usage(u)
        },
        "max_tokens_honoured": BuiltinCheck(
            "completion_tokens <= max (or one short piece of content without usage) and finish_reason length",
            arguments: ["max"], required: ["max"],
            examples: [
                .pass("capped at 1 token(s) with finish_reason length", .chat("Hi", finish: "length", usage: usageJSON(5, 1, 6)), args: ["max": 1]),
                .fail("completion_tokens is 5, expected at most 1", .chat("Hi there", finish: "length", usage: usageJSON(5, 5, 10)), args: ["max": 1]),
                .fail("finish_reason is stop, expected length", .chat("Hi", usage: usageJSON(5, 1, 6)), args: ["max": 1]),
                .pass("capped at 1 token(s)", .chat("Hi", finish: "length"), args: ["max": 1]),
                .fail("no usage and content is longer than 1 token(s)", .chat("Hi there friend", finish: "length"), args: ["max": 1]),
            ]
        ) { input in
            let max = input.int("max") ?? 1
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            let reason = body["choices"]?[0]?["finish_reason"]?.stringValue ?? "null"
            if let n = body["usage"]?["completion_tokens"]?.intValue {
                if n > max { return .fail("completion_tokens is \(n), expected at most \(max)") }
            } else {
                let content = ChatFacts.content(input.exchange) ?? ""
                if Shape.words(content).count > max || content.count > 16 * max {
                    return .fail("no usage and content is longer than \(max) token(s): \(content.count) characters")
                }
            }
            if reason != "length" { return .fail("finish_reason is \(reason), expected length") }
            return .pass("capped at \(max) token(s) with finish_reason length")
        },
        "no_tokens": BuiltinCheck(
            "the answer holds no token: usage.completion_tokens is 0 (usage decides when present), else no content and no tool call",
            examples: [
                .pass("0 completion tokens", .chat("", finish: "length", usage: usageJSON(5, 0, 5))),
                .fail("1 completion token(s)", .chat("", finish: "length", usage: usageJSON(5, 1, 6))),
                .pass("no usage and no content", .chat("", finish: "length")),
                .fail("no usage, and the answer has content", .chat("Hi", finish: "length")),
            ]
        ) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            if let n = body["usage"]?["completion_tokens"]?.intValue {
                return n == 0 ? .pass("0 completion tokens") : .fail("\(n) completion token(s)")
            }
            let content = ChatFacts.content(input.exchange) ?? ""
            let calls = ChatFacts.message(input.exchange)?["tool_calls"]?.arrayValue ?? []
            if content.isEmpty && calls.isEmpty { return .pass("no usage and no content") }
            return .fail("no usage, and the answer has content")
        },
        "stop_honoured": BuiltinCheck(
            "content avoids `piece`, is a prefix of the `control` step's content, finish_reason stop",
            arguments: ["control", "piece"], required: ["control", "piece"],
            examples: [
                .pass(#"stopped before "Paris" with finish_reason stop"#, .chat("The capital of France is "),
                      args: ["control": "control", "piece": "Paris"], steps: ["control": control]),
                .fail(#"content still contains the stop piece "Paris""#, .chat("The capital of France is Paris."),
                      args: ["control": "control", "piece": "Paris"], steps: ["control": control]),
                .fail("the answer is empty", .chat(""), args: ["control": "control", "piece": "Paris"], steps: ["control": control]),
                .fail("content is not a prefix of the control answer", .chat("France's capital is "),
                      args: ["control": "control", "piece": "Paris"], steps: ["control": control]),
                .fail("finish_reason is length, expected stop", .chat("The capital of France is ", finish: "length"),
                      args: ["control": "control", "piece": "Paris"], steps: ["control": control]),
                .fail("control unusable", .chat("The capital of France is "), args: ["control": "control", "piece": "Paris"]),
            ]
        ) { input in
            guard let piece = input.string("piece"), !piece.isEmpty else { return .fail("no stop piece") }
            guard let controlStep = input.string("control"), let control = input.step(controlStep),
                  let controlContent = ChatFacts.content(control) else { return .fail("control unusable") }
            guard let content = ChatFacts.content(input.exchange) else { return .fail("no content") }
            if content.contains(piece) { return .fail("content still contains the stop piece \(quoted(piece))") }
            // The piece does not start the control, so a cut answer holds what came before it:
            // an empty one is a model that stopped on its own, not a stop sequence at work.
            if content.allSatisfy(\.isWhitespace) {
                return .fail("the answer is empty, expected the control's text up to \(quoted(piece))")
            }
            let trimmed = String(content.reversed().drop(while: { $0.isWhitespace }).reversed())
            if !controlContent.hasPrefix(trimmed) {
                return .fail("content is not a prefix of the control answer")
            }
            let reason = ChatFacts.finishReason(input.exchange) ?? "null"
            if reason != "stop" { return .fail("finish_reason is \(reason), expected stop") }
            return .pass("stopped before \(quoted(piece)) with finish_reason stop")
        },
        "content_contains": BuiltinCheck("the message content contains `text`", arguments: ["text"], required: ["text"], examples: [
            .pass(#"content contains "there""#, .chat("Hello there"), args: ["text": "there"]),
            .fail(#"content does not contain "There""#, .chat("Hello there"), args: ["text": "There"]),
            .fail("no content", .chat(nil, finish: "tool_calls", toolCalls: toolCall), args: ["text": "there"]),
        ]) { input in
            guard let text = input.string("text") else { return .fail("no text") }
            guard let content = ChatFacts.content(input.exchange) else { return .fail("no content") }
            return content.contains(text) ? .pass("content contains \(quoted(text))")
                                          : .fail("content does not contain \(quoted(text))")
        },
        "json_content": BuiltinCheck(
            "message content parses as a JSON object (validating `schema` if given); `allow_truncated` accepts a valid prefix cut by finish_reason length",
            arguments: ["schema", "allow_truncated"],
            examples: [
                .pass("content is a JSON object", .chat(#"{"city": "Paris"}"#)),
                .pass("content validates against the schema", .chat(#"{"city": "Paris"}"#), args: ["schema": citySchema]),
                .fail("content does not validate against the schema", .chat(#"{"town": "Paris"}"#), args: ["schema": citySchema]),
                .fail("content is JSON but not an object", .chat(#"["Paris"]"#)),
                .fail("content is not JSON", .chat(#"Sure! {"city": "Paris"}"#)),
                .pass("truncated by finish_reason length", .chat(#"{"city": "Par"#, finish: "length"), args: ["allow_truncated": true]),
                .fail("content is not JSON", .chat(#"{"city": "Par"#, finish: "length")),
                .undecided("the message content is JSON holding", .chat(hugeJSON)),
            ]
        ) { input in
            guard let content = ChatFacts.content(input.exchange) else { return .fail("no string content") }
            let embedded = EmbeddedJSON(content)
            if let why = embedded.undecided("the message content") { return .undecided(why) }
            if let parsed = embedded.value {
                guard case .object = parsed else { return .fail("content is JSON but not an object") }
                if let schema = input.args["schema"] {
                    let errors = JSONSchemaValidator.validate(parsed, against: schema)
                    if let first = errors.first { return .fail("content does not validate against the schema: \(first)") }
                    return .pass("content validates against the schema")
                }
                return .pass("content is a JSON object")
            }
            if input.bool("allow_truncated"), ChatFacts.finishReason(input.exchange) == "length",
               JSONPrefixChecker.isValidObjectPrefix(content) {
                return .pass("content is a JSON object truncated by finish_reason length")
            }
            return .fail("content is not JSON: \(quoted(TextSanitizer.oneLine(content, limit: 60)))")
        },
    ]

    // Fixtures of the examples.
    static func usageJSON(_ prompt: Int, _ completion: Int, _ total: Int) -> String {
        #"{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(total)}"#
    }
    static let toolCall = #"[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]"#
    static let control = ExchangeFixture.chat("The capital of France is Paris.")
    static let citySchema: JSONValue = ["type": "object", "required": ["city"], "properties": ["city": ["type": "string"]]]
    /// JSON of 100,001 empty arrays: more containers than a run builds a tree for.
    static let hugeJSON = "[" + Array(repeating: "[]", count: 100_001).joined(separator: ",") + "]"

    static func quoted(_ s: String) -> String { "\"\(TextSanitizer.oneLine(s, limit: 40))\"" }

    static func chatCompletion(_ body: JSONValue, finishReasons: [String], allowToolCalls: Bool) -> CheckResult {
        guard body.objectValue != nil else { return .fail("body is \(body.typeName), not an object") }
        if body["error"] != nil { return .fail("an error object inside a 2xx response") }
        guard body["id"]?.stringValue != nil else { return .fail("`id` is missing or not a string") }
        guard body["object"]?.stringValue == "chat.completion" else {
            return .fail("`object` is \(body["object"].map { Assertions.show($0) } ?? "missing"), expected \"chat.completion\"")
        }
        guard Shape.isInteger(body["created"]) else { return .fail("`created` is not an integer") }
        guard body["model"]?.stringValue != nil else { return .fail("`model` is missing or not a string") }
        guard let choice = body["choices"]?[0] else { return .fail("`choices` is empty or missing") }
        guard choice["index"]?.intValue == 0 else { return .fail("`choices[0].index` is not 0") }
        guard let message = choice["message"], message["role"]?.stringValue == "assistant" else {
            return .fail("`choices[0].message.role` is not \"assistant\"")
        }
        let hasCalls = !(message["tool_calls"]?.arrayValue ?? []).isEmpty
        if message["content"]?.stringValue == nil && !(allowToolCalls && hasCalls) {
            return .fail("`message.content` is not a string")
        }
        let reason = choice["finish_reason"]?.stringValue ?? "null"
        guard finishReasons.contains(reason) else {
            return .fail("finish_reason is \(reason), expected \(finishReasons.joined(separator: " or "))")
        }
        return .pass("chat.completion shape with finish_reason \(reason)")
    }

    static func usage(_ u: JSONValue) -> CheckResult {
        guard u.objectValue != nil else { return .fail("usage is \(u.typeName), not an object") }
        let keys = ["prompt_tokens", "completion_tokens", "total_tokens"]
        for k in keys where !Shape.isInteger(u[k]) { return .fail("usage.\(k) is missing or not an integer") }
        // Exact integers only (a count of 9.3e18 is no Int), never negative, and a sum that
        // overflows is an inconsistency like any other: an upstream's number never traps.
        var counts: [Int] = []
        for k in keys {
            guard let n = Shape.exactInteger(u[k]) else { return .fail("usage.\(k) is \(Assertions.show(u[k]!)): not a token count") }
            guard n >= 0 else { return .fail("usage.\(k) is negative (\(n))") }
            counts.append(n)
        }
        let (p, c, t) = (counts[0], counts[1], counts[2])
        let (sum, overflow) = p.addingReportingOverflow(c)
        if overflow { return .fail("usage is inconsistent: \(p) + \(c) overflows, total_tokens is \(t)") }
        guard sum == t else { return .fail("usage is inconsistent: \(p) + \(c) != \(t)") }
        return .pass("usage \(p)+\(c)=\(t)")
    }
}
