import Foundation

/// A wall-clock limit for a whole run (`--deadline`): an instant on the continuous clock, and
/// the seconds it was set from (for details).
public struct Deadline: Sendable, Hashable {
    public let instant: ContinuousClock.Instant
    public let seconds: Double

    /// `seconds` from `start` (default: now); negative or NaN means now, and at most ten years.
    public init(seconds: Double, from start: ContinuousClock.Instant = .now) {
        let bounded = seconds > 0 ? min(seconds, 315_360_000) : 0
        self.seconds = bounded
        self.instant = start + .milliseconds(Int((bounded * 1000).rounded()))
    }

    /// Why the features it cut were not decided.
    var reason: String { "the run's deadline (\(TransferFailure.seconds(seconds))) passed" }
}

/// Stops runs early from outside (a signal handler) and tells whether a run was cut short.
///
/// Give the same control to every `Prober.probe` of a run. `stop(reason:)` cancels their
/// in-flight transfers; every case not finished yet ends at once, its feature `untested` with
/// the reason in the detail, and `cutShort` turns true: the run's report is partial. A
/// `ProbeOptions.deadline` stops the run the same way. Cancelling the task that awaits `probe`
/// does too (with a generic reason).
public final class RunControl: @unchecked Sendable {
    private struct State {
        var reason: String?
        var cut = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters = Set<UUID>()
    }

    private let lock = NSLock()
    private var state = State()

    public init() {}

    private func withLock<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    /// Stops every probe using this control (the first reason given is kept).
    public func stop(reason: String) {
        let waiters = withLock { s -> [CheckedContinuation<Void, Never>] in
            if s.reason == nil { s.reason = reason }
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Why the run was stopped, once it was.
    public var stopReason: String? { withLock { $0.reason } }

    /// True once some case of a probe using this control ended early: the report is partial.
    public var cutShort: Bool { withLock { $0.cut } }

    func markCut() { withLock { $0.cut = true } }

    /// Returns once `stop(reason:)` was called, or when the calling task is cancelled.
    /// Returns once the run is stopped, stopping it first when `deadline` passes (cancelling
    /// the calling task just returns).
    func waitForStop(orDeadline deadline: Deadline?) async {
        await withTaskGroup(of: Void.self) { watch in
            watch.addTask { await self.waitForStop() }
            if let deadline {
                watch.addTask {
                    try? await Task.sleep(until: deadline.instant, clock: .continuous)
                    if !Task.isCancelled { self.stop(reason: deadline.reason) }
                }
            }
            await watch.next()
            watch.cancelAll()
        }
    }

    func waitForStop() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = withLock { s -> Bool in
                    if s.reason != nil || s.cancelledWaiters.remove(id) != nil { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let waiter = withLock { s -> CheckedContinuation<Void, Never>? in
                if let w = s.waiters.removeValue(forKey: id) { return w }
                s.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }
}
