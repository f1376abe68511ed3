import Foundation

/// An HTTP client on libcurl: one `CURLM*` multi handle driven by one dedicated thread.
///
/// Callers never block: `stream(_:)` enqueues the transfer (lock-protected queue) and wakes the
/// curl thread with `curl_multi_wakeup`; events come back through an `AsyncThrowingStream`.
/// Many transfers run at once on the one multi handle, which also reuses connections.
///
/// Backpressure: a transfer pauses while its reader has more than `CurlTransfer.pauseAbove` bytes
/// (4 MiB) not yet taken, and resumes once the reader is down to 1 MiB; so a reader slower than
/// the network holds a few MiB per transfer, however long the body. The whole body is further
/// bounded by `HTTPRequest.maxBodyBytes`, past which the transfer aborts with `.bodyTooLarge`.
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
        // The reader's pace reaches the transfer: each body chunk taken is counted.
        let reader = PacedReader(stream.makeAsyncIterator(), transfer: transfer, engine: engine)
        return AsyncThrowingStream { try await reader.next() }
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

/// A transfer's events for its one reader, telling the transfer how many body bytes were taken
/// (a transfer paused for a slow reader resumes when it catches up).
private final class PacedReader: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<HTTPEvent, Error>.AsyncIterator
    private let transfer: CurlTransfer
    private let engine: CurlEngine

    init(_ iterator: AsyncThrowingStream<HTTPEvent, Error>.AsyncIterator, transfer: CurlTransfer, engine: CurlEngine) {
        self.iterator = iterator
        self.transfer = transfer
        self.engine = engine
    }

    func next() async throws -> HTTPEvent? {
        let event = try await iterator.next()
        if case .body(let bytes) = event, transfer.consumed(bytes.count) { engine.resume(transfer) }
        return event
    }
}
