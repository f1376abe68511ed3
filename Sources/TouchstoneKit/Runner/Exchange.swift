import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// A request as prepared for sending (templates resolved, URL joined).
public struct PreparedRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    /// The path as the suite wrote it (`/chat/completions`), for grouping in checks.
    public var path: String
    public var join: RequestTemplate.Join
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// The body as JSON when it was built from a template (nil for raw bodies).
    public var json: JSONValue?

    var fingerprint: String {
        let h = headers.map { "\($0.name.lowercased()):\($0.value)" }.sorted().joined(separator: "\n")
        return "\(method) \(url)\n\(h)\n\n" + String(decoding: body ?? [], as: UTF8.self)
    }

    public var wantsStream: Bool { json?["stream"]?.boolValue == true }
}

/// One SSE event of a streamed response, with its arrival time.
public struct StreamEvent: Sendable {
    public var data: String
    public var json: JSONValue?
    /// Milliseconds since the request started.
    public var atMs: Double
    public var event: String
}

/// What the SSE layer saw on a streamed response.
public struct StreamRecord: Sendable {
    /// Events kept (capped); `eventCount` counts all of them.
    public var events: [StreamEvent] = []
    public var eventCount = 0
    public var violations: [SSEViolation] = []
    public var comments = 0
    public var sawDone = false
    /// Data payloads after `[DONE]`.
    public var afterDone = 0
}

/// A finished exchange with the upstream: the last attempt's response, or its failure.
public struct Exchange: Sendable {
    public var request: PreparedRequest
    public var status: Int?
    public var headers: [HTTPHeader] = []
    public var redirects: [RedirectHop] = []
    /// The body (non-stream responses), capped at the request's body limit.
    public var body: [UInt8] = []
    public var json: JSONValue?
    public var stream: StreamRecord?
    public var error: TransferError?
    /// `error` in words, naming the fault (`connection reset after headers (HTTP 200)`,
    /// `stream stalled after 3 events (idle timeout 2 s)`); set by the transport.
    public var failure: String?
    /// Body bytes received (all of them, also those not kept).
    public var receivedBytes = 0
    /// Milliseconds without a byte (head or body) when the transfer ended: near the timeout for
    /// a stalled server, short for a slow but steady one.
    public var silenceAtEndMs: Double = 0
    public var attempts = 1
    /// Why earlier attempts were retried (`429`, `503`, `reset`).
    public var retryReasons: [String] = []
    public var elapsedMs: Double = 0
    public var ttfbMs: Double?
    /// Set when this is the answer of a re-run alone (the first try, with other requests in
    /// flight, ended in a way load can cause).
    public var aloneRerun: AloneRerun?

    public var contentType: String { headers.value(for: "content-type")?.lowercased() ?? "" }
    public var isStream: Bool { stream != nil }

    /// The `error.message` (or similar) of an error body, one line.
    public var errorMessage: String? {
        if let j = json {
            if let m = j["error"]?["message"]?.stringValue { return m }
            if let m = j["error"]?.stringValue { return m }
            if let m = j["message"]?.stringValue { return m }
            if let m = j["detail"]?.stringValue { return m }
            if let m = j[0]?["error"]?["message"]?.stringValue { return m }
        }
        return body.isEmpty ? nil : TextSanitizer.oneLine(String(decoding: body.prefix(300), as: UTF8.self), limit: 120)
    }

    /// One line: `HTTP 200`, `HTTP 404: model not found`, `HTTP 502, an HTML page: "502 Bad
    /// Gateway"`, `connection reset after headers (HTTP 200, reset)`.
    public var summary: String {
        if let error {
            if let failure { return failure }
            let got = status.map { " after HTTP \($0)" } ?? ""
            return "transport error \(error.kind)\(got)"
        }
        guard let status else { return "no response" }
        if status >= 400, let page = htmlTitle { return "HTTP \(status), an HTML page (\(contentType.isEmpty ? "untyped" : contentType)): \(page)" }
        if status >= 400, let m = errorMessage { return "HTTP \(status): \(TextSanitizer.oneLine(m, limit: 120))" }
        return "HTTP \(status)"
    }

    /// The `<title>` (or the start) of an HTML body, quoted; nil when the body is not HTML.
    var htmlTitle: String? {
        guard json == nil, stream == nil else { return nil }
        let head = String(decoding: body.prefix(2048), as: UTF8.self)
        let lower = head.lowercased()
        guard contentType.contains("html") || lower.hasPrefix("<!doctype html") || lower.hasPrefix("<html") else { return nil }
        if let open = head.range(of: "<title>", options: .caseInsensitive),
           let close = head.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<head.endIndex) {
            let title = head[open.upperBound..<close.lowerBound]
            return "\"\(TextSanitizer.oneLine(String(title), limit: 80))\""
        }
        return "\"\(TextSanitizer.oneLine(head, limit: 80))\""
    }

    /// Sum of completion tokens reported by this exchange (body or streamed usage).
    var completionTokens: Int {
        if let n = json?["usage"]?["completion_tokens"]?.intValue { return n }
        if let n = json?["usage"]?["output_tokens"]?.intValue { return n }
        if let s = stream {
            for e in s.events.reversed() {
                if let n = e.json?["usage"]?["completion_tokens"]?.intValue { return n }
            }
        }
        return 0
    }
}
