import TouchstoneCore

/// One HTTP header as sent or received (names keep their case; compare case-insensitively).
public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The last value of a header, case-insensitive.
    public func value(for name: String) -> String? {
        let lower = name.lowercased()
        return last(where: { $0.name.lowercased() == lower })?.value
    }
}

/// Per-request time limits, in seconds. `nil` means no limit for that phase.
public struct Timeouts: Sendable, Hashable {
    public var connect: Double?
    /// From the start of the request to the first response byte (headers).
    public var firstByte: Double?
    /// Longest silence allowed between two received chunks of the body.
    public var idle: Double?
    /// The whole transfer, including a streamed body.
    public var total: Double?

    public init(connect: Double? = 10, firstByte: Double? = nil, idle: Double? = nil, total: Double? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }
}

public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    public var timeouts: Timeouts
    /// Follow 307/308 (body re-sent) and other redirects, up to `maxRedirects`.
    public var followRedirects: Bool
    public var maxRedirects: Int
    /// Stop reading (error `.bodyTooLarge`) past this many body bytes.
    public var maxBodyBytes: Int
    /// Use a fresh connection and do not keep it (fault-injection cases).
    public var freshConnection: Bool
    /// Skip TLS verification (`--insecure`); reported in the run's output.
    public var insecure: Bool
    /// Names (any case) of the headers that carry a credential: the key header, secret
    /// headers. While the request carries one of them, or a password in its URL, a redirect to
    /// another origin (scheme, host or port) is not followed: the transfer fails with
    /// `.crossOriginRedirect` before anything is sent there. `Authorization`,
    /// `Proxy-Authorization` and `Cookie` always count.
    public var credentialHeaders: Set<String>

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                timeouts: Timeouts = Timeouts(), followRedirects: Bool = true, maxRedirects: Int = 5,
                maxBodyBytes: Int = 8 << 20, freshConnection: Bool = false, insecure: Bool = false,
                credentialHeaders: Set<String> = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.maxBodyBytes = maxBodyBytes
        self.freshConnection = freshConnection
        self.insecure = insecure
        self.credentialHeaders = credentialHeaders
    }

    /// Headers that carry a credential whatever the request says.
    public static let alwaysCredentials: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    /// Whether the request carries a credential that must stay with its origin.
    public var carriesCredentials: Bool {
        let names = Set(credentialHeaders.map { $0.lowercased() }).union(HTTPRequest.alwaysCredentials)
        if headers.contains(where: { names.contains($0.name.lowercased()) }) { return true }
        // `https://user:password@host/`: curl sends it as Basic auth.
        guard let scheme = url.range(of: "://") else { return false }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.contains("@")
    }
}

/// A redirect hop that the transfer followed.
public struct RedirectHop: Sendable, Hashable, Codable {
    public var status: Int
    public var location: String
    public init(status: Int, location: String) {
        self.status = status
        self.location = location
    }
}

/// The status line and headers of the final response (after redirects).
public struct HTTPHead: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPHeader]
    /// "1.1", "2", …
    public var httpVersion: String
    public var redirects: [RedirectHop]
    public init(status: Int, headers: [HTTPHeader], httpVersion: String, redirects: [RedirectHop]) {
        self.status = status
        self.headers = headers
        self.httpVersion = httpVersion
        self.redirects = redirects
    }
}

/// Timings of a finished transfer, seconds from its start.
public struct TransferTimings: Sendable, Hashable, Codable {
    public var connect: Double
    public var firstByte: Double
    public var total: Double
    public init(connect: Double = 0, firstByte: Double = 0, total: Double = 0) {
        self.connect = connect
        self.firstByte = firstByte
        self.total = total
    }
}

/// Why a transfer failed, by kind: the checks and reports name it.
public enum TransferError: Error, Sendable, Hashable {
    case refused
    case dns
    case timeout(TimeoutPhase)
    case reset
    /// The connection closed before the body was complete (mid-body, bad chunked encoding).
    case truncated
    case tls(String)
    case tooManyRedirects
    /// A redirect to another origin (scheme, host, port), not followed because the request
    /// carries a credential; the associated value is that origin (`http://host:port`).
    case crossOriginRedirect(String)
    case bodyTooLarge(Int)
    /// The server sent something that is not HTTP.
    case protocolError(String)
    case cancelled
    case other(code: Int, message: String)

    public enum TimeoutPhase: String, Sendable, Hashable { case connect, firstByte = "first_byte", idle, total }

    /// Stable short kind name used in verdict details and evidence (`timeout_idle`, `reset`, …).
    public var kind: String {
        switch self {
        case .refused: "refused"
        case .dns: "dns"
        case .timeout(let p): "timeout_\(p.rawValue)"
        case .reset: "reset"
        case .truncated: "truncated"
        case .tls: "tls"
        case .tooManyRedirects: "too_many_redirects"
        case .crossOriginRedirect: "cross_origin_redirect"
        case .bodyTooLarge: "body_too_large"
        case .protocolError: "protocol_error"
        case .cancelled: "cancelled"
        case .other: "transport_error"
        }
    }

    /// Connection-level failures retry once (features.md § Retry classification).
    public var isConnectionFailure: Bool {
        switch self {
        case .refused, .reset, .dns, .timeout(.connect): true
        default: false
        }
    }
}

extension TransferError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tls(let m), .protocolError(let m): "\(kind): \(m)"
        case .crossOriginRedirect(let origin): "\(kind): to \(origin)"
        case .bodyTooLarge(let n): "\(kind): more than \(n) bytes"
        case .other(let code, let m): "\(kind) (curl \(code)): \(m)"
        default: kind
        }
    }
}

/// Events of one streamed transfer, in order: `head`, zero or more `body`, then `end`.
/// A failure after `head` is thrown from the stream after the body events received so far.
public enum HTTPEvent: Sendable {
    case head(HTTPHead)
    case body([UInt8])
    case end(TransferTimings)
}

/// A fully received response.
public struct HTTPResponse: Sendable {
    public var head: HTTPHead
    public var body: [UInt8]
    public var timings: TransferTimings
    public init(head: HTTPHead, body: [UInt8], timings: TransferTimings) {
        self.head = head
        self.body = body
        self.timings = timings
    }
}
