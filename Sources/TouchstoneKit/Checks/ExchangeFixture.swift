import TouchstoneCore
import TouchstoneHTTP

/// An exchange written out for a check's examples: the status, the content type, and the body
/// as text (JSON, or SSE events that the real SSE parser reads), with the request's JSON body
/// when a check reads it. `exchange()` makes the `Exchange` a run would have recorded.
struct ExchangeFixture: Sendable {
    var status: Int
    var contentType: String
    var body: String
    /// A stream's events as written on the wire (`data: {…}`), one per event.
    var events: [String] = []
    /// The request's JSON body (`stream_options`, `tools`), as text.
    var request: String?
    var path = "/chat/completions"
    /// The transfer broke after the head (the connection was reset mid-body).
    var isCut = false

    var isStream: Bool { contentType.hasPrefix("text/event-stream") }

    /// A JSON answer.
    static func json(_ body: String, status: Int = 200, request: String? = nil,
                            path: String = "/chat/completions") -> ExchangeFixture {
        ExchangeFixture(status: status, contentType: "application/json", body: body, request: request, path: path)
    }

    /// Any body with its content type (an HTML page, plain text, an empty body).
    static func text(_ body: String, status: Int, contentType: String = "text/plain") -> ExchangeFixture {
        ExchangeFixture(status: status, contentType: contentType, body: body)
    }

    /// A `text/event-stream` answer. Each event is a data payload (`{…}`, `[DONE]`) or, when it
    /// starts with `data:`, `event:`, `error:` or `:` (a comment), written as it goes on the wire.
    static func stream(_ events: [String], request: String? = nil) -> ExchangeFixture {
        let wire = events.map { e in ["data:", "event:", "error:", ":"].contains(where: e.hasPrefix) ? e : "data: " + e }
        return ExchangeFixture(status: 200, contentType: "text/event-stream", body: wire.joined(separator: "\n\n") + "\n\n",
                               events: wire, request: request)
    }

    /// A chat completion with one choice of `content` (nil: `null`), its finish reason, and
    /// `usage` (JSON text) or `tool_calls` (a JSON array as text) when given.
    static func chat(_ content: String? = "Hello there", finish: String? = "stop", usage: String? = nil,
                            toolCalls: String? = nil, request: String? = nil) -> ExchangeFixture {
        var message: [String: JSONValue] = ["role": "assistant", "content": content.map(JSONValue.string) ?? .null]
        if let toolCalls { message["tool_calls"] = parsed(toolCalls) }
        var body: [String: JSONValue] = [
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [["index": 0, "message": .object(message), "finish_reason": finish.map(JSONValue.string) ?? .null]],
        ]
        if let usage { body["usage"] = parsed(usage) }
        return .json(JSONValue.object(body).serialized(), request: request)
    }

    /// A chat completion stream: a role chunk, one chunk per content piece, a chunk with the
    /// finish reason, then `[DONE]`.
    static func chatStream(_ pieces: [String] = ["Hel", "lo"], finish: String = "stop", request: String? = nil) -> ExchangeFixture {
        func chunk(_ delta: JSONValue, _ finish: JSONValue = .null) -> String {
            JSONValue.object(["id": "c1", "object": "chat.completion.chunk",
                              "choices": [["index": 0, "delta": delta, "finish_reason": finish]]]).serialized()
        }
        let events = [chunk(["role": "assistant"])] + pieces.map { chunk(["content": .string($0)]) }
            + [chunk([:], .string(finish)), "[DONE]"]
        return .stream(events, request: request)
    }

    /// The same exchange with its transfer cut after the head.
    func cut() -> ExchangeFixture {
        var f = self
        f.isCut = true
        return f
    }

    private static func parsed(_ text: String) -> JSONValue {
        (try? JSONParser.parse(text)) ?? .string(text)
    }

    /// The exchange as the transport records it: the body parsed as JSON, or the stream's events
    /// collected by `StreamCollector` (the transport's own) with their JSON payloads.
    func exchange() -> Exchange {
        let requestJSON = request.flatMap { try? JSONParser.parse($0) }
        var ex = Exchange(request: PreparedRequest(
            method: request == nil ? "GET" : "POST", url: "http://upstream.test/v1" + path, path: path, join: .clean,
            headers: [], body: request.map { Array($0.utf8) }, json: requestJSON))
        ex.status = status
        ex.headers = contentType.isEmpty ? [] : [HTTPHeader("Content-Type", contentType)]
        let bytes = Array(body.utf8)
        ex.receivedBytes = bytes.count
        if isStream {
            var collector = StreamCollector(started: .now)
            collector.feed(bytes)
            var ttfb: Double? = nil
            ex.stream = collector.finish(curlFirstByteMs: 0, ttfbMs: &ttfb)
            ex.tooComplex = collector.tooComplex
            ex.body = bytes
        } else {
            ex.body = bytes
            let size = JSONSize.measure(bytes)
            if size.exceeds(.limit) { ex.tooComplex = size } else { ex.setJSON(parsing: bytes) }
        }
        if isCut {
            ex.error = .reset
            ex.failure = "connection reset after headers (HTTP \(status), reset)"
        }
        return ex
    }

    /// One line for listings: `HTTP 200 application/json {"id":…}` (long bodies shortened); a
    /// stream's head only when `withEvents` is false (its events are listed one per line).
    func rendered(limit: Int = 200, withEvents: Bool = true) -> String {
        var head = "HTTP \(status)"
        if !contentType.isEmpty { head += " \(contentType)" }
        if isCut { head += ", cut after the head" }
        if let request { head = "request \(Self.short(request, limit: 120)) → " + head }
        if isStream { return withEvents ? head + " " + Self.short(events.joined(separator: " ⏎ "), limit: limit) : head }
        if body.isEmpty { return head + ", empty body" }
        return head + " " + Self.short(body, limit: limit)
    }

    /// A stream's events for listings, each on one line and shortened.
    func renderedEvents(limit: Int = 160) -> [String] {
        events.map { Self.short($0.replacingOccurrences(of: "\n", with: " ⏎ "), limit: limit) }
    }

    static func short(_ s: String, limit: Int) -> String {
        TextSanitizer.oneLine(String(s.prefix(limit * 4)), limit: limit)
    }
}
