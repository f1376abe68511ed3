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
    /// Names of the headers that carry a credential (the key header, secret headers): a
    /// redirect to another origin is not followed while they are sent.
    public var credentialHeaders: Set<String> = []

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
    /// The body as JSON, nil when it is not JSON (or is a stream). A large body's tree is
    /// parsed when first asked for and dropped by `dropParsedTree()` (see `ParsedBody`).
    public var json: JSONValue? {
        get { parsed.value }
        set { parsed = ParsedBody(value: newValue) }
    }
    private var parsed = ParsedBody(value: nil)

    public init(request: PreparedRequest) {
        self.request = request
    }
    public var stream: StreamRecord?
    /// Set when the answer (a body, or a stream's events together) holds more JSON than a run
    /// builds a tree for (`JSONSize.limit`): none of it was parsed, and what the checks would
    /// read from it is not decided.
    public var tooComplex: JSONSize?
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

    /// The upstream redirected this request to another origin, and it was not followed.
    var wasRedirectedAcrossOrigins: Bool {
        if case .crossOriginRedirect = error { return true }
        return false
    }
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

    /// Completion tokens reported by this exchange (body or streamed usage); 0 when none is
    /// reported or the count is negative (the checks call that out; the run total ignores it).
    var completionTokens: Int {
        func count(_ v: JSONValue?) -> Int? { v?.intValue.map { max(0, $0) } }
        if let n = count(json?["usage"]?["completion_tokens"]) { return n }
        if let n = count(json?["usage"]?["output_tokens"]) { return n }
        if let s = stream {
            for e in s.events.reversed() {
                if let n = count(e.json?["usage"]?["completion_tokens"]) { return n }
            }
        }
        return 0
    }

    // MARK: What a run keeps

    /// Body bytes (or streamed data bytes) above which an answer is large: the session log
    /// keeps it outlined (`retained()`), and it is not kept for sharing once the cases that
    /// used it finished.
    static let retainedBytes = 64 << 10

    /// Bytes of each streamed event's data kept by `retained()`.
    static let retainedEventBytes = 256

    /// Sets the body's JSON from `bytes`: parsed at once when they are small, else on demand.
    mutating func setJSON(parsing bytes: [UInt8]) {
        parsed = bytes.count > Exchange.retainedBytes ? ParsedBody(parsing: bytes) : ParsedBody(value: parseJSON(bytes))
    }

    /// Drops a large body's parsed tree (it is parsed again if asked for); small bodies keep theirs.
    func dropParsedTree() { parsed.drop() }

    /// Whether the answer is larger than what a run keeps of it.
    var isLarge: Bool {
        body.count > Exchange.retainedBytes
            || (stream?.events.reduce(0) { $0 + $1.data.utf8.count } ?? 0) > Exchange.retainedBytes
    }

    /// The exchange as the session log keeps it for the rest of the run. A small answer is kept
    /// whole. A large one keeps its status, headers, request and counts, the first 64 KiB of its
    /// body, and of its JSON (and of each streamed event) only the outline the log's readers use
    /// (`outline`): the parsed tree of a 16 MiB body can take hundreds of megabytes.
    func retained() -> Exchange {
        guard isLarge else { return self }
        var out = self
        out.body = Array(body.prefix(Exchange.retainedBytes))
        out.json = json.map { Exchange.outline($0) }
        if var s = stream {
            for i in s.events.indices {
                if s.events[i].data.utf8.count > Exchange.retainedEventBytes {
                    s.events[i].data = String(decoding: s.events[i].data.utf8.prefix(Exchange.retainedEventBytes), as: UTF8.self)
                }
                s.events[i].json = s.events[i].json.map { Exchange.outline($0) }
            }
            out.stream = s
        }
        return out
    }

    /// Members of an answer the session log's readers look at (quirk observers, error
    /// envelopes, token counts): everything else of a large answer is dropped.
    static let outlineKeys: Set<String> = [
        "id", "object", "model", "choices", "index", "message", "delta", "role", "content", "reasoning_content",
        "reasoning", "finish_reason", "usage", "prompt_tokens", "completion_tokens", "output_tokens",
        "total_tokens", "error", "type", "code", "param", "detail", "title", "status",
    ]

    /// A bounded outline of a JSON value: objects keep only `outlineKeys`, arrays their first
    /// element, strings their first 4,096 characters, eight levels at most.
    static func outline(_ v: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 8 else { return .null }
        switch v {
        case .string(let s): return s.count > 4096 ? .string(String(s.prefix(4096))) : v
        case .array(let a): return .array(a.prefix(1).map { outline($0, depth: depth + 1) })
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for key in outlineKeys { if let m = o[key] { out[key] = outline(m, depth: depth + 1) } }
            return .object(out)
        default: return v
        }
    }
}

/// The parsed JSON of a response body. A small body's tree is kept. A large one (over
/// `Exchange.retainedBytes`) is parsed when first asked for and kept until `drop()`, then
/// parsed again if asked again: the tree of a 16 MiB body can take hundreds of megabytes, and
/// a run must not hold one for every answer in flight or waiting for its case's next step.
/// Copies of an exchange share one `ParsedBody`.
final class ParsedBody: @unchecked Sendable {
    private let lock = NSLock()
    private let source: [UInt8]?
    private var tree: JSONValue?
    private var isParsed: Bool

    init(value: JSONValue?) {
        source = nil
        tree = value
        isParsed = true
    }

    init(parsing bytes: [UInt8]) {
        source = bytes
        tree = nil
        isParsed = false
    }

    var value: JSONValue? {
        lock.withLock {
            if !isParsed, let source {
                tree = parseJSON(source)
                isParsed = true
            }
            return tree
        }
    }

    func drop() {
        let dropped = lock.withLock { () -> Bool in
            guard source != nil, isParsed else { return false }
            tree = nil
            isParsed = false
            return true
        }
        #if os(Linux)
        // The tree's million small blocks are free now; hand their pages back to the system
        // (glibc keeps them per thread arena otherwise, and the peak would add up anyway).
        if dropped { _ = glibcMallocTrim(0) }
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (not in the Glibc module map).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

