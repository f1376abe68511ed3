import TouchstoneCore

enum StreamChecks {
    static let checks: [String: BuiltinCheck] = [
        "chunk_stream": BuiltinCheck(
            "text/event-stream of chat.completion.chunk payloads: constant id, role in the first delta, non-empty choices (but a usage chunk asked for), exactly one finish_reason, no SSE error fields",
            records: ["sse_comments"],
            examples: [
                .pass("4 chat.completion.chunk events, one finish_reason", .chatStream()),
                .pass("3 chat.completion.chunk events", .stream([": keep-alive", role, chunk(#"{"content":"Hi"}"#), finish, "[DONE]"]),
                      quirks: ["sse_comments": true]),
                .fail("chunk id changed from c1 to c2", .stream([role, chunk(#"{"content":"Hi"}"#, id: "c2"), finish, "[DONE]"])),
                .fail(#"the first delta has no role "assistant""#, .stream([chunk(#"{"content":"Hi"}"#), finish, "[DONE]"])),
                .fail("2 chunks carry a finish_reason, expected exactly one",
                      .stream([role, chunk(#"{"content":"Hi"}"#, finish: "stop"), finish, "[DONE]"])),
                .fail("without a finish_reason: cut short", .stream([role, chunk(#"{"content":"Hi"}"#), "[DONE]"])),
                .fail("a usage chunk nobody asked for (no stream_options.include_usage)",
                      .stream([role, chunk(#"{"content":"Hi"}"#), finish, usageChunk(ChatChecks.usageJSON(5, 1, 6)), "[DONE]"])),
                .pass("4 chat.completion.chunk events",
                      .stream([role, chunk(#"{"content":"Hi"}"#), finish, usageChunk(ChatChecks.usageJSON(5, 1, 6)), "[DONE]"],
                              request: #"{"stream":true,"stream_options":{"include_usage":true}}"#)),
                .fail("event 1 is not JSON", .stream([role, "Hi", finish, "[DONE]"])),
                .fail("an `error:` SSE field", .stream([role, "error: overloaded", finish, "[DONE]"])),
                .fail("stream broken: connection reset after headers", .chatStream().cut()),
                .fail("content-type application/json, expected text/event-stream", .chat()),
            ]
        ) { input in chunkStream(input.exchange) },
        "done_sentinel": BuiltinCheck("the last data payload is [DONE] and nothing follows it", examples: [
            .pass("[DONE] ends the stream", .chatStream()),
            .fail("the stream ended without data: [DONE]", .stream([role, finish])),
            .fail("1 event(s) after data: [DONE]", .stream([role, finish, "[DONE]", usageChunk(ChatChecks.usageJSON(5, 1, 6))])),
            .fail("not a stream", .chat()),
        ]) { input in
            guard let s = input.exchange.stream else { return .fail("not a stream, expected text/event-stream ending with data: [DONE]") }
            guard s.sawDone else { return .fail("the stream ended without data: [DONE], expected it as the last payload") }
            if s.afterDone > 0 { return .fail("\(s.afterDone) event(s) after data: [DONE], expected nothing after it") }
            return .pass("[DONE] ends the stream")
        },
        "stream_usage": BuiltinCheck(
            "a chunk carries integer usage; with `after_finish`, after the finish_reason chunk and before [DONE]",
            arguments: ["after_finish"], records: ["usage_chunk_choices"],
            examples: [
                .pass("usage in event 3 (usage 5+1=6)", .stream([role, chunk(#"{"content":"Hi"}"#), finish, usageChunk(ChatChecks.usageJSON(5, 1, 6)), "[DONE]"]),
                      args: ["after_finish": true], quirks: ["usage_chunk_choices": "empty"]),
                .pass("usage in event 2", .stream([role, chunk(#"{"content":"Hi"}"#), chunk("{}", finish: "stop", usage: ChatChecks.usageJSON(5, 1, 6)), "[DONE]"]),
                      args: ["after_finish": true], quirks: ["usage_chunk_choices": "nonempty"]),
                .fail("usage only before the finish_reason chunk",
                      .stream([chunk(#"{"role":"assistant"}"#, usage: ChatChecks.usageJSON(5, 0, 5)), finish, "[DONE]"]), args: ["after_finish": true]),
                .pass("usage in event 0", .stream([chunk(#"{"role":"assistant"}"#, usage: ChatChecks.usageJSON(5, 0, 5)), finish, "[DONE]"])),
                .fail("usage chunk (event 2): usage is inconsistent: 5 + 1 != 7", .stream([role, finish, usageChunk(ChatChecks.usageJSON(5, 1, 7)), "[DONE]"])),
                .fail("no chunk carries usage", .chatStream()),
                .fail("not a stream", .chat(usage: ChatChecks.usageJSON(5, 1, 6))),
            ]
        ) { input in streamUsage(input.exchange, afterFinish: input.bool("after_finish")) },
        "stream_usage_present": BuiltinCheck("some chunk before [DONE] carries a non-null `usage` (of any content or type: `stream_usage` judges it)", examples: [
            .pass("usage in event 2", .stream([role, finish, usageChunk(#"{"tokens":"many"}"#), "[DONE]"])),
            .fail("no chunk carries usage", .chatStream()),
            .fail("no chunk carries usage", .stream([role, finish, "[DONE]", usageChunk(ChatChecks.usageJSON(5, 1, 6))])),
            .fail("not a stream", .chat(usage: ChatChecks.usageJSON(5, 1, 6))),
        ]) { input in
            guard let s = input.exchange.stream else { return .fail("not a stream") }
            for (i, e) in s.events.enumerated() {
                if e.data == "[DONE]" { break }
                if let u = e.json?["usage"], !u.isNull { return .pass("usage in event \(i)") }
            }
            return .fail("no chunk carries usage")
        },
    ]

    // Fixtures of the examples: chunks with one choice, and a usage chunk without a choice.
    static func chunk(_ delta: String, finish: String? = nil, usage: String? = nil, id: String = "c1") -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"{"choices":[{"delta":\#(delta),"finish_reason":\#(reason),"index":0}],"id":"\#(id)","object":"chat.completion.chunk""#
            + (usage.map { #","usage":\#($0)"# } ?? "") + "}"
    }
    static let role = chunk(#"{"role":"assistant"}"#)
    static let finish = chunk("{}", finish: "stop")
    static func usageChunk(_ usage: String) -> String {
        #"{"choices":[],"id":"c1","object":"chat.completion.chunk","usage":\#(usage)}"#
    }

    static func chunkStream(_ ex: Exchange) -> CheckResult {
        guard let s = ex.stream else {
            return .fail("content-type \(ex.contentType.isEmpty ? "missing" : ex.contentType), expected text/event-stream")
        }
        var quirks: [String: JSONValue] = [:]
        if s.comments > 0 { quirks["sse_comments"] = .bool(true) }
        if let error = ex.error { return .fail("stream broken: \(ex.failure ?? error.kind)", quirks: quirks) }
        for v in s.violations {
            switch v.kind {
            case "error_field": return .fail("an `error:` SSE field (invisible to most clients)", quirks: quirks)
            case "invalid_utf8": return .fail("invalid UTF-8 in the stream", quirks: quirks)
            case "nul_byte": return .fail("NUL byte in the stream", quirks: quirks)
            case "line_too_long": return .fail("an SSE line longer than the parser's limit", quirks: quirks)
            default: continue
            }
        }
        var id: String? = nil
        var sawRole = false
        var sawDelta = false
        var finishes = 0
        var payloads = 0
        let usageAsked = ex.request.json?["stream_options"]?["include_usage"]?.boolValue == true
        for (i, e) in s.events.enumerated() {
            if e.data == "[DONE]" { continue }
            payloads += 1
            guard let c = e.json else {
                return .fail("event \(i) is not JSON: \(Assertions.show(.string(e.data)))", quirks: quirks)
            }
            if c["error"] != nil { return .fail("an error object inside the stream (event \(i))", quirks: quirks) }
            guard c["object"]?.stringValue == "chat.completion.chunk" else {
                return .fail("event \(i) has object \(c["object"].map { Assertions.show($0) } ?? "missing"), expected chat.completion.chunk", quirks: quirks)
            }
            guard let cid = c["id"]?.stringValue else { return .fail("event \(i) has no string id", quirks: quirks) }
            if let id, id != cid { return .fail("chunk id changed from \(id) to \(cid)", quirks: quirks) }
            id = cid
            let choices = c["choices"]?.arrayValue ?? []
            if choices.isEmpty {
                // Only the usage chunk a client asked for may come without a choice: a client
                // that reads chunk.choices[0] in its loop crashes on any other.
                let isUsage = c["usage"].map { !$0.isNull } ?? false
                if !(isUsage && usageAsked) {
                    let what = isUsage ? "a usage chunk nobody asked for (no stream_options.include_usage)"
                                       : "a chunk"
                    return .fail("event \(i) is \(what) with \(c["choices"] == nil ? "no `choices`" : "`choices: []`"): a client that reads chunk.choices[0] would crash", quirks: quirks)
                }
            }
            for choice in choices {
                if let delta = choice["delta"], !sawDelta {
                    sawDelta = true
                    sawRole = delta["role"]?.stringValue == "assistant"
                    if !sawRole { return .fail("the first delta has no role \"assistant\"", quirks: quirks) }
                }
                if let r = choice["finish_reason"], !r.isNull { finishes += 1 }
            }
        }
        if payloads == 0 { return .fail("the stream carried no data event, expected chat.completion.chunk events", quirks: quirks) }
        if !sawDelta { return .fail("no chunk carries a delta, expected deltas with the answer", quirks: quirks) }
        if finishes == 0 {
            let end = s.sawDone ? "ended with [DONE]" : "ended"
            return .fail("the stream \(end) after \(payloads) chunk(s) without a finish_reason: cut short, expected one chunk with finish_reason", quirks: quirks)
        }
        if finishes > 1 { return .fail("\(finishes) chunks carry a finish_reason, expected exactly one", quirks: quirks) }
        return .pass("\(payloads) chat.completion.chunk events, one finish_reason", quirks: quirks)
    }

    static func streamUsage(_ ex: Exchange, afterFinish: Bool) -> CheckResult {
        guard let s = ex.stream else { return .fail("not a stream") }
        var finishSeen = false
        var found: (Int, JSONValue)? = nil
        var usageBeforeFinish = false
        for (i, e) in s.events.enumerated() {
            if e.data == "[DONE]" { break }
            guard let c = e.json else { continue }
            if let u = c["usage"], !u.isNull {
                if !finishSeen { usageBeforeFinish = true }
                if finishSeen || !afterFinish { found = (i, c) }
            }
            for choice in c["choices"]?.arrayValue ?? [] where !(choice["finish_reason"]?.isNull ?? true) {
                finishSeen = true
                // Usage in the finish chunk itself counts as after it.
                if let u = c["usage"], !u.isNull { found = (i, c) }
            }
        }
        guard let (i, chunk) = found else {
            if afterFinish && usageBeforeFinish { return .fail("usage only before the finish_reason chunk") }
            return .fail("no chunk carries usage")
        }
        let choices = chunk["choices"]?.arrayValue ?? []
        var quirks: [String: JSONValue] = ["usage_chunk_choices": .string(choices.isEmpty ? "empty" : "nonempty")]
        let u = ChatChecks.usage(chunk["usage"]!)
        if !u.passed {
            quirks = [:]
            return .fail("usage chunk (event \(i)): \(u.message)")
        }
        return .pass("usage in event \(i) (\(u.message))", quirks: quirks)
    }
}
