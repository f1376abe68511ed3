import Foundation
import TouchstoneCore

/// Totals derived from a report's targets: verdict counts overall and per target, and the sum
/// of the targets' stats. `JSONReportWriter` writes it as the report's `summary` field, always
/// recomputed from the targets, so it can never disagree with them (docs/report-json.md).
public struct ReportSummary: Codable, Sendable, Equatable {
    public var targets: Int
    /// Feature results over every target.
    public var results: Int
    public var verdicts: VerdictCounts
    public var byTarget: [String: VerdictCounts]
    /// The targets' stats summed (`wall_seconds` too: time spent, not elapsed).
    public var stats: TargetStats

    public init(_ report: Report) {
        targets = report.targets.count
        var all = VerdictCounts()
        var byTarget: [String: VerdictCounts] = [:]
        var stats = TargetStats()
        for t in report.targets {
            let counts = VerdictCounts(t.features.values.map(\.verdict))
            all.add(counts)
            byTarget[t.name, default: VerdictCounts()].add(counts)
            stats.add(t.stats)
        }
        results = all.total
        verdicts = all
        self.byTarget = byTarget
        self.stats = stats
    }

    enum CodingKeys: String, CodingKey {
        case targets, results, verdicts, stats
        case byTarget = "by_target"
    }
}

/// How many results have each verdict.
public struct VerdictCounts: Codable, Sendable, Equatable {
    public var supported = 0
    public var unsupported = 0
    public var ignored = 0
    public var broken = 0
    public var untested = 0

    public init() {}

    public init(_ verdicts: some Sequence<Verdict>) {
        for v in verdicts { self[v] += 1 }
    }

    public var total: Int { supported + unsupported + ignored + broken + untested }

    public subscript(_ verdict: Verdict) -> Int {
        get {
            switch verdict {
            case .supported: supported
            case .unsupported: unsupported
            case .ignored: ignored
            case .broken: broken
            case .untested: untested
            }
        }
        set {
            switch verdict {
            case .supported: supported = newValue
            case .unsupported: unsupported = newValue
            case .ignored: ignored = newValue
            case .broken: broken = newValue
            case .untested: untested = newValue
            }
        }
    }

    mutating func add(_ other: VerdictCounts) {
        for v in Verdict.allCases { self[v] += other[v] }
    }
}
