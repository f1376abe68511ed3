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
        "Retry-After: 0x10", "Retry-After: 1.5e3",
    ]

    /// A long cap: a value taken as infinite would sleep it, and the time limit ends the test.
    @Test("a 429 with a hostile Retry-After is retried after the default backoff, never a trap or the whole cap",
          .timeLimit(.minutes(2)), arguments: hostileRetryAfter)
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
                                  options: ProbeOptions(timeout: 30, maxRetries: 2, maxRetryAfter: 600), insecure: false)
        let ex = await transport.perform(PreparedRequest(method: "GET", url: server.url("/v1/models"), path: "/models",
                                                         join: .clean, headers: [], body: nil, json: nil))
        #expect(ex.status == 200, "\(ex.summary)")
        #expect(ex.attempts == 2 && ex.retryReasons == ["429"])
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

    @Test("Retry-After is delta-seconds or an HTTP-date, retry-after-ms a decimal; anything else is no instruction")
    func retryAfterParsing() {
        func delay(_ name: String, _ value: String, cap: Double = 20, now: Date = Date()) -> Double? {
            RetryAfter.seconds([HTTPHeader(name, value)], cap: cap, now: now)
        }
        #expect(delay("Retry-After", "3") == 3)
        #expect(delay("Retry-After", " 7 ") == 7)
        #expect(delay("Retry-After", "120") == 20, "clamped to the cap")
        #expect(delay("Retry-After", "99999999999999999999999") == 20)
        for bad in ["-1", "1.5", "nan", "inf", "-inf", "", "1e3", "0x10", "+5", "3 s"] {
            #expect(delay("Retry-After", bad) == nil, "\(bad)")
        }
        #expect(delay("retry-after-ms", "1500") == 1.5)
        #expect(delay("retry-after-ms", "250.5") == 0.2505)
        for bad in ["-1e20", "nan", "1e3", "-1", ".5", "1.", "inf"] {
            #expect(delay("retry-after-ms", bad) == nil, "\(bad)")
        }
        // An invalid retry-after-ms falls back to Retry-After.
        #expect(RetryAfter.seconds([HTTPHeader("retry-after-ms", "nan"), HTTPHeader("Retry-After", "2")], cap: 20) == 2)
        // The three HTTP-date forms, 10 s after `now`; a date in the past is no wait.
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        for date in ["Sun, 06 Nov 1994 08:49:47 GMT", "Sunday, 06-Nov-94 08:49:47 GMT", "Sun Nov  6 08:49:47 1994"] {
            #expect(delay("Retry-After", date, now: now) == 10, "\(date)")
        }
        #expect(delay("Retry-After", "Sat, 05 Nov 1994 08:49:37 GMT", now: now) == 0)
        // A cap that is not a number waits nothing; a sleep never traps.
        #expect(delay("Retry-After", "5", cap: .nan) == 0)
        #expect(delay("Retry-After", "5", cap: -1) == 0)
        #expect(RetryAfter.milliseconds(forSleep: -.infinity) == 0)
        #expect(RetryAfter.milliseconds(forSleep: .nan) == 0)
        #expect(RetryAfter.milliseconds(forSleep: 1e300) == 86_400_000)
        #expect(RetryAfter.milliseconds(forSleep: 1.5) == 1500)
    }

    @Test("origins: scheme, host and port, default ports explicit, relative Locations resolved")
    func origins() {
        #expect(URLOrigin("http://a:80/x") == URLOrigin("http://A/y"))
        #expect(URLOrigin("https://a/") != URLOrigin("http://a/"))
        #expect(URLOrigin("http://a:8080/") != URLOrigin("http://a:8081/"))
        #expect(URLOrigin("/v1/x", relativeTo: "http://h:8080/v1") == URLOrigin("http://h:8080/"))
        #expect(URLOrigin("//other/x", relativeTo: "http://h:8080/v1")?.host == "other")
        #expect(URLOrigin("file:///etc/passwd")?.description == "file://")
        #expect(URLOrigin("http://h:8080/")?.description == "http://h:8080")
    }

    @Test("the HTTP layer: a cross-origin hop with a credential fails before anything is sent there; same-origin hops and requests without credentials follow")
    func crossOriginHopInTheHTTPLayer() async throws {
        let elsewhere = RequestLog()
        let other = try RawServer { conn in
            guard let request = conn.readRequest() else { return }
            elsewhere.append(request)
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        }
        defer { other.stop() }
        let otherPort = other.port
        let origin = try RawServer { conn in
            guard let request = conn.readRequest() else { return }
            if String(decoding: request.prefix(20), as: UTF8.self).contains("/here") {
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nhere")
            } else if String(decoding: request.prefix(20), as: UTF8.self).contains("/same") {
                conn.write("HTTP/1.1 302 Found\r\nLocation: /here\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            } else {
                conn.write("HTTP/1.1 308 Permanent Redirect\r\nLocation: http://127.0.0.1:\(otherPort)/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            }
        }
        defer { origin.stop() }
        let key = [HTTPHeader("X-Api-Key", "secret-value-123456")]
        do {
            _ = try await HTTPClient.shared.send(HTTPRequest(url: origin.url("/away"), headers: key, credentialHeaders: ["x-api-key"]))
            Issue.record("the cross-origin redirect was followed")
        } catch let error as TransferError {
            #expect(error == .crossOriginRedirect("http://127.0.0.1:\(otherPort)"), "\(error)")
        }
        #expect(elsewhere.all.isEmpty)
        // Authorization and a password in the URL count without being named.
        do {
            _ = try await HTTPClient.shared.send(HTTPRequest(url: origin.url("/away"), headers: [HTTPHeader("Authorization", "Bearer k-123456789")]))
            Issue.record("the cross-origin redirect was followed")
        } catch let error as TransferError {
            #expect(error.kind == "cross_origin_redirect")
        }
        #expect(elsewhere.all.isEmpty)
        let same = try await HTTPClient.shared.send(HTTPRequest(url: origin.url("/same"), headers: key, credentialHeaders: ["x-api-key"]))
        #expect(same.head.status == 200 && same.body == Array("here".utf8) && same.head.redirects.count == 1)
        let plain = try await HTTPClient.shared.send(HTTPRequest(url: origin.url("/away"), headers: [HTTPHeader("Accept", "*/*")]))
        #expect(plain.head.status == 200 && elsewhere.all.count == 1)
    }

    // MARK: Status codes

    @Test("a status code outside 100–599 is an invalid response, not a 5xx to retry", arguments: [999, 600, 1000, 99])
    func statusOutsideTheRange(code: Int) async throws {
        let count = Counter()
        let server = try RawServer { conn in
            guard conn.readRequest() != nil else { return }
            _ = count.next()
            conn.write("HTTP/1.1 \(code) Odd\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        }
        defer { server.stop() }
        let transport = Transport(client: .shared, limiter: AsyncSemaphore(1),
                                  options: ProbeOptions(timeout: 30, maxRetries: 2), insecure: false)
        let ex = await transport.perform(PreparedRequest(method: "GET", url: server.url("/v1/models"), path: "/models",
                                                         join: .clean, headers: [], body: nil, json: nil))
        #expect(ex.status == nil && ex.error?.kind == "protocol_error", "\(ex.summary)")
        #expect(ex.attempts == 1 && count.value == 1, "retried: \(ex.retryReasons)")
        #expect(ex.summary.contains("invalid HTTP response"), "\(ex.summary)")
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
