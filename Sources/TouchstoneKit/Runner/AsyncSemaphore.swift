/// Bounds how many requests are in flight per target (`--jobs`).
///
/// Waiters are served by task priority, highest first, and in arrival order within a priority:
/// the prober runs the cases that others wait for at a higher priority (`Prober.priorities`),
/// so their requests go out first and the run stays close to its critical path.
actor AsyncSemaphore {
    private var permits: Int
    private var waiters: [(priority: UInt8, arrival: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var arrivals = 0

    init(_ permits: Int) { self.permits = permits }

    /// Acquirers waiting for a permit.
    var waiting: Int { waiters.count }

    func acquire() async {
        if permits > 0 {
            permits -= 1
            return
        }
        let priority = Task.currentPriority.rawValue
        arrivals += 1
        let arrival = arrivals
        await withCheckedContinuation { waiters.append((priority, arrival, $0)) }
    }

    func release() {
        guard !waiters.isEmpty else {
            permits += 1
            return
        }
        var next = 0
        for k in waiters.indices.dropFirst() where waiters[k].priority > waiters[next].priority {
            next = k  // the first (earliest) waiter of the highest priority
        }
        waiters.remove(at: next).continuation.resume()
    }
}
