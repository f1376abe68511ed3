import TouchstoneHTTP

/// A failed transfer in words that name the fault, for verdict details: what broke, where in
/// the exchange (before any response, after the headers, mid-body, mid-stream), the limit that
/// ended it, and the stable kind in parentheses (`reset`, `timeout_idle`, `body_too_large`, …).
enum TransferFailure {
    /// - Parameters:
    ///   - exchange: the attempt so far (status, stream, bytes received, headers).
    ///   - timeout: the per-request limit in seconds (first byte, idle gap and total).
    ///   - connectTimeout: the connect limit in seconds.
    static func describe(_ error: TransferError, _ exchange: Exchange, timeout: Double, connectTimeout: Double) -> String {
        let kind = error.kind
        let status = exchange.status.map { "HTTP \($0)" }
        let bytes = exchange.receivedBytes
        let events = exchange.stream?.eventCount
        let chunked = exchange.headers.value(for: "transfer-encoding")?.lowercased().contains("chunked") == true
        /// Where the transfer was when it failed: "after 3 events", "after 120 bytes".
        var progress: String {
            if let events { return "after \(events) event\(events == 1 ? "" : "s")" }
            return "after \(bytes) byte\(bytes == 1 ? "" : "s")"
        }
        switch error {
        case .refused:
            return "connection refused (\(kind))"
        case .dns:
            return "host name not found (\(kind))"
        case .timeout(.connect):
            return "no connection within \(seconds(connectTimeout)) (\(kind))"
        case .timeout(let phase):
            // One `--timeout` bounds the first byte, each gap and the whole transfer, so the
            // phase alone cannot tell a stalled server from a slow one: the silence at the end can.
            let what = exchange.isStream ? "stream" : "body"
            guard let status else {
                return "stalled before headers: no response within \(seconds(timeout)) (\(kind))"
            }
            let silence = exchange.silenceAtEndMs / 1000
            if phase == .idle || silence >= timeout / 2 {
                return "\(what) stalled \(progress): no byte for \(seconds((silence * 10).rounded() / 10)) (\(status), \(kind))"
            }
            return "slow drip: \(what) still arriving at the \(seconds(timeout)) timeout, \(bytes) byte\(bytes == 1 ? "" : "s") so far (\(status), \(kind))"
        case .reset:
            guard let status else { return "connection reset before any response (\(kind))" }
            if bytes == 0 { return "connection reset after headers (\(status), \(kind))" }
            return "connection reset mid-\(exchange.isStream ? "stream" : "body") \(progress) (\(status), \(kind))"
        case .truncated:
            guard let status else { return "connection closed before the response was complete (\(kind))" }
            if exchange.isStream { return "connection closed mid-stream \(progress) (\(status), \(kind))" }
            if chunked { return "chunked body truncated \(progress) (\(status), \(kind))" }
            return "connection closed mid-body \(progress) (\(status), \(kind))"
        case .tooManyRedirects:
            return "redirect loop: more than \(Transport.maxRedirects) redirects (\(kind))"
        case .crossOriginRedirect(let origin):
            return "redirected to another origin (\(origin)): not followed, so that the credentials stay with the origin named; probe that URL directly (\(kind))"
        case .bodyTooLarge(let cap):
            let what = exchange.isStream ? "stream" : "body"
            let more = events.map { " after \($0) events" } ?? ""
            return "\(what) exceeded the \(size(cap)) cap\(more) (\(status ?? "no status"), \(kind))"
        case .protocolError(let message):
            return "invalid HTTP response: \(message) (\(kind))"
        case .tls(let message):
            return "TLS failure: \(message) (\(kind))"
        case .cancelled:
            return "cancelled before it finished (\(kind))"
        case .other:
            return "transport failure: \(error.description)"
        }
    }

    /// `2 s`, `0.5 s`.
    static func seconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e9 ? "\(Int(s)) s" : "\(s) s"
    }

    /// `16 MiB`, `512 KiB`, `1000 bytes`.
    static func size(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) bytes"
    }
}
