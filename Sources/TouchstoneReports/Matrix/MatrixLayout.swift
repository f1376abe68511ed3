import Foundation
import TouchstoneCore

/// The rows and columns of a features × targets matrix, shared by the Markdown and HTML
/// renderings: feature groups in the catalogue's order (features.md), then any other feature
/// ids (from custom suites) sorted under "Other features"; targets in report order.
struct MatrixLayout {
    struct Group {
        var title: String
        var ids: [String]
    }

    var groups: [Group]
    var targets: [TargetReport]

    static let otherGroupTitle = "Other features"

    init(_ report: Report) {
        let present = Set(report.targets.flatMap(\.features.keys))
        var groups: [Group] = []
        for group in FeatureCatalog.groups {
            let ids = group.ids.filter(present.contains)
            if !ids.isEmpty { groups.append(Group(title: group.title, ids: ids)) }
        }
        let others = present.subtracting(FeatureCatalog.ids).sorted()
        if !others.isEmpty { groups.append(Group(title: Self.otherGroupTitle, ids: others)) }
        self.groups = groups
        self.targets = report.targets
    }

    var featureIDs: [String] { groups.flatMap(\.ids) }

    /// Features with streaming latency figures in at least one target.
    var latencyFeatures: [String] {
        featureIDs.filter { id in targets.contains { $0.features[id]?.latency != nil } }
    }

    /// Latency figures as one short line: "ttfb 12.0 ms · ttft 15.2 ms · gap p50 1.0 ms · p95 2.1 ms · 85.3 tok/s".
    static func latencyLine(_ l: LatencyFigures) -> String {
        var parts = ["ttfb \(JUnitWriter.fixed(l.ttfbMs, digits: 1)) ms"]
        if let v = l.ttftMs { parts.append("ttft \(JUnitWriter.fixed(v, digits: 1)) ms") }
        if let v = l.gapP50Ms { parts.append("gap p50 \(JUnitWriter.fixed(v, digits: 1)) ms") }
        if let v = l.gapP95Ms { parts.append("p95 \(JUnitWriter.fixed(v, digits: 1)) ms") }
        if let v = l.tokensPerSecond { parts.append("\(JUnitWriter.fixed(v, digits: 1)) tok/s") }
        return parts.joined(separator: " · ")
    }

    /// "touchstone 0.1.0 · 2025-03-04T03:06:07Z → 2025-03-04T03:07:00Z" plus the partial flag.
    static func provenance(_ report: Report) -> [String] {
        var out = ["\(report.tool.name) \(report.tool.version)",
                   "started \(report.startedAt)", "finished \(report.finishedAt)"]
        if let shard = report.shard { out.append("shard \(shard)") }
        if report.partial { out.append("partial run") }
        return out
    }
}
