import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneReports

/// Real reports for the report-tool tests: emulator personalities probed over real sockets
/// and libcurl, each probed once per test process and shared.
actor EmulatorReports {
    static let shared = EmulatorReports()
    private var cache: [String: Task<TargetReport, Error>] = [:]

    struct UnknownPersonality: Error { var name: String }

    func target(_ name: String) async throws -> TargetReport {
        if let task = cache[name] { return try await task.value }
        let task = Task<TargetReport, Error> {
            guard let p = Personalities.named(name) else { throw UnknownPersonality(name: name) }
            return try await Probing.probe(p)
        }
        cache[name] = task
        return try await task.value
    }

    /// A report of these personalities, in this order.
    static func report(_ names: [String], startedAt: String = "2026-01-02T03:04:05Z",
                       finishedAt: String = "2026-01-02T03:05:00Z") async throws -> Report {
        var targets: [TargetReport] = []
        for name in names { targets.append(try await shared.target(name)) }
        return Report(tool: ToolInfo(version: "test"), startedAt: startedAt, finishedAt: finishedAt, targets: targets)
    }
}

@Suite("Merge")
struct MergeTests {
    static let names = ["reference", "ollama", "vllm", "gemini", "litellm"]

    /// Verdicts, details and quirks (not timings) of every target, by name.
    static func essence(_ r: Report) -> [String: String] {
        var out: [String: String] = [:]
        for t in r.targets {
            let features = t.features.keys.sorted().map { "\($0)=\(t.features[$0]!.verdict.rawValue):\(t.features[$0]!.detail)" }
            out[t.name] = features.joined(separator: "\n") + "\nquirks:" + JUnitWriter.compact(.object(t.quirks))
        }
        return out
    }

    @Test func shardsMergedEqualTheWholeRun() async throws {
        let whole = try await EmulatorReports.report(Self.names)
        // Three shards, targets dealt round-robin, given to merge out of order.
        let shards = (0..<3).map { i in
            Report(tool: whole.tool, startedAt: "2026-01-02T03:0\(4 - i):00Z", finishedAt: "2026-01-02T03:1\(i):00Z",
                   targets: whole.targets.enumerated().filter { $0.offset % 3 == i }.map(\.element))
        }
        let merged = try ReportMerge.merge([shards[2], shards[0], shards[1]])
        #expect(merged.targets.map(\.name) == Self.names.sorted())
        #expect(Self.essence(merged) == Self.essence(whole))
        #expect(merged.startedAt == "2026-01-02T03:02:00Z")
        #expect(merged.finishedAt == "2026-01-02T03:12:00Z")
        #expect(!merged.partial)
        // The JSON of the merge carries totals recomputed from the targets.
        let json = try JSONSerialization.jsonObject(with: try JSONReportWriter.data(merged)) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        #expect(summary["targets"] as? Int == Self.names.count)
        #expect(summary["results"] as? Int == whole.targets.reduce(0) { $0 + $1.features.count })
        let verdicts = summary["verdicts"] as! [String: Int]
        #expect(verdicts["supported"] == whole.targets.reduce(0) { n, t in n + t.features.values.filter { $0.verdict == .supported }.count })
        let stats = summary["stats"] as! [String: Any]
        #expect(stats["requests"] as? Int == whole.targets.reduce(0) { $0 + $1.stats.requests })
        // The written summary never comes back as a field: decoding gives the merged report.
        #expect(try JSONReportWriter.decode(try JSONReportWriter.data(merged)) == merged)
    }

    @Test func oneTargetSplitByFeatureIsUnitedAndItsStatsSummed() async throws {
        let reference = try await EmulatorReports.shared.target("reference")
        let ids = reference.features.keys.sorted()
        var a = reference, b = reference
        a.features = reference.features.filter { ids.firstIndex(of: $0.key)! % 2 == 0 }
        b.features = reference.features.filter { ids.firstIndex(of: $0.key)! % 2 == 1 }
        b.stats = TargetStats(requests: 5, responses: 4, retries: 1, outputTokens: 7, wallSeconds: 1.5)
        let tool = ToolInfo(version: "test")
        let merged = try ReportMerge.merge([
            Report(tool: tool, startedAt: "2026-01-02T03:04:05Z", finishedAt: "2026-01-02T03:05:00Z", targets: [a]),
            Report(tool: tool, startedAt: "2026-01-02T03:04:06Z", finishedAt: "2026-01-02T03:05:01Z", partial: true, targets: [b]),
        ])
        #expect(merged.targets.count == 1)
        #expect(merged.targets[0].features == reference.features)
        #expect(merged.targets[0].stats.requests == reference.stats.requests + 5)
        #expect(merged.targets[0].stats.retries == reference.stats.retries + 1)
        #expect(merged.partial, "a partial shard makes the merge partial")
    }

    @Test func reportsThatDoNotFitTogetherAreRefusedWithTheReason() async throws {
        let reference = try await EmulatorReports.shared.target("reference")
        func report(_ t: TargetReport, version: String = "test") -> Report {
            Report(tool: ToolInfo(version: version), startedAt: "2026-01-02T03:04:05Z", finishedAt: "2026-01-02T03:05:00Z", targets: [t])
        }
        // The same feature of the same target in two shards.
        let overlap = #expect(throws: ReportMergeError.self) { try ReportMerge.merge([report(reference), report(reference)]) }
        #expect(overlap?.description.contains("`reference`") == true && overlap?.description.contains("chat.basic") == true)
        // Same name, another upstream.
        var other = reference
        other.baseURL = "http://127.0.0.1:1/v1"
        other.features = [:]
        let clash = #expect(throws: ReportMergeError.self) { try ReportMerge.merge([report(reference), report(other)]) }
        #expect(clash?.description.contains("base_url") == true)
        // Different tool versions, different schema, nothing at all.
        #expect(throws: ReportMergeError.self) { try ReportMerge.merge([report(reference), report(other, version: "9")]) }
        var foreign = report(reference)
        foreign.schema = "touchstone.report/v2"
        #expect(throws: ReportMergeError.self) { try ReportMerge.merge([foreign]) }
        #expect(throws: ReportMergeError.self) { try ReportMerge.merge([]) }
        // Shards: the same shard twice, or shards of different splits.
        var renamed = reference
        renamed.name = "reference-2"
        var s1 = report(reference), s2 = report(renamed)
        s1.shard = "1/3"
        s2.shard = "1/3"
        let twice = #expect(throws: ReportMergeError.self) { try ReportMerge.merge([s1, s2]) }
        #expect(twice?.description.contains("1/3 is given twice") == true)
        s2.shard = "2/4"
        #expect(throws: ReportMergeError.self) { try ReportMerge.merge([s1, s2]) }
        s2.shard = "3/3"
        #expect(ReportMerge.missingShards([s1, s2]) == ["2/3"])
        #expect(try ReportMerge.merge([s1, s2]).shard == nil, "a merged report is not a shard")
    }
}
