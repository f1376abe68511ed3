import CCurl
import Foundation

/// One transfer: its easy handle, the buffers curl points into, and the state the callbacks keep.
///
/// Everything but the cancel flag is touched only on the curl thread (configure, callbacks,
/// completion); the flag is set from whichever thread terminates the stream.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    private let continuation: AsyncThrowingStream<HTTPEvent, Error>.Continuation
    private let cancelled = LockedBox(false)

    // Curl-thread state.
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var postBody: UnsafeMutablePointer<UInt8>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var startTime = 0.0
    private var firstByteTime: Double?
    private var lastByteTime = 0.0
    /// Why we stopped the transfer ourselves (callback returned an error); wins over curl's code.
    private var abortReason: TransferError?
    private var headEmitted = false
    private var finished = false
    private var bodyBytes = 0
    private var headers = HeaderAccumulator()

    // Backpressure: body bytes handed to the stream that its reader has not taken yet.
    /// Past this many buffered bytes the transfer pauses (curl keeps what it read) until the
    /// reader is down to `resumeBelow`: a reader slower than the network holds about this much
    /// memory per transfer, however long the body.
    static let pauseAbove = 4 << 20
    static let resumeBelow = 1 << 20
    /// What `onBody` returns to ask curl to pause.
    static let pauseRequest = -1
    private struct Flow {
        var buffered = 0
        var paused = false
    }
    private let flow = LockedBox(Flow())

    init(request: HTTPRequest, continuation: AsyncThrowingStream<HTTPEvent, Error>.Continuation) {
        self.request = request
        self.continuation = continuation
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
    }

    var isCancelled: Bool { cancelled.withLock { $0 } }

    func markCancelled() {
        cancelled.withLock { $0 = true }
    }

    // MARK: - Setup

    func configure(_ easy: UnsafeMutableRawPointer) throws(TransferError) {
        self.easy = easy
        let req = request
        guard !req.url.contains("\0") else {
            throw .other(code: Int(CURLE_URL_MALFORMAT.rawValue), message: "URL contains a NUL byte")
        }
        let me = Unmanaged.passUnretained(self).toOpaque()

        try set(easy, CURLOPT_URL, req.url)
        try set(easy, CURLOPT_NOSIGNAL, 1)
        try setPointer(easy, CURLOPT_PRIVATE, me)
        try setPointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try check(ts_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        try setPointer(easy, CURLOPT_WRITEDATA, me)
        try check(ts_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        try setPointer(easy, CURLOPT_HEADERDATA, me)
        try check(ts_easy_setopt_xferinfo_callback(easy, curlXferInfoCallback))
        try setPointer(easy, CURLOPT_XFERINFODATA, me)
        try set(easy, CURLOPT_NOPROGRESS, 0)
        // HTTP/1.1 for plain http, HTTP/2 offered over TLS.
        try set(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        try set(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        try set(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")

        if let connect = req.timeouts.connect {
            try set(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connect))
        }
        // first byte, idle and total are enforced by us (xferinfo + the engine loop), so that each
        // reports its own phase; curl's TIMEOUT_MS would report them all as error 28.

        if req.followRedirects {
            try set(easy, CURLOPT_FOLLOWLOCATION, 1)
            try set(easy, CURLOPT_MAXREDIRS, max(0, req.maxRedirects))
            // Keep POST (and its body) on 301/302 too, not only 307/308; 303 still turns into GET.
            try set(easy, CURLOPT_POSTREDIR, Int(CURL_REDIR_POST_301 | CURL_REDIR_POST_302))
        } else {
            try set(easy, CURLOPT_FOLLOWLOCATION, 0)
        }
        if req.freshConnection {
            try set(easy, CURLOPT_FRESH_CONNECT, 1)
            try set(easy, CURLOPT_FORBID_REUSE, 1)
        }
        if req.insecure {
            try set(easy, CURLOPT_SSL_VERIFYPEER, 0)
            try set(easy, CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try set(easy, CURLOPT_SSL_VERIFYPEER, 1)
            try set(easy, CURLOPT_SSL_VERIFYHOST, 2)
        }

        try configureMethodAndBody(easy)
        try configureHeaders(easy)
    }

    private func configureMethodAndBody(_ easy: UnsafeMutableRawPointer) throws(TransferError) {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .other(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: "invalid HTTP method \(method.debugDescription)")
        }
        if let body = request.body ?? (method == "POST" ? [] : nil) {
            // Binary-safe: an explicit size, and a buffer we own for the transfer's whole life
            // (curl re-sends it on 307/308).
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, body.count))
            buffer.initialize(from: body, count: body.count)
            postBody = buffer
            try check(ts_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            try setPointer(easy, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(buffer))
            if method != "POST" {
                try set(easy, CURLOPT_CUSTOMREQUEST, method)
            }
        } else if method == "GET" {
            try set(easy, CURLOPT_HTTPGET, 1)
        } else if method == "HEAD" {
            try set(easy, CURLOPT_NOBODY, 1)
        } else {
            try set(easy, CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private func configureHeaders(_ easy: UnsafeMutableRawPointer) throws(TransferError) {
        var list: UnsafeMutablePointer<curl_slist>?
        func append(_ line: String) {
            if let grown = curl_slist_append(list, line) { list = grown }
        }
        for header in request.headers {
            let name = Self.sanitise(header.name).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(":") else { continue }
            let value = Self.sanitise(header.value)
            // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove it).
            append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        let names = Set(request.headers.map { $0.name.lowercased() })
        if !names.contains("expect") { append("Expect:") }
        // curl would otherwise label every body application/x-www-form-urlencoded.
        if postBody != nil, !names.contains("content-type") { append("Content-Type:") }
        headerList = list
        if let list {
            try check(ts_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))
        }
    }

    /// CR, LF and NUL cannot be sent inside a header line: they become spaces.
    private static func sanitise(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else { return s }
        return String(s.map { $0 == "\0" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return 0 }
        return max(1, Int((seconds * 1000).rounded(.up).clamped(to: 1...Double(Int32.max))))
    }

    private func check(_ code: CURLcode) throws(TransferError) {
        guard code == CURLE_OK else {
            throw .other(code: Int(code.rawValue), message: "curl_easy_setopt: " + String(cString: curl_easy_strerror(code)))
        }
    }

    private func set(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(TransferError) {
        try check(ts_easy_setopt_long(easy, option, value))
    }

    private func set(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) throws(TransferError) {
        // curl copies string options.
        try check(ts_easy_setopt_string(easy, option, value))
    }

    private func setPointer(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: UnsafeMutableRawPointer) throws(TransferError) {
        try check(ts_easy_setopt_pointer(easy, option, value))
    }

    func markStarted(at time: Double) {
        startTime = time
        lastByteTime = time
    }

    // MARK: - Deadlines

    /// The phase whose deadline has passed, if any; the more specific phase (first byte, idle)
    /// when several passed together (equal limits).
    func expiredPhase(at now: Double) -> TransferError.TimeoutPhase? {
        let t = request.timeouts
        if firstByteTime == nil {
            if let fb = t.firstByte, now >= startTime + fb { return .firstByte }
        } else if let idle = t.idle, now >= lastByteTime + idle {
            return .idle
        }
        if let total = t.total, now >= startTime + total { return .total }
        return nil
    }

    /// The next moment a deadline could expire.
    func nextDeadline() -> Double? {
        let t = request.timeouts
        var deadlines: [Double] = []
        if let total = t.total { deadlines.append(startTime + total) }
        if firstByteTime == nil {
            if let fb = t.firstByte { deadlines.append(startTime + fb) }
        } else if let idle = t.idle {
            deadlines.append(lastByteTime + idle)
        }
        return deadlines.min()
    }

    // MARK: - Callbacks (curl thread)

    fileprivate func onProgress() -> Int32 {
        if isCancelled {
            abortReason = abortReason ?? .cancelled
            return 1
        }
        if let phase = expiredPhase(at: monotonicNow()) {
            abortReason = abortReason ?? .timeout(phase)
            return 1
        }
        return 0
    }

    private func noteBytesReceived() {
        let now = monotonicNow()
        if firstByteTime == nil { firstByteTime = now }
        lastByteTime = now
    }

    fileprivate func onHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if isCancelled {
            abortReason = abortReason ?? .cancelled
            return false
        }
        noteBytesReceived()
        guard !headEmitted else { return true }  // trailers of a chunked body: ignored
        switch headers.consume(bytes) {
        case .more:
            break
        case .blockEnded(let status, let hasLocation):
            // HTTP status codes are three digits, 100–599 (RFC 9110 § 15); anything else is not
            // an answer to classify (a 999 is no 5xx to retry).
            if status != 0, !(100...599).contains(status) {
                abortReason = abortReason ?? .protocolError("status code \(status) is outside 100–599")
                return false
            }
            let mayBeFollowed = request.followRedirects && hasLocation && (300..<400).contains(status) && status != 304
            if mayBeFollowed, let refused = crossOriginHop() {
                // Stop before curl follows: no credential goes to another origin.
                abortReason = abortReason ?? .crossOriginRedirect(refused)
                return false
            }
            if status >= 200, !mayBeFollowed { emitHead() }
        }
        return true
    }

    /// The origin the redirect being read points to, when it is another origin than the
    /// request's and the request carries a credential (nil: curl may follow it). A Location
    /// curl cannot parse counts as another origin.
    private func crossOriginHop() -> String? {
        guard request.carriesCredentials, let location = headers.headers.value(for: "location") else { return nil }
        let origin = URLOrigin(request.url)
        let next = URLOrigin(location, relativeTo: request.url)
        guard let next else { return "an unparsable Location" }
        return next == origin ? nil : next.description
    }

    /// The reader took `count` body bytes (any thread); true when the transfer was paused for
    /// it and should now resume (`CurlEngine.resume`).
    func consumed(_ count: Int) -> Bool {
        flow.withLock { f in
            f.buffered -= count
            guard f.paused, f.buffered <= Self.resumeBelow else { return false }
            f.paused = false
            return true
        }
    }

    /// Called on the curl thread just before the transfer is unpaused.
    func markResumed() {
        lastByteTime = monotonicNow()
    }

    /// Returns how many bytes were accepted (fewer means: abort), or `pauseRequest`.
    fileprivate func onBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if isCancelled {
            abortReason = abortReason ?? .cancelled
            return 0
        }
        let pause = flow.withLock { f -> Bool in
            if f.buffered >= Self.pauseAbove {
                f.paused = true
                return true
            }
            f.buffered += bytes.count
            return false
        }
        if pause {
            lastByteTime = monotonicNow()  // the upstream is not idle: we are
            return Self.pauseRequest
        }
        noteBytesReceived()
        if !headEmitted { emitHead() }
        let room = request.maxBodyBytes - bodyBytes
        if bytes.count > room {
            if room > 0 { continuation.yield(.body(Array(bytes.prefix(room)))) }
            bodyBytes += max(0, room)
            abortReason = abortReason ?? .bodyTooLarge(request.maxBodyBytes)
            return 0
        }
        bodyBytes += bytes.count
        if !bytes.isEmpty { continuation.yield(.body(Array(bytes))) }
        return bytes.count
    }

    private func emitHead() {
        guard !headEmitted else { return }
        headEmitted = true
        var status = headers.status
        if status == 0, let easy {
            var code = 0
            if ts_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK { status = code }
        }
        var version = headers.version
        if let easy {
            var v = 0
            if ts_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &v) == CURLE_OK, let name = Self.versionName(v) {
                version = name
            }
        }
        continuation.yield(.head(HTTPHead(status: status, headers: headers.headers, httpVersion: version,
                                          redirects: headers.redirects)))
    }

    private static func versionName(_ v: Int) -> String? {
        switch v {
        case CURL_HTTP_VERSION_1_0: "1.0"
        case CURL_HTTP_VERSION_1_1: "1.1"
        case CURL_HTTP_VERSION_2_0: "2"
        case CURL_HTTP_VERSION_3: "3"
        default: nil
        }
    }

    // MARK: - Completion (curl thread)

    func complete(result: CURLcode) {
        if let abortReason {
            fail(abortReason)
        } else if result == CURLE_OK {
            if !headEmitted { emitHead() }
            finish(timings: readTimings())
        } else {
            let detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
            fail(CurlErrorMapping.transferError(for: result, detail: detail, inHeaders: !headEmitted))
        }
    }

    private func readTimings() -> TransferTimings {
        func seconds(_ info: CURLINFO) -> Double {
            guard let easy else { return 0 }
            var us: curl_off_t = 0
            guard ts_easy_getinfo_off(easy, info, &us) == CURLE_OK else { return 0 }
            return Double(us) / 1_000_000
        }
        return TransferTimings(connect: seconds(CURLINFO_CONNECT_TIME_T),
                               firstByte: seconds(CURLINFO_STARTTRANSFER_TIME_T),
                               total: seconds(CURLINFO_TOTAL_TIME_T))
    }

    private func finish(timings: TransferTimings) {
        guard !finished else { return }
        finished = true
        continuation.yield(.end(timings))
        continuation.finish()
    }

    func fail(_ error: TransferError) {
        guard !finished else { return }
        finished = true
        continuation.finish(throwing: error)
    }

    /// Frees the easy handle and everything curl pointed into. Call after `curl_multi_remove_handle`.
    func release() {
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        postBody?.deallocate()
        postBody = nil
    }
}

private extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

// MARK: - C callbacks (non-capturing; context through WRITEDATA / HEADERDATA / XFERINFODATA)

private let curlWriteCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data)?.assumingMemoryBound(to: UInt8.self), count: data == nil ? 0 : length)
    let accepted = transfer.onBody(bytes)
    // CURL_WRITEFUNC_PAUSE: curl keeps these bytes and hands them over again once unpaused.
    if accepted == CurlTransfer.pauseRequest { return 0x1000_0001 }
    // Anything but `length` makes curl stop with CURLE_WRITE_ERROR; the transfer knows why.
    return accepted == length ? length : 0
}

private let curlHeaderCallback: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data)?.assumingMemoryBound(to: UInt8.self), count: data == nil ? 0 : length)
    return transfer.onHeaderLine(bytes) ? length : 0
}

private let curlXferInfoCallback: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().onProgress()
}
