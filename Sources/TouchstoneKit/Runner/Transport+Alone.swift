import TouchstoneCore

/// Verdicts must not depend on the harness's own load: an outcome that load can cause, seen
/// while other requests to the same target were in flight, is sent again with nothing else in
/// flight, and that answer stands (docs/features.md, "Verdicts that do not depend on the harness").
extension Transport {
    /// Whether the target's load could explain this outcome: a 429 or 5xx, a timeout, a reset or
    /// a body cut short (not an unreachable host, a redirect loop or an oversized body), or a
    /// stream that ended without its end (a chat stream without `finish_reason`, a Responses
    /// stream without its closing event): a single-slot server ends a running stream when
    /// another request queues.
    static func loadMayExplain(_ ex: Exchange) -> Bool {
        if let error = ex.error {
            switch error {
            case .timeout, .reset, .truncated, .other: return true
            default: return false
            }
        }
        guard let status = ex.status else { return false }
        if status == 429 || status >= 500 { return true }
        if let s = ex.stream, (200..<300).contains(status) { return endedWithoutFinish(s) }
        return false
    }

    /// A stream cut short: no JSON event at all, chat chunks (events with `choices`) none of which carries a
    /// finish_reason, or Responses events (a `type` starting `response.`) with no closing
    /// `response.completed`, `response.incomplete` or `response.failed`.
    static func endedWithoutFinish(_ s: StreamRecord) -> Bool {
        let events = s.events.compactMap(\.json)
        // Cut before its first event (a queued request can end a stream that early).
        if events.isEmpty { return true }
        let chunks = events.filter { $0["choices"] != nil }
        if !chunks.isEmpty {
            return !chunks.contains { c in
                (c["choices"]?.arrayValue ?? []).contains { !($0["finish_reason"]?.isNull ?? true) }
            }
        }
        let types = events.compactMap { $0["type"]?.stringValue }.filter { $0.hasPrefix("response.") }
        guard !types.isEmpty else { return false }
        return !types.contains { ["response.completed", "response.incomplete", "response.failed"].contains($0) }
    }

    /// Sends `request` once more with nothing else in flight to the target; its answer stands,
    /// and says how the first one compares.
    func rerunAlone(_ request: PreparedRequest, after first: Exchange) async -> Exchange {
        let ticket = await limiter.acquireAlone()
        var alone = Task.isCancelled ? first : await attemptOnce(request)
        await limiter.release(ticket)
        if alone.error == .cancelled { return first }
        alone.aloneRerun = AloneRerun(first: Transport.outcome(first), same: Transport.outcome(first) == Transport.outcome(alone))
        return alone
    }

    /// An outcome in words, coarse enough that two tries of the same behaviour compare equal.
    static func outcome(_ ex: Exchange) -> String {
        if let error = ex.error {
            return ex.status.map { "HTTP \($0), then \(error.kind)" } ?? "\(error.kind)"
        }
        guard let status = ex.status else { return "no response" }
        if let s = ex.stream, endedWithoutFinish(s) {
            return "HTTP \(status), a stream cut short (no finish_reason or closing event)"
        }
        return "HTTP \(status)"
    }
}

/// A load-sensitive outcome seen with other requests in flight, and sent again alone.
public struct AloneRerun: Sendable, Equatable {
    /// The first outcome, in words (`HTTP 200, a stream ended without finish_reason`).
    public var first: String
    /// Whether the re-run alone ended the same way.
    public var same: Bool

    /// For a verdict's detail.
    public var note: String {
        same ? "re-run alone: same outcome"
             : "decided by a re-run alone: with other requests in flight it got \(first)"
    }
}
