/// The one model slot of a single-slot server (`Knobs.Slots.one`): requests take it in
/// arrival order; while it is taken, later ones wait (a queue, as llama.cpp keeps, not a 503).
/// `contended` tells the holder that another request waits, which ends a running stream.
final class SlotGate: Sendable {
    private struct State {
        var taken = false
        var queue: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    /// Waits for the slot and takes it.
    func enter() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if !s.taken {
                    s.taken = true
                    return true
                }
                s.queue.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Gives the slot to the next waiter, or frees it.
    func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.queue.isEmpty {
                s.taken = false
                return nil
            }
            return s.queue.removeFirst()
        }
        next?.resume()
    }

    /// Another request waits for the slot.
    var contended: Bool { state.withLock { !$0.queue.isEmpty } }
}
