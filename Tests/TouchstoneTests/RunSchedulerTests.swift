import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneReports
@testable import TouchstoneKit

/// Many targets in one run: targets admitted as capacity allows, and of each finished target
/// only what the writers need is kept (`RunScheduler`, `CompactReport`).
@Suite("Many targets in one run")
struct RunSchedulerTests {
    /// Targets running at once, as seen from the progress events.
    final class Running: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var most = 0
        private(set) var started = 0
        func handle(_ e: RunEvent) {
            lock.lock()
            defer { lock.unlock() }
            switch e {
            case .targetStarted:
                now += 1
                started += 1
                most = max(most, now)
            case .targetFinished: now -= 1
            case .caseFinished, .preflightFinished, .serverSlots: break
            }
        }
    }

    /// Holders of a permit at once, overall and per target.
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private var perTarget: [Int: Int] = [:]
        private(set) var most = 0
        private(set) var mostPerTarget = 0
        func enter(_ t: Int) {
            lock.lock()
            defer { lock.unlock() }
            now += 1
            perTarget[t, default: 0] += 1
            most = max(most, now)
            mostPerTarget = max(mostPerTarget, perTarget[t]!)
        }
        func leave(_ t: Int) {
            lock.lock()
            defer { lock.unlock() }
            now -= 1
            perTarget[t]! -= 1
        }
    }

    /// The run's cap holds across targets: four targets of 2 jobs each, 3 requests at once.
    @Test func sharedCapBoundsRequestsAcrossTargets() async {
        let cap = AsyncSemaphore(3)
        let targets = (0..<4).map { _ in AsyncSemaphore(2, shared: cap) }
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for (t, semaphore) in targets.enumerated() {
                for _ in 0..<5 {
                    group.addTask {
                        let ticket = await semaphore.acquire()
                        gauge.enter(t)
                        try? await Task.sleep(for: .milliseconds(30))
                        gauge.leave(t)
                        await semaphore.release(ticket)
                    }
                }
            }
        }
        #expect(gauge.most <= 3 && gauge.most > 1, "at once: \(gauge.most)")
        #expect(gauge.mostPerTarget <= 2)
        #expect(await cap.waiting == 0)
    }

    static func jobs(_ n: Int, baseURL: String, jobs: Int = 4, include: [String] = ["chat.basic", "stream.*"]) throws
        -> [RunScheduler.Job] {
        let p = Personalities.reference
        return try (0..<n).map { i in
            RunScheduler.Job(prober: Prober(suites: Probing.suites,
                                            options: ProbeOptions(jobs: jobs, timeout: 20, include: include)),
                             target: try Target(name: "t\(i)", baseURL: baseURL, model: p.chatModel,
                                                embeddingModel: p.embeddingModel, apiKey: p.apiKey))
        }
    }

    @Test func targetsStartAsCapacityAllowsNotAllAtOnce() async throws {
        let server = EmulatorServer(personality: Personalities.reference)
        try await server.start()
        defer { Task { await server.stop() } }
        let running = Running()
        var reports: [Int: TargetReport] = [:]
        // A cap of 4 requests admits targets whose jobs sum to 8: two of 4 jobs at a time.
        await RunScheduler(maxInFlight: 4).run(try Self.jobs(10, baseURL: server.baseURL), control: RunControl(),
                                               onEvent: running.handle) { i, r in reports[i] = r }
        await server.stop()
        #expect(running.started == 10)
        #expect(running.most == 2, "targets at once: \(running.most)")
        #expect(reports.count == 10)
        for (i, r) in reports {
            #expect(r.name == "t\(i)")
            let notSupported = r.features.filter { $0.value.verdict != .supported }.map { "\($0.key) \($0.value.verdict)" }
            #expect(notSupported.isEmpty, "t\(i): \(notSupported)")
        }
    }

    @Test func unreachableTargetsAllEndUntested() async throws {
        let running = Running()
        var reports: [Int: TargetReport] = [:]
        await RunScheduler(maxInFlight: 8).run(try Self.jobs(20, baseURL: "http://127.0.0.1:1/v1", include: []),
                                               control: RunControl(), onEvent: running.handle) { i, r in reports[i] = r }
        #expect(reports.count == 20)
        #expect(running.most <= 4)
        for r in reports.values {
            #expect(r.stats.responses == 0)
            #expect(r.features.values.allSatisfy { $0.verdict == .untested }, "\(r.name)")
        }
    }

    /// What a finished target leaves behind: its JSON text, exactly the bytes the report file
    /// holds for it, and an outline without evidence. The file written from the pieces is the
    /// file `JSONReportWriter` writes for the whole report.
    @Test func finishedTargetsKeepOnlyWhatTheWritersNeed() async throws {
        let server = EmulatorServer(personality: Personalities.reference)
        try await server.start()
        defer { Task { await server.stop() } }
        var full: [TargetReport] = []
        var compact = try CompactReport()
        var failure: Error?
        await RunScheduler(maxInFlight: 8).run(try Self.jobs(4, baseURL: server.baseURL, jobs: 8, include: []),
                                               control: RunControl()) { i, r in
            full.append(r)
            do { try compact.add(r, index: i) } catch { failure = error }
        }
        await server.stop()
        #expect(failure == nil)
        compact.order(byName: true)
        full.sort { $0.name < $1.name }
        #expect(compact.outlines.map(\.name) == ["t0", "t1", "t2", "t3"])

        let envelope = Report(tool: ToolInfo(version: "test"), startedAt: "2026-01-01T00:00:00Z",
                              finishedAt: "2026-01-01T00:00:01Z", targets: compact.outlines, shard: "1/1")
        var whole = envelope
        whole.targets = full
        let expected = try JSONReportWriter.data(whole)
        let parts = try compact.jsonParts(envelope)
        #expect(parts.reduce(Data(), +) == expected)

        // Nothing else is kept: no evidence in the outlines, and per target no more JSON than
        // the target's share of the file, on disk (the entry holds only where it is).
        let evidenceCounts = full.map { t in t.features.values.flatMap(\.evidence).count }
        #expect(evidenceCounts.allSatisfy { $0 > 0 }, "the probe must have produced evidence")
        for e in compact.entries {
            #expect(e.outline.features.values.allSatisfy { $0.evidence.isEmpty }, "\(e.outline.name)")
            #expect(e.outline.features.keys == full[e.index].features.keys)
            #expect(expected.range(of: try compact.text(of: e)) != nil)
        }
        let kept = compact.entries.reduce(0) { $0 + $1.json.count }
        #expect(kept < expected.count, "kept \(kept) bytes of JSON for a \(expected.count)-byte report")

        // The writers that show evidence get it back unchanged.
        #expect(try compact.fullTargets() == full)
    }

    @Test func emptyRunWritesTheSameEmptyReport() throws {
        let envelope = Report(tool: ToolInfo(version: "test"), startedAt: "a", finishedAt: "b", targets: [])
        #expect(try CompactReport().jsonParts(envelope).reduce(Data(), +) == JSONReportWriter.data(envelope))
    }

    /// A hostile upstream's token counts never overflow a sum or turn it negative.
    @Test func tokenSumsSaturate() throws {
        #expect(TargetStats.sum(Int.max, 1) == Int.max)
        #expect(TargetStats.sum(-5, 3) == 3)
        let request = PreparedRequest(method: "POST", url: "http://x/v1/chat/completions", path: "/chat/completions",
                                      join: .clean, headers: [], body: nil, json: nil)
        var absurd = Exchange(request: request)
        absurd.status = 200
        absurd.json = try JSONParser.parse(Array(#"{"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807,"total_tokens":-4}}"#.utf8))
        var plain = Exchange(request: request)
        plain.status = 200
        plain.json = try JSONParser.parse(Array(#"{"usage":{"prompt_tokens":12,"completion_tokens":5}}"#.utf8))
        let one = TokenUsage(plain)
        #expect(one == TokenUsage(prompt: 12, completion: 5, total: 17))
        let sum = TokenUsage.sum([absurd, plain, absurd])
        #expect(sum == TokenUsage(prompt: Int.max, completion: Int.max, total: 17))
    }

    @Test func statsCountPromptAndTotalTokens() async throws {
        let report = try await Probing.probe(Personalities.reference)
        let s = report.stats
        #expect(s.promptTokens > 0 && s.outputTokens > 0)
        #expect(s.totalTokens == s.promptTokens + s.outputTokens, "\(s)")
        // A report written before the fields existed still reads, with zeros.
        let old = #"{"requests":3,"responses":3,"retries":0,"output_tokens":52,"wall_seconds":2.1}"#
        let decoded = try JSONDecoder().decode(TargetStats.self, from: Data(old.utf8))
        #expect(decoded == TargetStats(requests: 3, responses: 3, outputTokens: 52, wallSeconds: 2.1))
    }
}
