import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// Sends prepared requests with the retry classification of features.md and records what
/// came back, parsing SSE as the bytes arrive.
struct Transport: Sendable {
    let client: HTTPClient
    let limiter: AsyncSemaphore
    let options: ProbeOptions
    let insecure: Bool
    /// The target's credential headers among a request's headers. Every request of the target
    /// is guarded by it, however it was built: a redirect to another origin never carries them.
    var credentials: @Sendable ([HTTPHeader]) -> Set<String> = { _ in [] }

    /// Events kept per stream (all are counted and checked as they arrive).
    static let maxStreamEvents = 4096
    /// Raw bytes kept per response as evidence when the body is a stream.
    static let streamEvidenceBytes = 64 << 10
    /// Redirects followed per request; one more is a redirect loop.
    static let maxRedirects = 5
    /// The connect limit, seconds (or the request timeout when shorter).
    static let connectTimeout = 10.0

    func perform(_ request: PreparedRequest) async -> Exchange {
        var exchange = Exchange(request: request)
        let started = ContinuousClock.now
        var reasons: [String] = []
        var attempt = 0
        var hadCompany = false
        while true {
            attempt += 1
            let ticket = await limiter.acquire()
            // A stopped run (deadline, signal) sends nothing more.
            exchange = Task.isCancelled ? cancelled(request) : await attemptOnce(request)
            hadCompany = await limiter.release(ticket)
            var retryDelay: Double? = nil
            if let error = exchange.error, exchange.status == nil, error.isConnectionFailure, attempt == 1 {
                retryDelay = 0.2
                reasons.append(error.kind)
            } else if let status = exchange.status, status == 429 || status >= 500, attempt <= options.maxRetries {
                reasons.append("\(status)")
                retryDelay = status == 429
                    ? min(options.maxRetryAfter, RetryAfter.seconds(exchange.headers, cap: options.maxRetryAfter) ?? Double(attempt))
                    : 0.25 * Double(1 << (attempt - 1))
            }
            guard let retryDelay, !Task.isCancelled else { break }
            try? await Task.sleep(for: .milliseconds(RetryAfter.milliseconds(forSleep: retryDelay)))
        }
        // An outcome the harness's own load may have caused does not stand until it is seen alone.
        if hadCompany, Transport.loadMayExplain(exchange), !Task.isCancelled {
            attempt += 1
            exchange = await rerunAlone(request, after: exchange)
        }
        // A request a stopped run did not send is not an attempt.
        exchange.attempts = exchange.failure == Transport.notSent ? attempt - 1 : attempt
        exchange.retryReasons = reasons
        exchange.elapsedMs = (ContinuousClock.now - started).milliseconds
        return exchange
    }

    func attemptOnce(_ request: PreparedRequest) async -> Exchange {
        var ex = Exchange(request: request)
        let http = HTTPRequest(
            method: request.method, url: request.url, headers: request.headers, body: request.body,
            timeouts: Timeouts(connect: min(Transport.connectTimeout, options.timeout), firstByte: options.timeout,
                               idle: options.timeout, total: options.timeout),
            followRedirects: true, maxRedirects: Transport.maxRedirects, maxBodyBytes: options.maxBodyBytes,
            freshConnection: false, insecure: insecure,
            credentialHeaders: request.credentialHeaders.union(credentials(request.headers)))
        let started = ContinuousClock.now
        var stream: StreamCollector? = nil
        var textBytes: [UInt8] = []
        var ended = false
        var curlFirstByteMs = 0.0
        var lastByte = started
        do {
            for try await event in client.stream(http) {
                switch event {
                case .head(let head):
                    lastByte = ContinuousClock.now
                    ex.status = head.status
                    ex.headers = head.headers
                    ex.redirects = head.redirects
                    ex.ttfbMs = (ContinuousClock.now - started).milliseconds
                    if (head.headers.value(for: "content-type") ?? "").lowercased().contains("text/event-stream") {
                        stream = StreamCollector(started: started)
                    } else if let length = head.headers.value(for: "content-length").flatMap({ Int($0) }), length > 0 {
                        // One allocation of the announced size (never past the cap): growing by
                        // doubling would hold two copies of a large body at once.
                        textBytes.reserveCapacity(min(length, http.maxBodyBytes))
                    }
                case .body(let bytes):
                    lastByte = ContinuousClock.now
                    ex.receivedBytes += bytes.count
                    if stream != nil {
                        stream!.feed(bytes)
                        if textBytes.count < Transport.streamEvidenceBytes {
                            textBytes += bytes.prefix(Transport.streamEvidenceBytes - textBytes.count)
                        }
                    } else {
                        textBytes += bytes
                    }
                case .end(let timings):
                    ended = true
                    curlFirstByteMs = timings.firstByte * 1000
                }
            }
        } catch let error as TransferError {
            ex.error = error
        } catch is CancellationError {
            ex.error = .cancelled
        } catch {
            ex.error = .other(code: -1, message: "\(error)")
        }
        ex.silenceAtEndMs = (ContinuousClock.now - lastByte).milliseconds
        // A cancelled task's stream just stops: that is a cut transfer, not an answer.
        if !ended, ex.error == nil {
            ex.error = Task.isCancelled ? .cancelled : .other(code: -1, message: "the transfer ended without its end")
        }
        if stream != nil {
            ex.stream = stream!.finish(curlFirstByteMs: curlFirstByteMs, ttfbMs: &ex.ttfbMs)
            ex.tooComplex = stream!.tooComplex
        } else if case .bodyTooLarge = ex.error {
            // A body cut at the cap is not the upstream's JSON: its tree is not worth building.
        } else if textBytes.count > Exchange.retainedBytes, Transport.opensJSONContainer(textBytes),
                  case let size = JSONSize.measure(textBytes), size.exceeds(.limit) {
            ex.tooComplex = size  // no tree: what the checks would read is not decided
        } else {
            ex.setJSON(parsing: textBytes)
        }
        ex.body = textBytes
        if let error = ex.error {
            ex.failure = TransferFailure.describe(error, ex, timeout: options.timeout,
                                                  connectTimeout: min(Transport.connectTimeout, options.timeout))
        }
        return ex
    }

    static let notSent = "not sent: the run was stopped (cancelled)"

    /// Whether a body starts (after blanks) as a JSON object or array would: anything else (an
    /// HTML page) fails the parser at its first byte, building nothing, so it is not measured.
    static func opensJSONContainer(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// The exchange of a request a stopped run does not send.
    private func cancelled(_ request: PreparedRequest) -> Exchange {
        var ex = Exchange(request: request)
        ex.error = .cancelled
        ex.failure = Transport.notSent
        return ex
    }
}

func parseJSON(_ bytes: some Collection<UInt8>) -> JSONValue? {
    guard !bytes.isEmpty else { return nil }
    return try? JSONParser.parse(bytes)
}

extension Duration {
    var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
