import TouchstoneCore

/// A way an upstream breaks below the API: at the socket, in the HTTP framing, or in what a
/// response is made of. Quirk knobs (`Knobs`) say how a working server behaves; a fault says how
/// it fails, and on which requests (its `scope`), so that a probe of it can show both that the
/// hit features end `broken` (or `untested` when their prerequisite broke) and that every other
/// feature keeps its verdict.
///
/// Faults act where a reply is written (`Connection`): the emulator still builds the reply
/// the knobs call for, then the fault rewrites it or delivers it wrongly.
public struct Fault: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: Kind
    public var scope: Scope

    public init(_ kind: Kind, scope: Scope) {
        self.kind = kind
        self.scope = scope
    }

    public var description: String { "\(kind.rawValue) on \(scope.rawValue)" }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Nothing listens: the port is bound but never accepts (connect gets RST). Scope ignored.
        case refused
        /// The status line and headers, a pause, then a TCP reset (RST) instead of the body.
        case resetAfterHeaders
        /// Half of the body (or the first few events of a stream), then the connection closes.
        case closeMidBody
        /// Bytes that are not HTTP (an SSH banner and binary), then the connection closes.
        case notHTTP
        /// Nothing at all until the client gives up.
        case stallBeforeHeaders
        /// The headers and the first few events, then nothing until the client gives up.
        case stallMidStream
        /// The headers at once, then the body one byte per second.
        case slowDrip
        /// A 50 MiB body (`Content-Length`), written in slices.
        case hugeBody
        /// A stream that never ends: its content events repeat forever, with no finish.
        case endlessStream
        /// Chunked framing cut short: a chunk declares more bytes than are sent before the close.
        case truncatedChunked
        /// Raw ESC, BEL, NUL, DEL, C1 and invalid UTF-8 bytes (and the request's key) inside the
        /// content, unescaped: the JSON or SSE payload is no longer valid.
        case controlBytesInContent
        /// ESC, BEL, DEL and invalid UTF-8 in the `Server` header of every response (clients
        /// tolerate them), and a NUL byte in a header of the responses in scope (clients must not).
        case controlBytesInHeaders
        /// A proxy's `502 Bad Gateway` HTML page instead of the answer.
        case htmlErrorPage
        /// `200 OK` carrying `{"error": {…}}` (a stream: an error event after the first chunk).
        case errorInside200
        /// `307` back to the same URL, forever.
        case redirectLoop
        /// The answer with the wrong `Content-Type`: a stream labelled `application/json`, a JSON
        /// body labelled `text/html`.
        case wrongContentType
        /// `429 Too Many Requests` every time, with `Retry-After: -inf` and
        /// `retry-after-ms: -1e20`: values no HTTP client may take as a wait (a naive
        /// `Int(seconds * 1000)` traps on them).
        case hostileRetryAfter
        /// The usage chunk of a stream with counts at the edge of 64 bits: `prompt_tokens`
        /// 9223372036854775807 and `completion_tokens` 9000000000000000000, whose sum
        /// overflows (`total_tokens` 1).
        case absurdUsage
        /// Every 2xx JSON body (not only those in scope) padded to about 15 MiB, under the
        /// prober's 16 MiB cap, with a `padding` member: 1.7 million small objects
        /// (`{"a":[]}`). The answers stay valid; only their size is hostile.
        case paddedBodies
    }

    /// The requests a fault hits; every other request is answered normally.
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
        /// `GET {base}/models` (`models.list`).
        case models
        /// Chat completions with `"stream": true` (`stream.*`).
        case streams
        /// `POST {base}/embeddings` (`embeddings.*`).
        case embeddings
        /// `POST {base}/responses` (`responses.basic`).
        case responses
        /// `POST {base}/completions` (`completions.legacy`).
        case completions

        /// Whether a request (already routed to `endpoint`) is in scope.
        func contains(_ endpoint: Emulator.Endpoint?, _ request: HTTPRequestMessage) -> Bool {
            switch self {
            case .models: return endpoint == .models
            case .embeddings: return endpoint == .embeddings
            case .responses: return endpoint == .responses
            case .completions: return endpoint == .completions
            case .streams:
                guard endpoint == .chat, let body = try? JSONParser.parse(request.body) else { return false }
                return body["stream"]?.boolValue == true
            }
        }
    }
}
