import Foundation
import TouchstoneCore

/// One HTTP/1.1 request as the emulator's engine sees it: the raw request-target (doubled
/// slashes intact), lower-cased header names and the whole body.
struct HTTPRequestMessage: Sendable {
    var method: String
    /// The request-target exactly as sent, e.g. `/v1//chat/completions?x=1`.
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(method: String, target: String, version: String = "HTTP/1.1",
         headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    /// The first value of a header (names are case-insensitive).
    func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name == name }?.value
    }

    /// The target's path, before any `?`.
    var path: String {
        String(target.prefix { $0 != "?" })
    }

    /// The target's query including its `?`, or "".
    var querySuffix: String {
        guard let q = target.firstIndex(of: "?") else { return "" }
        return String(target[q...])
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    var keepsAlive: Bool {
        let tokens = (header("connection") ?? "").lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if version == "HTTP/1.0" { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }
}

/// What the emulator sends back. Responses are built whole before a byte is written, so a
/// later fault knob can rewrite any of them (truncate, corrupt, delay) at this one level.
enum Reply: Sendable {
    /// A response with a `Content-Length` body.
    case full(status: Int, headers: [(name: String, value: String)], body: [UInt8])
    /// A chunked response: one HTTP chunk per event, `Knobs.chunkDelay` between events.
    case stream(status: Int, headers: [(name: String, value: String)], events: [[UInt8]])
    /// Close the connection without sending anything.
    case drop

    /// The reply with extra headers (ignored for `.drop`).
    func adding(_ extra: [(name: String, value: String)]) -> Reply {
        switch self {
        case .full(let s, let h, let b): .full(status: s, headers: h + extra, body: b)
        case .stream(let s, let h, let e): .stream(status: s, headers: h + extra, events: e)
        case .drop: .drop
        }
    }

    static func json(_ status: Int, _ value: JSONValue, contentType: String = "application/json") -> Reply {
        .full(status: status, headers: [("content-type", contentType)], body: value.serializedBytes())
    }
}

enum HTTPStatus {
    static func phrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
