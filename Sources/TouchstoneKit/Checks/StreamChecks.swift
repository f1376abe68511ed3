import TouchstoneCore

enum StreamChecks {
    static let checks: [String: BuiltinCheck] = [
        "chunk_stream": BuiltinCheck(
            "text/event-stream of chat.completion.chunk payloads: constant id, role in the first delta, non-empty choices (but a usage chunk asked for), exactly one finish_reason, no SSE error fields",
            records: ["sse_comments"]
        ) { input in chunkStream(input.exchange) },
        "done_sentinel": BuiltinCheck("the last data payload is [DONE] and nothing follows it") { input in
            guard let s = input.exchange.stream else { return .fail("not a stream, expected text/event-stream ending with data: [DONE]") }
            guard s.sawDone else { return .fail("the stream ended without data: [DONE], expected it as the last payload") }
            if s.afterDone > 0 { return .fail("\(s.afterDone) event(s) after data: [DONE], expected nothing after it") }
            return .pass("[DONE] ends the stream")
        },
        "stream_usage": BuiltinCheck(
            "a chunk carries integer usage; with `after_finish`, after the finish_reason chunk and before [DONE]",
            arguments: ["after_finish"], records: ["usage_chunk_choices"]
        ) { input in streamUsage(input.exchange, afterFinish: input.bool("after_finish")) },
        "stream_usage_present": BuiltinCheck("some chunk before [DONE] carries a `usage` object (of any content)") { input in
            guard let s = input.exchange.stream else { return .fail("not a stream") }
            for (i, e) in s.events.enumerated() {
                if e.data == "[DONE]" { break }
                if let u = e.json?["usage"], !u.isNull { return .pass("usage in event \(i)") }
            }
            return .fail("no chunk carries usage")
        },
    ]

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
