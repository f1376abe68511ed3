import Foundation

/// An HTTP client on libcurl: one `CURLM*` multi handle driven by one dedicated thread.
///
/// Callers never block: `stream(_:)` enqueues the transfer (lock-protected queue) and wakes the
/// curl thread with `curl_multi_wakeup`; events come back through an `AsyncThrowingStream`.
/// Many transfers run at once on the one multi handle, which also reuses connections.
///
/// Backpressure: the stream buffers without bound (`.unbounded`); memory per transfer is bounded by
/// `HTTPRequest.maxBodyBytes`, past which the transfer aborts with `.bodyTooLarge`.
public final class HTTPClient: Sendable {
    private let engine: CurlEngine

    /// The process-wide client, created on first use.
    public static let shared = HTTPClient()

    /// Starts one dedicated thread driving one curl multi handle.
    public init() {
        engine = CurlEngine()
    }

    deinit {
        engine.shutdown()
    }

    /// Streams one transfer: `.head` once the final (post-redirect) headers are in, `.body` chunks as
    /// they arrive, then `.end(timings)`. Failures are thrown as `TransferError`.
    ///
    /// Cancelling the consuming task (or dropping the stream) aborts the transfer promptly; the stream
    /// then ends without an `.end` event.
    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<HTTPEvent, Error>.makeStream(bufferingPolicy: .unbounded)
        let transfer = CurlTransfer(request: request, continuation: continuation)
        let engine = self.engine
        continuation.onTermination = { termination in
            if case .cancelled = termination {
                transfer.markCancelled()
                engine.cancel(transfer)
            }
        }
        if !engine.submit(transfer) {
            continuation.finish(throwing: TransferError.cancelled)
        }
        return stream
    }

    /// Collects the whole body (still bounded by `request.maxBodyBytes`).
    /// Throws `TransferError.cancelled` when the calling task is cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var head: HTTPHead?
        var body: [UInt8] = []
        for try await event in stream(request) {
            switch event {
            case .head(let h):
                head = h
            case .body(let chunk):
                body.append(contentsOf: chunk)
            case .end(let timings):
                guard let head else {
                    throw TransferError.protocolError("transfer ended without a response head")
                }
                return HTTPResponse(head: head, body: body, timings: timings)
            }
        }
        throw TransferError.cancelled
    }

    /// Stops the curl thread: running and queued transfers end with `.cancelled`, later ones at once.
    public func shutdown() {
        engine.shutdown()
    }
}
