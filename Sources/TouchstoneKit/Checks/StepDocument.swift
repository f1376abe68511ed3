import TouchstoneCore
import TouchstoneHTTP

/// The JSON document that assertions (`assert: [{path: ...}]`) look at for one step:
///
///     { "status": 200, "headers": {"content-type": "..."}, "content_type": "...",
///       "body": <parsed JSON or null>, "text": "<body text, capped>", "error": "<transport kind>" | null,
///       "redirects": [{"status": 307, "location": "..."}], "elapsed_ms": 12.5,
///       "stream": {"events": [<payload JSON or string>], "done": true, "after_done": 0,
///                  "comments": 0, "event_count": 5, "content": "<joined delta content>",
///                  "finish_reasons": ["stop"]} | null }
enum StepDocument {
    static func make(_ ex: Exchange) -> JSONValue {
        var headers: [String: JSONValue] = [:]
        for h in ex.headers { headers[h.name.lowercased()] = .string(h.value) }
        var doc: [String: JSONValue] = [
            "status": ex.status.map(JSONValue.int) ?? .null,
            "headers": .object(headers),
            "content_type": .string(ex.contentType),
            "body": ex.json ?? .null,
            "text": .string(String(decoding: ex.body.prefix(65536), as: UTF8.self)),
            "error": ex.error.map { .string($0.kind) } ?? .null,
            "redirects": .array(ex.redirects.map { .object(["status": .int($0.status), "location": .string($0.location)]) }),
            "elapsed_ms": .double(ex.elapsedMs),
            "stream": .null,
        ]
        if let s = ex.stream {
            doc["stream"] = .object([
                "events": .array(s.events.map { $0.json ?? .string($0.data) }),
                "done": .bool(s.sawDone),
                "after_done": .int(s.afterDone),
                "comments": .int(s.comments),
                "event_count": .int(s.eventCount),
                "content": .string(StreamFacts.content(s)),
                "finish_reasons": .array(StreamFacts.finishReasons(s).map(JSONValue.string)),
            ])
        }
        return .object(doc)
    }
}

/// Facts derived from a chat completion stream.
enum StreamFacts {
    static func chunks(_ s: StreamRecord) -> [JSONValue] { s.events.compactMap(\.json) }

    static func content(_ s: StreamRecord) -> String {
        var out = ""
        for c in chunks(s) {
            for choice in c["choices"]?.arrayValue ?? [] {
                if let t = choice["delta"]?["content"]?.stringValue { out += t }
            }
        }
        return out
    }

    static func finishReasons(_ s: StreamRecord) -> [String] {
        chunks(s).flatMap { c in
            (c["choices"]?.arrayValue ?? []).compactMap { $0["finish_reason"]?.stringValue }
        }
    }
}

/// The chat message content of a non-streamed response (first choice).
enum ChatFacts {
    static func message(_ ex: Exchange) -> JSONValue? { ex.json?["choices"]?[0]?["message"] }
    static func content(_ ex: Exchange) -> String? { message(ex)?["content"]?.stringValue }
    static func finishReason(_ ex: Exchange) -> String? { ex.json?["choices"]?[0]?["finish_reason"]?.stringValue }
}
