import Foundation
import TouchstoneCore

/// Combines shard reports into one (docs/diff-merge.md).
///
/// - Every report must be `touchstone.report/v1` from the same tool version.
/// - Targets are the union, sorted by name (so the result does not depend on the order the
///   shards are given in).
/// - A target present in several reports is combined only when its feature sets are disjoint
///   and its base URL, models and `insecure` agree; features and quirks are then united (a quirk
///   seen with two different values is an error) and the stats summed.
/// - `started_at` is the earliest start, `finished_at` the latest end, `partial` is true when any
///   shard was partial; the merged report has no `shard`. Shards of different splits, or the
///   same shard twice, are an error. Totals (`summary`) are recomputed by `JSONReportWriter`.
public enum ReportMerge {
    public static func merge(_ reports: [Report]) throws -> Report {
        guard let first = reports.first else { throw ReportMergeError("no report to merge") }
        for (i, r) in reports.enumerated() where r.schema != Report.schemaID {
            throw ReportMergeError("report \(i + 1) has schema `\(r.schema)`; this version merges `\(Report.schemaID)`")
        }
        let versions = Set(reports.map { "\($0.tool.name) \($0.tool.version)" })
        if versions.count > 1 {
            throw ReportMergeError("the reports come from different tool versions (\(versions.sorted().joined(separator: ", "))); merge the shards of one run")
        }

        var shardsSeen: [Int: Int] = [:]  // index → count
        var shardCount: Int?
        for r in reports {
            guard let text = r.shard else { continue }
            guard let (index, count) = parseShard(text) else {
                throw ReportMergeError("shard `\(text)` is not of the form i/n")
            }
            if let n = shardCount, n != count {
                throw ReportMergeError("the reports are shards of different splits (\(n) and \(count) shards)")
            }
            shardCount = count
            shardsSeen[index, default: 0] += 1
            if shardsSeen[index]! > 1 { throw ReportMergeError("shard \(index)/\(count) is given twice") }
        }

        var byName: [String: TargetReport] = [:]
        for report in reports {
            for target in report.targets {
                guard let existing = byName[target.name] else {
                    byName[target.name] = target
                    continue
                }
                byName[target.name] = try combine(existing, target)
            }
        }
        let started = reports.map(\.startedAt).min(by: earlier) ?? first.startedAt
        let finished = reports.map(\.finishedAt).max(by: earlier) ?? first.finishedAt
        return Report(tool: first.tool, startedAt: started, finishedAt: finished,
                      partial: reports.contains { $0.partial },
                      targets: byName.keys.sorted().map { byName[$0]! })
    }

    /// The shards of the split that are not among `reports` ("2/3"), empty when none is
    /// missing or the reports are not shards.
    public static func missingShards(_ reports: [Report]) -> [String] {
        let parsed = reports.compactMap { $0.shard.flatMap(parseShard) }
        guard let count = parsed.first?.1 else { return [] }
        let present = Set(parsed.map(\.0))
        return (1...max(count, 1)).filter { !present.contains($0) }.map { "\($0)/\(count)" }
    }

    /// "i/n" with 1 ≤ i ≤ n.
    static func parseShard(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
        return (i, n)
    }

    static func combine(_ a: TargetReport, _ b: TargetReport) throws -> TargetReport {
        let name = a.name
        func same<T: Equatable>(_ x: T, _ y: T, _ what: String) throws {
            if x != y {
                throw ReportMergeError("target `\(name)` appears in several reports with different \(what) (\(String(describing: x)) vs \(String(describing: y))); target names must be unique across shards")
            }
        }
        try same(a.baseURL, b.baseURL, "base_url")
        try same(a.model, b.model, "model")
        try same(a.embeddingModel, b.embeddingModel, "embedding_model")
        try same(a.insecure, b.insecure, "insecure")
        let overlap = Set(a.features.keys).intersection(b.features.keys)
        if !overlap.isEmpty {
            let list = overlap.sorted().prefix(5).joined(separator: ", ") + (overlap.count > 5 ? ", …" : "")
            throw ReportMergeError("target `\(name)` has results for the same features in several reports (\(list)); each feature of a target must come from exactly one shard")
        }
        var out = a
        out.features.merge(b.features) { x, _ in x }
        for (key, value) in b.quirks {
            if let old = out.quirks[key], old != value {
                throw ReportMergeError("target `\(name)`: quirk `\(key)` differs between reports (\(JUnitWriter.compact(old)) vs \(JUnitWriter.compact(value)))")
            }
            out.quirks[key] = value
        }
        out.stats.add(b.stats)
        return out
    }

    /// Orders ISO-8601 timestamps by instant (falling back to text order for other strings).
    static func earlier(_ a: String, _ b: String) -> Bool {
        switch (ISODate.parse(a), ISODate.parse(b)) {
        case let (x?, y?): x < y
        default: a < b
        }
    }
}

public struct ReportMergeError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
