/// Bounds how many requests are in flight per target (`--jobs`, or fewer when the server
/// advertises fewer slots), and tells each holder whether it had company. As the `shared` parent
/// of every target's semaphore it also bounds the requests of all targets of a run
/// (`RunScheduler`, `--max-in-flight`): a permit is taken on the target's semaphore first, then on
/// the parent, so a request waiting for the run's cap holds only its own target's permit.
///
/// Waiters are served by task priority, highest first, and in arrival order within a priority:
/// the prober runs the cases that others wait for at a higher priority (`Prober.priorities`),
/// so their requests go out first and the run stays close to its critical path.
///
/// `acquireAlone()` takes the target for itself: it waits until nothing is in flight, and no
/// other request starts until it releases. A waiting `acquireAlone()` goes before every other
/// waiter, so a re-run alone is not starved by the cases still queued.
actor AsyncSemaphore {
    /// What a holder gives back on release.
    struct Ticket: Sendable {
        fileprivate let othersAtStart: Int
        fileprivate let grantsAtStart: Int
        fileprivate let alone: Bool
    }

    private struct Waiter {
        let priority: UInt8
        let arrival: Int
        let alone: Bool
        let continuation: CheckedContinuation<Ticket, Never>
    }

    private var capacity: Int
    private var active = 0
    private var aloneHeld = false
    /// Permits granted so far (to tell whether others started while a holder was running).
    private var grants = 0
    private var waiters: [Waiter] = []
    private var arrivals = 0
    private let shared: AsyncSemaphore?

    init(_ permits: Int, shared: AsyncSemaphore? = nil) {
        self.capacity = max(1, permits)
        self.shared = shared
    }

    /// Acquirers waiting for a permit.
    var waiting: Int { waiters.count }

    /// Requests in flight at once, at most.
    var limit: Int { capacity }

    /// Lowers (or raises) the bound; holders beyond a lowered bound finish undisturbed.
    func setLimit(_ n: Int) {
        capacity = max(1, n)
        dispatch()
    }

    func acquire() async -> Ticket {
        let ticket = await enqueue(alone: false)
        if let shared { _ = await shared.enqueue(alone: false) }
        return ticket
    }

    /// A permit with nothing else in flight to this target while it is held (it still counts
    /// once against the run's shared cap).
    func acquireAlone() async -> Ticket {
        let ticket = await enqueue(alone: true)
        if let shared { _ = await shared.enqueue(alone: false) }
        return ticket
    }

    /// Gives the permit back; returns whether another request to the target was in flight at
    /// some moment while it was held.
    @discardableResult
    func release(_ ticket: Ticket) async -> Bool {
        let hadCompany = ticket.othersAtStart > 0 || grants > ticket.grantsAtStart
        active -= 1
        if ticket.alone { aloneHeld = false }
        dispatch()
        await shared?.releaseShared()
        return hadCompany
    }

    /// The parent's side of a child's release.
    private func releaseShared() {
        active -= 1
        dispatch()
    }

    private func enqueue(alone: Bool) async -> Ticket {
        let priority = Task.currentPriority.rawValue
        arrivals += 1
        let arrival = arrivals
        return await withCheckedContinuation { c in
            waiters.append(Waiter(priority: priority, arrival: arrival, alone: alone, continuation: c))
            dispatch()
        }
    }

    /// Grants what the bound allows: a waiting `alone` acquirer first (once nothing is in
    /// flight), else the earliest waiter of the highest priority.
    private func dispatch() {
        while !waiters.isEmpty, !aloneHeld {
            if let k = waiters.firstIndex(where: \.alone) {
                guard active == 0 else { return }
                aloneHeld = true
                grant(waiters.remove(at: k))
                return
            }
            guard active < capacity else { return }
            var next = 0
            for k in waiters.indices.dropFirst() where waiters[k].priority > waiters[next].priority {
                next = k  // the first (earliest) waiter of the highest priority
            }
            grant(waiters.remove(at: next))
        }
    }

    private func grant(_ w: Waiter) {
        active += 1
        grants += 1
        w.continuation.resume(returning: Ticket(othersAtStart: active - 1, grantsAtStart: grants, alone: w.alone))
    }
}
