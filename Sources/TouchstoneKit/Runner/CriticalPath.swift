/// The longest chain of dependent requests of a run: the least wall time any schedule can
/// reach, however many requests it sends at once (the physical limit benchmarks compare a
/// run's wall time with).
///
/// A case starts when every case it waits for has finished (`Prober.waits()`), then sends its
/// requests one after the other. Requests with equal keys are sent once per target (the
/// session shares them): a case asking for one already sent waits for that one to finish.
public struct CriticalPath: Sendable, Codable, Equatable {
    /// The chain's length, in the unit of the request costs (milliseconds, or requests).
    public var length: Double
    /// Requests on the chain.
    public var requests: Int
    /// The cases the chain passes through, first to last.
    public var cases: [String]

    public init(length: Double, requests: Int, cases: [String]) {
        self.length = length
        self.requests = requests
        self.cases = cases
    }
}

/// One request of a case, as the critical path sees it.
public struct ChainRequest: Sendable, Hashable {
    /// Requests with equal keys are one request (sent once, shared).
    public var key: String
    /// What the request takes on its own: milliseconds, or 1 to count requests.
    public var cost: Double

    public init(key: String, cost: Double) {
        self.key = key
        self.cost = cost
    }
}

extension Prober {
    /// For each selected case id, the selected case ids it waits for before it starts: the
    /// cases deciding the features it depends on, and the cases its `after:` globs match.
    public func waits() -> [String: [String]] { plan.waits }

    /// The longest chain of the selected cases, each case costing `requests(case)` in step
    /// order. By default every step is one request of cost 1, shared with none, so `length`
    /// counts requests.
    public func criticalPath(requests: (Case) -> [ChainRequest] = { c in
        c.steps.map { ChainRequest(key: "\(c.id)/\($0.id)", cost: 1) }
    }) -> CriticalPath {
        let selected = selectedCases()
        let waits = self.waits()
        return CriticalPathSimulation(cases: selected.map { ($0.id, waits[$0.id] ?? [], requests($0)) }).run()
    }
}

/// Unlimited parallelism, simulated in time order: every case starts as soon as what it waits
/// for has finished; a shared request finishes when its first sender's copy does.
struct CriticalPathSimulation {
    struct Item {
        let id: String
        let waits: [String]
        let requests: [ChainRequest]
    }

    /// What made an event happen when it did: the previous event, and whether a request ran
    /// between the two (it did unless the case only waited).
    private struct Link {
        var previous: Int?
        var request: Bool
        var caseID: String
    }

    let items: [Item]

    init(cases: [(String, [String], [ChainRequest])]) {
        items = cases.map { Item(id: $0.0, waits: $0.1, requests: $0.2) }
    }

    func run() -> CriticalPath {
        let known = Set(items.map(\.id))
        var finishTime: [String: Double] = [:]
        var finishEvent: [String: Int] = [:]
        var events: [(time: Double, link: Link)] = []
        // A request already sent: when it finishes and the event of its finish.
        var sent: [String: (finish: Double, event: Int)] = [:]
        // Cursors of running cases: next request index, current time, current event.
        var running: [(item: Int, next: Int, time: Double, event: Int?)] = []
        var started = Set<Int>()

        func startReady() {
            for (i, item) in items.enumerated() where !started.contains(i) {
                let deps = item.waits.filter { known.contains($0) && $0 != item.id }
                guard deps.allSatisfy({ finishTime[$0] != nil }) else { continue }
                started.insert(i)
                let last = deps.max { (finishTime[$0]!, $0) < (finishTime[$1]!, $1) }
                running.append((i, 0, last.map { finishTime[$0]! } ?? 0, last.flatMap { finishEvent[$0] }))
            }
        }

        startReady()
        while !running.isEmpty {
            // Advance the cursor that is earliest in time (ties: declaration order).
            let k = running.indices.min { (running[$0].time, running[$0].item) < (running[$1].time, running[$1].item) }!
            var cursor = running[k]
            let item = items[cursor.item]
            if cursor.next < item.requests.count {
                let r = item.requests[cursor.next]
                if let s = sent[r.key] {
                    if s.finish > cursor.time {
                        cursor.time = s.finish
                        cursor.event = s.event
                    }
                } else {
                    let t = cursor.time + r.cost
                    events.append((t, Link(previous: cursor.event, request: true, caseID: item.id)))
                    sent[r.key] = (t, events.count - 1)
                    cursor.time = t
                    cursor.event = events.count - 1
                }
                cursor.next += 1
                running[k] = cursor
            } else {
                running.remove(at: k)
                events.append((cursor.time, Link(previous: cursor.event, request: false, caseID: item.id)))
                finishTime[item.id] = cursor.time
                finishEvent[item.id] = events.count - 1
                startReady()
            }
        }

        // The chain ends at the latest case finish (of equal ones, the last to happen: the case
        // that waited for the others); walk back through the links.
        guard let end = items.map(\.id).filter({ finishTime[$0] != nil })
            .max(by: { (finishTime[$0]!, finishEvent[$0]!) < (finishTime[$1]!, finishEvent[$1]!) }) else {
            return CriticalPath(length: 0, requests: 0, cases: [])
        }
        var requests = 0
        var cases: [String] = []
        var e: Int? = finishEvent[end]
        while let i = e {
            let link = events[i].link
            if link.request { requests += 1 }
            if cases.first != link.caseID { cases.insert(link.caseID, at: 0) }
            e = link.previous
        }
        return CriticalPath(length: finishTime[end]!, requests: requests, cases: cases)
    }
}
