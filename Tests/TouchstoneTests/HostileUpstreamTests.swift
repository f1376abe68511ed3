import Foundation
import Testing
import TouchstoneCore
import TouchstoneHTTP
@testable import TouchstoneKit

/// Upstreams that answer with values chosen to break the harness: rate-limit headers that do
/// not fit in a number, token counts at the edge of `Int`, redirects that would carry the key
/// to another origin. Each ends in a report (never a trap), and no credential leaves the
/// origin the user named. Real sockets (`RawServer`), real libcurl.
@Suite("Hostile upstreams", .serialized)
struct HostileUpstreamTests {
    // MARK: Retry-After

    /// `Retry-After` values that are not HTTP's (delta-seconds or an HTTP-date): -inf traps
    /// a naive `Int(seconds * 1000)`, nan and inf wait the whole cap.
    static let hostileRetryAfter = [
        "Retry-After: -inf", "Retry-After: -9.3e15", "retry-after-ms: -1e20", "Retry-After: nan",
        "Retry-After: inf", "retry-after-ms: nan", "Retry-After: 1e400", "Retry-After: -5",
        "Retry-After: 0x10", "Retry-After: 99999999999999999999999999",
    ]

    @Test("a 429 with a hostile Retry-After is retried after the default backoff, never a trap or the whole cap",
          arguments: hostileRetryAfter)
    func hostileRetryAfterIsIgnored(header: String) async throws {
        let count = Counter()
        let server = try RawServer { conn in
            guard conn.readRequest() != nil else { return }
            if count.next() == 1 {
                conn.write("HTTP/1.1 429 Too Many Requests\r\n\(header)\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            } else {
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            }
        }
        defer { server.stop() }
        let transport = Transport(client: .shared, limiter: AsyncSemaphore(1),
                                  options: ProbeOptions(timeout: 30, maxRetries: 2, maxRetryAfter: 20), insecure: false)
        let ex = await transport.perform(PreparedRequest(method: "GET", url: server.url("/v1/models"), path: "/models",
                                                         join: .clean, headers: [], body: nil, json: nil))
        #expect(ex.status == 200, "\(ex.summary)")
        #expect(ex.attempts == 2 && ex.retryReasons == ["429"])
        // The default backoff is 1 s; the 20 s cap would mean the header was taken as infinite.
        #expect(ex.elapsedMs < 15_000, "\(header): waited \(ex.elapsedMs) ms")
    }

    // MARK: Token counts

    /// A chat completion whose usage counts are at the edge of `Int`.
    static func absurdUsageBody(prompt: String, completion: String, total: String) -> String {
        #"{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(total)}}"#
    }

    @Test("token counts at Int.max: chat.usage is broken with the counts named, the run total does not overflow",
          arguments: [("9223372036854775807", "1", "9223372036854775807"),
                      ("9000000000000000000", "9000000000000000000", "1"),
                      ("-9223372036854775808", "-1", "9223372036854775807"),
                      ("1e300", "5000000000000000000", "5000000000000000000")])
    func absurdTokenCounts(prompt: String, completion: String, total: String) async throws {
        let body = Self.absurdUsageBody(prompt: prompt, completion: completion, total: total)
        let server = try RawServer { conn in
            guard conn.readRequest() != nil else { return }
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        defer { server.stop() }
        let target = try Target(name: "absurd", baseURL: server.url("/v1"), model: "m")
        // Several distinct chat requests: each answer claims 5e18 output tokens or more.
        let options = ProbeOptions(jobs: 2, timeout: 20,
                                   include: ["chat.basic", "chat.usage", "chat.system_message", "chat.multi_turn"])
        let report = await Prober(suites: Probing.suites, options: options).probe(target)
        let usage = try #require(report.features["chat.usage"])
        #expect(usage.verdict == .broken, "\(usage.detail)")
        #expect(usage.detail.contains("usage"), "\(usage.detail)")
        #expect(report.stats.outputTokens >= 0)
    }

    // MARK: Redirects to another origin

    /// Every way a target carries a credential.
    static let authModes: [(label: String, auth: TargetAuth)] = [
        ("bearer", .bearer), ("x-api-key", .header("x-api-key")), ("api-key", .header("api-key")),
        ("header:X-Custom-Key", .header("X-Custom-Key")), ("azure", .azure(AzureDeployments(deployment: "m"))),
    ]

    @Test("a redirect to another origin (another port) never carries the key or a secret header there",
          arguments: authModes.map(\.label))
    func crossOriginRedirectKeepsCredentials(label: String) async throws {
        let auth = try #require(Self.authModes.first { $0.label == label }?.auth)
        let key = "sk-hostile-redirect-key-0123456789"
        let orgSecret = "org-secret-value-0123456789"
        let elsewhere = RequestLog()
        let other = try RawServer { conn in
            guard let request = conn.readRequest() else { return }
            elsewhere.append(request)
            let body = #"{"object":"list","data":[{"id":"m","object":"model","created":0,"owned_by":"x"}]}"#
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        defer { other.stop() }
        let otherPort = other.port
        let origin = try RawServer { conn in
            guard let request = conn.readRequest() else { return }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
            let path = line.count > 1 ? String(line[1]) : "/"
            // GET answers 301, POST 307 (the body goes along): both are followed by default.
            let status = request.starts(with: Array("GET".utf8)) ? "301 Moved Permanently" : "307 Temporary Redirect"
            conn.write("HTTP/1.1 \(status)\r\nLocation: http://127.0.0.1:\(otherPort)\(path)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        defer { origin.stop() }
        let target = try Target(name: "redirected", baseURL: origin.url("/v1"), model: "m", apiKey: key,
                                headers: [HTTPHeader("X-Org", orgSecret)], auth: auth, secrets: [orgSecret])
        let report = await Prober(suites: Probing.suites,
                                  options: ProbeOptions(jobs: 2, timeout: 20, include: ["models.list", "chat.basic"]))
            .probe(target)
        for request in elsewhere.all {
            let text = String(decoding: request, as: UTF8.self)
            #expect(!text.contains(key), "\(label): the key reached the other origin:\n\(text)")
            #expect(!text.contains(orgSecret), "\(label): the secret header reached the other origin:\n\(text)")
        }
        // The verdict does not describe the other origin as if it were the one named.
        for feature in ["models.list", "chat.basic"] {
            let r = try #require(report.features[feature])
            #expect(r.verdict == .untested, "\(label) \(feature): \(r.verdict) \(r.detail)")
            #expect(r.detail.contains("another origin"), "\(label) \(feature): \(r.detail)")
        }
    }
}

/// A thread-safe counter for scripted servers (each connection runs on its own thread).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// The raw requests a scripted server received.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [[UInt8]] = []
    func append(_ r: [UInt8]) { lock.lock(); requests.append(r); lock.unlock() }
    var all: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return requests }
}
