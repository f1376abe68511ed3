/// Bounds how many requests are in flight per target (`--jobs`), and, as the `shared` parent of
/// every target's semaphore, across the targets of a run (`RunScheduler`, `--max-in-flight`):
/// a permit is held on both, taken here first, so a request waiting for the run's cap holds only
/// its own target's permit.
///
/// Waiters are served by task priority, highest first, and in arrival order within a priority:
/// the prober runs the cases that others wait for at a higher priority (`Prober.priorities`),
/// so their requests go out first and the run stays close to its critical path.
actor AsyncSemaphore {
    private var permits: Int
    private var waiters: [(priority: UInt8, arrival: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var arrivals = 0
    private let shared: AsyncSemaphore?

    init(_ permits: Int, shared: AsyncSemaphore? = nil) {
        self.permits = permits
        self.shared = shared
    }

    /// Acquirers waiting for a permit.
    var waiting: Int { waiters.count }

    func acquire() async {
        if permits > 0 {
            permits -= 1
        } else {
            let priority = Task.currentPriority.rawValue
            arrivals += 1
            let arrival = arrivals
            await withCheckedContinuation { waiters.append((priority, arrival, $0)) }
        }
        await shared?.acquire()
    }

    func release() async {
        await shared?.release()
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
