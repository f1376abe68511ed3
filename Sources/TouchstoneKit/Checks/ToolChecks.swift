import TouchstoneCore

enum ToolChecks {
    static let checks: [String: BuiltinCheck] = [
        "has_tool_calls": BuiltinCheck("choices[0].message.tool_calls is a non-empty list (of any shape)", examples: [
            .pass("1 tool call(s)", calls(ChatChecks.toolCall)),
            .pass("1 tool call(s)", calls("[{}]")),
            .fail("no tool_calls in the message", .chat()),
            .fail("no tool_calls in the message", calls("[]")),
        ]) { input in
            let calls = ChatFacts.message(input.exchange)?["tool_calls"]?.arrayValue ?? []
            return calls.isEmpty ? .fail("no tool_calls in the message") : .pass("\(calls.count) tool call(s)")
        },
        "tool_calls": BuiltinCheck(
            "well-formed tool_calls (id, type function, function.name, arguments parsing as JSON); `tool`: every call names it; `min`: at least this many; `validate`: arguments validate against the request's tool schema",
            arguments: ["tool", "min", "validate"],
            examples: [
                .pass("1 well-formed call(s): get_weather", calls(ChatChecks.toolCall), args: ["tool": "get_weather", "validate": true]),
                .fail("called get_weather, expected lookup", calls(ChatChecks.toolCall), args: ["tool": "lookup"]),
                .fail("1 tool call(s), expected at least 2", calls(ChatChecks.toolCall), args: ["min": 2]),
                .fail("arguments of get_weather do not validate", calls(call(#"{"town":"Paris"}"#)), args: ["validate": true]),
                .fail("called unknown tool lookup", calls(call("{}", name: "lookup")), args: ["validate": true]),
                .fail("tool_calls[0] has no id", calls(#"[{"type":"function","function":{"name":"get_weather","arguments":"{}"}}]"#)),
                .fail("tool_calls[0] arguments are not a string",
                      calls(#"[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{"city":"Paris"}}}]"#)),
                .fail("tool_calls[0] arguments do not parse as JSON", calls(call(#"{"city": "Par"#))),
                .fail("no tool_calls in the message", .chat()),
                .undecided("the arguments of tool_calls[0] is JSON holding", calls(call(ChatChecks.hugeJSON))),
            ]
        ) { input in
            guard let message = ChatFacts.message(input.exchange) else { return .fail("no choices[0].message") }
            let calls = message["tool_calls"]?.arrayValue ?? []
            if calls.isEmpty { return .fail("no tool_calls in the message") }
            let tools = toolSchemas(input.exchange.request.json)
            for (i, call) in calls.enumerated() {
                if let args = call["function"]?["arguments"]?.stringValue,
                   let why = EmbeddedJSON(args).undecided("the arguments of tool_calls[\(i)]") { return .undecided(why) }
                if let why = malformed(call) { return .fail("tool_calls[\(i)] \(why)") }
                let name = call["function"]!["name"]!.stringValue!
                if let want = input.string("tool"), name != want {
                    return .fail("called \(name), expected \(want)")
                }
                if input.bool("validate") {
                    guard let schema = tools[name] else { return .fail("called unknown tool \(name)") }
                    let args = EmbeddedJSON(call["function"]!["arguments"]!.stringValue!).value ?? .null
                    if let first = JSONSchemaValidator.validate(args, against: schema).first {
                        return .fail("arguments of \(name) do not validate: \(first)")
                    }
                }
            }
            if let min = input.int("min"), calls.count < min {
                return .fail("\(calls.count) tool call(s), expected at least \(min)")
            }
            let names = calls.compactMap { $0["function"]?["name"]?.stringValue }
            return .pass("\(calls.count) well-formed call(s): \(names.joined(separator: ", "))")
        },
        "stream_has_tool_calls": BuiltinCheck("some streamed delta carries tool_calls", examples: [
            .pass("1 tool-call delta(s)", .stream([StreamChecks.role, toolDelta(first(#"{}"#)), finish, "[DONE]"])),
            .fail("no tool call in the stream", .chatStream()),
            .fail("not a stream", calls(ChatChecks.toolCall)),
        ]) { input in
            guard let s = input.exchange.stream else { return .fail("not a stream") }
            let n = s.events.reduce(0) { n, e in
                n + (e.json?["choices"]?.arrayValue ?? []).filter { $0["delta"]?["tool_calls"]?.arrayValue?.isEmpty == false }.count
            }
            return n > 0 ? .pass("\(n) tool-call delta(s)") : .fail("no tool call in the stream")
        },
        "stream_tool_calls": BuiltinCheck(
            "streamed tool calls: integer index on every delta; id, type function and name on the first delta of each index; fragments join to JSON; finish_reason tool_calls or stop",
            records: ["tool_call_streaming"],
            examples: [
                .pass("1 streamed call(s), incremental, finish_reason tool_calls",
                      .stream([StreamChecks.role, toolDelta(first(#"{"ci"#)), toolDelta(more(#"ty": "Paris"}"#)), finish, "[DONE]"]),
                      quirks: ["tool_call_streaming": "incremental"]),
                .pass("1 streamed call(s), whole, finish_reason tool_calls",
                      .stream([StreamChecks.role, toolDelta(first(#"{"city": "Paris"}"#)), finish, "[DONE]"]),
                      quirks: ["tool_call_streaming": "whole"]),
                .fail("a tool-call delta has no integer index (event 1)",
                      .stream([StreamChecks.role, toolDelta(#"{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}"#), finish])),
                .fail("the first delta of tool call 0 has no id", .stream([StreamChecks.role, toolDelta(more("{}")), finish])),
                .fail("arguments of tool call 0 do not join to valid JSON", .stream([StreamChecks.role, toolDelta(first(#"{"ci"#)), finish])),
                .fail("finish_reason is length, expected tool_calls or stop",
                      .stream([StreamChecks.role, toolDelta(first("{}")), StreamChecks.chunk("{}", finish: "length"), "[DONE]"])),
                .fail("no tool call in the stream", .chatStream()),
            ]
        ) { input in streamToolCalls(input.exchange) },
    ]

    // Fixtures of the examples: a request declaring get_weather(city), answers calling tools.
    static let toolsRequest = #"{"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}"#
    static func calls(_ toolCalls: String) -> ExchangeFixture {
        .chat(nil, finish: "tool_calls", toolCalls: toolCalls, request: toolsRequest)
    }
    static func call(_ arguments: String, name: String = "get_weather") -> String {
        JSONValue.array([["id": "call_1", "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]])
            .serialized()
    }
    static func toolDelta(_ call: String) -> String { StreamChecks.chunk(#"{"tool_calls":[\#(call)]}"#) }
    /// The first delta of tool call 0 (id, type, name) and one with more of its arguments.
    static func first(_ fragment: String) -> String {
        JSONValue.object(["index": 0, "id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": .string(fragment)]])
            .serialized()
    }
    static func more(_ fragment: String) -> String {
        JSONValue.object(["index": 0, "function": ["arguments": .string(fragment)]]).serialized()
    }
    static let finish = StreamChecks.chunk("{}", finish: "tool_calls")

    /// Why a non-streamed tool call is malformed, or nil.
    static func malformed(_ call: JSONValue) -> String? {
        guard let id = call["id"]?.stringValue, !id.isEmpty else { return "has no id" }
        guard call["type"]?.stringValue == "function" else { return "type is not \"function\"" }
        guard let name = call["function"]?["name"]?.stringValue, !name.isEmpty else { return "has no function.name" }
        guard let args = call["function"]?["arguments"]?.stringValue else { return "arguments are not a string" }
        if case .invalid = EmbeddedJSON(args) { return "arguments do not parse as JSON" }
        return nil
    }

    /// Parameter schemas of the tools a request declared, by name.
    static func toolSchemas(_ body: JSONValue?) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for t in body?["tools"]?.arrayValue ?? [] {
            if let name = t["function"]?["name"]?.stringValue {
                out[name] = t["function"]?["parameters"] ?? .object([:])
            }
        }
        return out
    }

    static func streamToolCalls(_ ex: Exchange) -> CheckResult {
        guard let s = ex.stream else { return .fail("not a stream") }
        struct Call { var id: String; var name: String; var args: String; var deltas: Int }
        var calls: [Int: Call] = [:]
        var finish: String? = nil
        for (i, e) in s.events.enumerated() {
            guard let c = e.json else { continue }
            for choice in c["choices"]?.arrayValue ?? [] {
                if let r = choice["finish_reason"]?.stringValue { finish = r }
                for d in choice["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    guard let index = d["index"]?.intValue else {
                        return .fail("a tool-call delta has no integer index (event \(i))")
                    }
                    let fragment = d["function"]?["arguments"]?.stringValue ?? ""
                    if var call = calls[index] {
                        call.args += fragment
                        call.deltas += 1
                        if let n = d["function"]?["name"]?.stringValue, !n.isEmpty, call.name.isEmpty { call.name = n }
                        calls[index] = call
                    } else {
                        guard let id = d["id"]?.stringValue, !id.isEmpty else {
                            return .fail("the first delta of tool call \(index) has no id")
                        }
                        guard d["type"]?.stringValue == "function" else {
                            return .fail("the first delta of tool call \(index) has no type \"function\"")
                        }
                        guard let name = d["function"]?["name"]?.stringValue, !name.isEmpty else {
                            return .fail("the first delta of tool call \(index) has no function.name")
                        }
                        calls[index] = Call(id: id, name: name, args: fragment, deltas: 1)
                    }
                }
            }
        }
        if calls.isEmpty { return .fail("no tool call in the stream") }
        for (index, call) in calls.sorted(by: { $0.key < $1.key }) {
            let embedded = EmbeddedJSON(call.args)
            if let why = embedded.undecided("the arguments of tool call \(index)") { return .undecided(why) }
            guard embedded.value != nil else {
                return .fail("arguments of tool call \(index) do not join to valid JSON")
            }
        }
        guard let finish, ["tool_calls", "stop"].contains(finish) else {
            return .fail("finish_reason is \(finish ?? "missing"), expected tool_calls or stop")
        }
        let style = calls.values.contains(where: { $0.deltas > 1 }) ? "incremental" : "whole"
        return .pass("\(calls.count) streamed call(s), \(style), finish_reason \(finish)",
                     quirks: ["tool_call_streaming": .string(style)])
    }
}
