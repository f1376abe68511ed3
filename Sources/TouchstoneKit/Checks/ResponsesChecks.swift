import TouchstoneCore

/// Checks of the Responses API (`POST /responses`, its event stream, `GET /responses/{id}`).
enum ResponsesChecks {
    static let checks: [String: BuiltinCheck] = [
        "responses_shape": BuiltinCheck("object response with an output message holding text", examples: [
            .pass("response with an output message (2 characters)", response(message("Hi"))),
            .fail("no output message with text", response(#"[{"type":"reasoning","summary":[]}]"#)),
            .fail(#"`object` is not "response""#, .chat()),
        ]) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            guard body["object"]?.stringValue == "response" else { return .fail("`object` is not \"response\"") }
            guard let text = outputText(body) else { return .fail("no output message with text") }
            return .pass("response with an output message (\(text.count) characters)")
        },
        "responses_stream": BuiltinCheck(
            "text/event-stream of typed Responses events: response.created first, increasing sequence_number, output_text deltas that join to the text of the closing response.completed (or response.incomplete), nothing after it but an optional [DONE]",
            records: ["responses_done_sentinel"],
            examples: [
                .pass("3 events, 1 text deltas joining to the final text", .stream([created, delta("Hi", 1), closing("Hi", 2)])),
                .pass("then data: [DONE]", .stream([created, delta("Hi", 1), closing("Hi", 2), "[DONE]"]),
                      quirks: ["responses_done_sentinel": true]),
                .pass("(response.incomplete: the answer was cut)", .stream([created, delta("Hi", 1), closing("Hi", 2, "response.incomplete")])),
                .fail("the first event is response.output_text.delta, expected response.created", .stream([delta("Hi", 0), closing("Hi", 1)])),
                .fail("sequence_number 1 after 2 (event 2)", .stream([created, delta("H", 2), delta("i", 1), closing("Hi", 3)])),
                .fail("the 1 output_text deltas join to 2 characters, the final text has 5: they differ",
                      .stream([created, delta("Hi", 1), closing("Hello", 2)])),
                .fail("no response.completed event (2 events)", .stream([created, delta("Hi", 1)])),
                .fail("event 2 after response.completed", .stream([created, closing("", 1), delta("Hi", 2)])),
                .fail("the stream reports response.failed: model crashed",
                      .stream([created, event("response.failed", 1, #","response":{"error":{"message":"model crashed"}}"#)])),
                .fail("the `event:` line names response.created but `type` is response.in_progress",
                      .stream(["event: response.created\ndata: " + event("response.in_progress", 0)])),
                .fail("chat.completion.chunk events instead of Responses events", .chatStream()),
                .fail("content-type application/json, expected text/event-stream", response(message("Hi"))),
            ]
        ) { input in stream(input.exchange) },
        "responses_function_call": BuiltinCheck(
            "an output item of type function_call with a call_id, the `tool`'s name and arguments that parse as JSON",
            arguments: ["tool"],
            examples: [
                .pass("1 function_call item(s) of get_weather", response(functionCall(#"{"city":"Paris"}"#)), args: ["tool": "get_weather"]),
                .fail("function_call 0 calls lookup, not get_weather", response(functionCall("{}", name: "lookup")), args: ["tool": "get_weather"]),
                .fail("function_call 0: arguments do not parse as JSON", response(functionCall(#"{"city":"#))),
                .fail("function_call 0 has no call_id", response(#"[{"type":"function_call","name":"get_weather","arguments":"{}"}]"#)),
                .fail("no function_call output item", response(message("It is sunny."))),
                .undecided("the arguments of function_call 0 is JSON holding", response(functionCall(ChatChecks.hugeJSON))),
            ]
        ) { input in functionCall(input.exchange, tool: input.string("tool")) },
    ]

    // Fixtures of the examples.
    static func response(_ output: String) -> ExchangeFixture {
        .json(#"{"id":"resp_1","object":"response","output":\#(output)}"#, path: "/responses")
    }
    static func message(_ text: String) -> String {
        #"[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"\#(text)"}]}]"#
    }
    static func functionCall(_ arguments: String, name: String = "get_weather") -> String {
        JSONValue.array([["type": "function_call", "call_id": "call_1", "name": .string(name), "arguments": .string(arguments)]])
            .serialized()
    }
    static func event(_ type: String, _ sequence: Int, _ more: String = "") -> String {
        #"{"type":"\#(type)","sequence_number":\#(sequence)\#(more)}"#
    }
    static let created = event("response.created", 0, #","response":{"object":"response","output":[]}"#)
    static func delta(_ text: String, _ sequence: Int) -> String {
        event("response.output_text.delta", sequence, #","delta":"\#(text)""#)
    }
    static func closing(_ text: String, _ sequence: Int, _ type: String = "response.completed") -> String {
        event(type, sequence, #","response":{"object":"response","output":\#(message(text))}"#)
    }

    /// The `output_text` of the output messages, joined; nil when no message holds text.
    static func outputText(_ response: JSONValue) -> String? {
        var text: String? = nil
        for item in response["output"]?.arrayValue ?? [] where item["type"]?.stringValue == "message" {
            for part in item["content"]?.arrayValue ?? [] {
                if let t = part["text"]?.stringValue { text = (text ?? "") + t }
            }
        }
        return text
    }

    /// The events that close a Responses stream and carry the final response. `response.incomplete`
    /// is what OpenAI sends instead of `response.completed` when `max_output_tokens` cuts the answer.
    static let closingEvents: Set<String> = ["response.completed", "response.incomplete"]

    static func stream(_ ex: Exchange) -> CheckResult {
        guard let s = ex.stream else {
            return .fail("content-type \(ex.contentType.isEmpty ? "missing" : ex.contentType), expected text/event-stream")
        }
        if ex.error != nil { return .fail("stream broken: \(ex.failure ?? ex.error!.kind)") }
        for v in s.violations {
            switch v.kind {
            case "error_field": return .fail("an `error:` SSE field (invisible to most clients)")
            case "invalid_utf8": return .fail("invalid UTF-8 in the stream")
            case "nul_byte": return .fail("NUL byte in the stream")
            case "line_too_long": return .fail("an SSE line longer than the parser's limit")
            default: continue
            }
        }
        var quirks: [String: JSONValue] = [:]
        var closing: (type: String, response: JSONValue)? = nil
        var sawDone = false
        var lastSequence: Int? = nil
        var deltas = ""
        var deltaCount = 0
        for (i, e) in s.events.enumerated() {
            if e.data == "[DONE]" {
                guard closing != nil else { return .fail("[DONE] (event \(i)) before response.completed") }
                sawDone = true
                quirks["responses_done_sentinel"] = .bool(true)
                continue
            }
            if sawDone { return .fail("event \(i) after [DONE]", quirks: quirks) }
            if let closing { return .fail("event \(i) after \(closing.type)", quirks: quirks) }
            guard let payload = e.json else {
                return .fail("event \(i) is not JSON: \(Assertions.show(.string(e.data)))", quirks: quirks)
            }
            if payload["object"]?.stringValue == "chat.completion.chunk" {
                return .fail("chat.completion.chunk events instead of Responses events", quirks: quirks)
            }
            guard let type = payload["type"]?.stringValue else { return .fail("event \(i) has no string `type`", quirks: quirks) }
            if e.event != "message", e.event != type {
                return .fail("event \(i): the `event:` line names \(TextSanitizer.oneLine(e.event, limit: 60)) but `type` is \(TextSanitizer.oneLine(type, limit: 60))", quirks: quirks)
            }
            if i == 0, type != "response.created" {
                return .fail("the first event is \(TextSanitizer.oneLine(type, limit: 60)), expected response.created", quirks: quirks)
            }
            if let n = payload["sequence_number"], !n.isNull {
                guard let seq = n.intValue else { return .fail("event \(i): sequence_number is not an integer", quirks: quirks) }
                if let last = lastSequence, seq <= last {
                    return .fail("sequence_number \(seq) after \(last) (event \(i))", quirks: quirks)
                }
                lastSequence = seq
            }
            switch type {
            case "response.output_text.delta":
                guard let d = payload["delta"]?.stringValue else { return .fail("event \(i): a text delta without a string `delta`", quirks: quirks) }
                deltas += d
                deltaCount += 1
            case "error", "response.failed":
                let message = payload["error"]?["message"]?.stringValue ?? payload["response"]?["error"]?["message"]?.stringValue
                    ?? payload["message"]?.stringValue ?? "no message"
                return .fail("the stream reports \(type): \(TextSanitizer.oneLine(message, limit: 100))", quirks: quirks)
            case _ where closingEvents.contains(type):
                guard let response = payload["response"], response["object"]?.stringValue == "response" else {
                    return .fail("\(type) without a response object", quirks: quirks)
                }
                closing = (type, response)
            default:
                break
            }
        }
        guard let closing else { return .fail("no response.completed event (\(s.eventCount) events)", quirks: quirks) }
        let final = outputText(closing.response) ?? ""
        guard deltas == final else {
            return .fail("the \(deltaCount) output_text deltas join to \(deltas.count) characters, the final text has \(final.count): they differ",
                         quirks: quirks)
        }
        let ending = closing.type == "response.completed" ? "" : " (\(closing.type): the answer was cut)"
        let done = sawDone ? ", then data: [DONE]" : ""
        return .pass("\(s.eventCount) events, \(deltaCount) text deltas joining to the final text\(ending)\(done)", quirks: quirks)
    }

    static func functionCall(_ ex: Exchange, tool: String?) -> CheckResult {
        guard let body = ex.json else { return .fail("body is not JSON") }
        guard body["object"]?.stringValue == "response" else { return .fail("`object` is not \"response\"") }
        let calls = (body["output"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "function_call" }
        guard !calls.isEmpty else { return .fail("no function_call output item") }
        for (i, call) in calls.enumerated() {
            guard let callID = call["call_id"]?.stringValue, !callID.isEmpty else { return .fail("function_call \(i) has no call_id") }
            guard let name = call["name"]?.stringValue else { return .fail("function_call \(i) has no string name") }
            if let tool, name != tool {
                return .fail("function_call \(i) calls \(TextSanitizer.oneLine(name, limit: 60)), not \(tool)")
            }
            guard let arguments = call["arguments"]?.stringValue else { return .fail("function_call \(i): arguments are not a string") }
            let embedded = EmbeddedJSON(arguments)
            if let why = embedded.undecided("the arguments of function_call \(i)") { return .undecided(why) }
            guard embedded.value != nil else {
                return .fail("function_call \(i): arguments do not parse as JSON: \(Assertions.show(.string(arguments)))")
            }
        }
        return .pass("\(calls.count) function_call item(s) of \(tool ?? "a tool") with a call_id and JSON arguments")
    }
}
