import CCurl
import Foundation

/// `curl_global_init` exactly once per process (Swift initialises globals lazily and atomically).
enum CurlGlobal {
    private static let initResult: CURLcode = ts_curl_global_init()

    static func ensureInitialised() {
        precondition(initResult == CURLE_OK, "curl_global_init failed: \(initResult.rawValue)")
    }
}

/// Owns one multi handle and the one thread that drives it. Every curl call on the multi handle and
/// on the easy handles happens on that thread, except `curl_multi_wakeup` (the one call curl allows
/// from other threads), made under the queue lock so it can never race `curl_multi_cleanup`.
final class CurlEngine: @unchecked Sendable {
    private struct Inbox {
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        /// Transfers paused for a slow reader that the reader has caught up with.
        var resumes: [CurlTransfer] = []
        var shutdownRequested = false
        /// Set by the curl thread just before `curl_multi_cleanup`: no wakeups after this.
        var stopped = false
    }

    private let inbox = LockedBox(Inbox())
    /// `CURLM *`.
    private let multi: UnsafeMutableRawPointer

    // Curl-thread state only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Longest wait in `curl_multi_poll`; deadlines nearer than this shorten it.
    private static let maxPollMilliseconds: Double = 1000
    private static let idlePollMilliseconds: Double = 30_000

    init() {
        CurlGlobal.ensureInitialised()
        guard let multi = curl_multi_init() else {
            fatalError("curl_multi_init failed")
        }
        self.multi = multi
        // Keep enough idle connections for many concurrent transfers to the same host.
        _ = ts_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 128)
        let thread = Thread { [self] in self.run() }
        thread.name = "touchstone.curl"
        thread.start()
    }

    /// Queues a transfer; false once the engine is shut down.
    func submit(_ transfer: CurlTransfer) -> Bool {
        inbox.withLock { box in
            guard !box.shutdownRequested else { return false }
            box.adds.append(transfer)
            _ = curl_multi_wakeup(multi)
            return true
        }
    }

    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { box in
            guard !box.shutdownRequested else { return }
            box.cancels.append(transfer)
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Unpauses a transfer paused for its reader (`CurlTransfer.consumed`); any thread.
    func resume(_ transfer: CurlTransfer) {
        inbox.withLock { box in
            guard !box.shutdownRequested else { return }
            box.resumes.append(transfer)
            _ = curl_multi_wakeup(multi)
        }
    }

    func shutdown() {
        inbox.withLock { box in
            guard !box.shutdownRequested else { return }
            box.shutdownRequested = true
            if !box.stopped { _ = curl_multi_wakeup(multi) }
        }
    }

    // MARK: - The curl thread

    private func run() {
        while true {
            let (adds, cancels, resumes, stop) = inbox.withLock { box in
                defer {
                    box.adds.removeAll()
                    box.cancels.removeAll()
                    box.resumes.removeAll()
                }
                return (box.adds, box.cancels, box.resumes, box.shutdownRequested)
            }
            if stop {
                for transfer in adds { transfer.fail(.cancelled) }
                break
            }
            for transfer in adds { start(transfer) }
            for transfer in cancels { abort(transfer, with: .cancelled) }
            for transfer in resumes {
                guard let easy = transfer.easy, active[easy] != nil else { continue }
                transfer.markResumed()
                _ = curl_easy_pause(easy, 0)  // CURLPAUSE_CONT
            }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            drainMessages()

            let now = monotonicNow()
            // Idle engine: sleep long (a wakeup ends the wait); busy: at most 1 s, so that deadlines
            // are checked here even when curl's progress callback is not called.
            let longest = active.isEmpty ? Self.idlePollMilliseconds : Self.maxPollMilliseconds
            var nearest = now + longest / 1000
            for transfer in Array(active.values) {
                if let phase = transfer.expiredPhase(at: now) {
                    abort(transfer, with: .timeout(phase))
                } else if let deadline = transfer.nextDeadline() {
                    nearest = min(nearest, deadline)
                }
            }
            let waitMs = Int32(max(1, min(longest, ((nearest - now) * 1000).rounded(.up))))
            _ = curl_multi_poll(multi, nil, 0, waitMs, nil)
        }

        for transfer in Array(active.values) { abort(transfer, with: .cancelled) }
        let late = inbox.withLock { box in
            box.stopped = true
            defer { box.adds.removeAll() }
            return box.adds
        }
        for transfer in late { transfer.fail(.cancelled) }
        curl_multi_cleanup(multi)
    }

    private func start(_ transfer: CurlTransfer) {
        if transfer.isCancelled {
            transfer.fail(.cancelled)
            return
        }
        guard let easy = curl_easy_init() else {
            transfer.fail(.other(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_easy_init failed"))
            return
        }
        do {
            try transfer.configure(easy)
        } catch {
            transfer.fail(error)
            transfer.release()
            return
        }
        transfer.markStarted(at: monotonicNow())
        let code = curl_multi_add_handle(multi, easy)
        guard code == CURLM_OK else {
            let message = String(cString: curl_multi_strerror(code))
            transfer.fail(.other(code: Int(code.rawValue), message: "curl_multi_add_handle: \(message)"))
            transfer.release()
            return
        }
        active[easy] = transfer
    }

    /// Removes a running transfer before curl finished it, failing its stream with `error`.
    private func abort(_ transfer: CurlTransfer, with error: TransferError) {
        guard let easy = transfer.easy, active.removeValue(forKey: easy) != nil else { return }
        _ = curl_multi_remove_handle(multi, easy)
        transfer.fail(error)
        transfer.release()
    }

    private func drainMessages() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard ts_msg_kind(message) == CURLMSG_DONE, let easy = ts_msg_easy(message) else { continue }
            let result = ts_msg_result(message)
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            transfer.complete(result: result)
            _ = curl_multi_remove_handle(multi, easy)
            transfer.release()
        }
    }
}
