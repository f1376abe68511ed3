import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

@Suite("Critical path")
struct CriticalPathTests {
    /// a (2 steps) ← b (1 step, requires a) ← c (1 step, condition on b); d alone (3 steps);
    /// e waits for everything with `after: ["*"]` and sends nothing.
    static let text = """
    cases:
      - feature: x.a
        steps: [{id: one, request: {path: /a1}}, {id: two, request: {path: /a2}}]
        verdicts: [{verdict: supported, detail: ok}]
        rule: {sends: x, supported: x}
      - feature: x.b
        requires: [x.a]
        steps: [{id: s, request: {path: /b}}]
        verdicts: [{verdict: supported, detail: ok}]
        rule: {sends: x, supported: x}
      - feature: x.c
        steps: [{id: s, request: {path: /c}}]
        verdicts:
          - when: {feature: {x.b: supported}}
            verdict: supported
            detail: ok
          - verdict: broken
            detail: no
        rule: {sends: x, supported: x, broken: x}
      - feature: x.d
        steps: [{id: one, request: {path: /d1}}, {id: two, request: {path: /d2}}, {id: three, request: {path: /d3}}]
        verdicts: [{verdict: supported, detail: ok}]
        rule: {sends: x, supported: x}
      - feature: x.e
        after: ["*"]
        verdicts: [{verdict: supported, detail: ok}]
        rule: {sends: x, supported: x}
    """

    func prober(_ include: [String] = []) throws -> Prober {
        let suite = try SuiteLoader.load(text: Self.text, file: "x.yaml")
        return Prober(suites: [suite], options: ProbeOptions(include: include))
    }

    @Test func waitsNameTheDecidingCasesAndAfterGlobs() throws {
        let w = try prober().waits()
        #expect(w["x.a"] == [])
        #expect(w["x.b"] == ["x.a"])
        #expect(w["x.c"] == ["x.b"])
        #expect(w["x.d"] == [])
        #expect(w["x.e"] == ["x.a", "x.b", "x.c", "x.d"])
    }

    @Test func countsRequestsAlongTheLongestChain() throws {
        let path = try prober().criticalPath()
        #expect(path.length == 4)  // a: 2, b: 1, c: 1 (d has 3)
        #expect(path.requests == 4)
        #expect(path.cases == ["x.a", "x.b", "x.c", "x.e"])
    }

    @Test func costsDecideTheChain() throws {
        // d's requests are slow: it becomes the chain.
        let path = try prober().criticalPath { c in
            c.steps.map { ChainRequest(key: "\(c.id)/\($0.id)", cost: c.id == "x.d" ? 200 : 100) }
        }
        #expect(path.length == 600)
        #expect(path.requests == 3)
        #expect(path.cases == ["x.d", "x.e"])
    }

    @Test func aSharedRequestIsSentOnce() throws {
        // a sends "shared" first (5); d asks for it after its own first request (1) and only
        // waits for a's copy; its last request (2) ends the chain at 7, not 8.
        let costs: [String: (String, Double)] = [
            "x.a/one": ("shared", 5), "x.a/two": ("a2", 1), "x.b/s": ("b", 0), "x.c/s": ("c", 0),
            "x.d/one": ("d1", 1), "x.d/two": ("shared", 5), "x.d/three": ("d3", 2),
        ]
        let path = try prober().criticalPath { c in
            c.steps.map { s in
                let (key, cost) = costs["\(c.id)/\(s.id)"]!
                return ChainRequest(key: key, cost: cost)
            }
        }
        #expect(path.length == 7)
        #expect(path.requests == 2)  // a's shared request, then d3
        #expect(path.cases == ["x.a", "x.d", "x.e"])
    }
}

@Suite("Critical path scheduling")
struct CriticalPathSchedulingTests {
    @Test func casesOthersWaitForGoFirst() throws {
        let prober = try CriticalPathTests().prober()
        let p = prober.plan.priorities
        // a heads the longest chain (a → b → c: 4 requests), b is half of it, c and d lead nowhere
        // but to e (which waits for everything and sends nothing).
        #expect(p["x.a"] == .high)
        #expect(p["x.b"] == .high)
        #expect(p["x.c"] == .medium)
        #expect(p["x.d"] == .high)
        #expect(p["x.e"] == nil)
    }

    /// With one slot, waiters are served by priority, then in arrival order.
    @Test func semaphoreServesHigherPriorityFirst() async {
        let semaphore = AsyncSemaphore(1)
        let first = await semaphore.acquire()
        let order = OrderLog()
        var tasks: [Task<Void, Never>] = []
        for (name, priority) in [("low1", TaskPriority.low), ("high1", .high), ("low2", .low), ("high2", .high)] {
            tasks.append(Task(priority: priority) {
                let ticket = await semaphore.acquire()
                await order.append(name)
                await semaphore.release(ticket)
            })
            // Let each waiter queue before the next one arrives.
            while await semaphore.waiting < tasks.count { await Task.yield() }
        }
        await semaphore.release(first)
        for t in tasks { await t.value }
        #expect(await order.names == ["high1", "high2", "low1", "low2"])
    }
}

private actor OrderLog {
    var names: [String] = []
    func append(_ n: String) { names.append(n) }
}
