import Foundation
import TouchstoneCore

/// What changed between two reports, per target and feature (docs/diff-merge.md). The CI gate
/// for "did the new server version break us": `hasRegression` is true when a verdict's rank
/// went down (`Verdict.rank`), a feature that had a result has none any more, or a target
/// disappeared.
public struct ReportDiff: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The verdict got worse (lower rank).
        case regression
        /// The verdict got better.
        case improvement
        /// The feature had a result in the old report and has none in the new one.
        case missing
        /// The feature has a result only in the new report.
        case added
    }

    public struct FeatureChange: Codable, Sendable, Equatable {
        public var target: String
        public var feature: String
        public var kind: Kind
        public var old: Verdict?
        public var new: Verdict?
        /// The new detail (or the old one for a missing feature).
        public var detail: String

        public var isRegression: Bool { kind == .regression || kind == .missing }
    }

    /// A quirk that appeared, disappeared or changed value (informational).
    public struct QuirkChange: Codable, Sendable, Equatable {
        public var target: String
        public var key: String
        public var old: JSONValue?
        public var new: JSONValue?
    }

    public struct Side: Codable, Sendable, Equatable {
        public var tool: String
        public var startedAt: String
        public var partial: Bool

        enum CodingKeys: String, CodingKey {
            case tool, partial
            case startedAt = "started_at"
        }
    }

    public var schema = "touchstone.diff/v1"
    public var old: Side
    public var new: Side
    /// Targets only in the new report.
    public var addedTargets: [String]
    /// Targets only in the old report: every feature they had is missing (a regression).
    public var removedTargets: [String]
    /// Changed features of targets in both reports, by target (new report order) then catalogue order.
    public var features: [FeatureChange]
    public var quirks: [QuirkChange]

    enum CodingKeys: String, CodingKey {
        case schema, old, new, features, quirks
        case addedTargets = "added_targets"
        case removedTargets = "removed_targets"
    }

    public var regressions: [FeatureChange] { features.filter(\.isRegression) }
    public var hasRegression: Bool { !regressions.isEmpty || !removedTargets.isEmpty }
    public var isEmpty: Bool {
        addedTargets.isEmpty && removedTargets.isEmpty && features.isEmpty && quirks.isEmpty
    }

    public static func compare(old: Report, new: Report) -> ReportDiff {
        let oldTargets = Dictionary(old.targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newNames = Set(new.targets.map(\.name))
        var features: [FeatureChange] = []
        var quirks: [QuirkChange] = []
        var added: [String] = []
        var seen = Set<String>()
        for n in new.targets where seen.insert(n.name).inserted {
            guard let o = oldTargets[n.name] else { added.append(n.name); continue }
            for id in FeatureCatalog.ordered(Set(o.features.keys).union(n.features.keys)) {
                let before = o.features[id], after = n.features[id]
                let kind: Kind
                switch (before?.verdict, after?.verdict) {
                case let (b?, a?) where a.rank < b.rank: kind = .regression
                case let (b?, a?) where a.rank > b.rank: kind = .improvement
                case (.some, nil): kind = .missing
                case (nil, .some): kind = .added
                default: continue
                }
                let detail = after == nil && n.notProbed
                    ? "not probed: configuration error: \(n.preflight?.summary ?? "")"
                    : (after ?? before)?.detail ?? ""
                features.append(FeatureChange(target: n.name, feature: id, kind: kind, old: before?.verdict,
                                              new: after?.verdict, detail: detail))
            }
            for key in Set(o.quirks.keys).union(n.quirks.keys).sorted() where o.quirks[key] != n.quirks[key] {
                quirks.append(QuirkChange(target: n.name, key: key, old: o.quirks[key], new: n.quirks[key]))
            }
        }
        var removed: [String] = []
        var seenOld = Set<String>()
        for o in old.targets where !newNames.contains(o.name) && seenOld.insert(o.name).inserted {
            removed.append(o.name)
        }
        func side(_ r: Report) -> Side {
            Side(tool: "\(r.tool.name) \(r.tool.version)", startedAt: r.startedAt, partial: r.partial)
        }
        return ReportDiff(old: side(old), new: side(new), addedTargets: added, removedTargets: removed,
                          features: features, quirks: quirks)
    }

    /// The diff as plain text, one line per change, grouped by target, with a closing summary.
    /// Every string is put on one line, control characters escaped and capped, and redacted
    /// when a redactor is given.
    public func text(redactor: Redactor? = nil) -> String {
        let clean = { (s: String, limit: Int) in
            XMLTextFilter.filter(s, limit: limit, redactor: redactor, singleLine: true)
        }
        var out = "old: \(clean(old.tool, 100)), started \(clean(old.startedAt, 60))\(old.partial ? " (partial)" : "")\n"
        out += "new: \(clean(new.tool, 100)), started \(clean(new.startedAt, 60))\(new.partial ? " (partial)" : "")\n"
        if isEmpty {
            return out + "\nno change\n"
        }
        let width = max(24, (features.map(\.feature.count).max() ?? 0) + 2)
        var targets: [String] = []
        for c in features where !targets.contains(c.target) { targets.append(c.target) }
        for q in quirks where !targets.contains(q.target) { targets.append(q.target) }
        for target in targets {
            out += "\n\(clean(target, 200))\n"
            for c in features where c.target == target {
                let label: String = switch c.kind {
                case .regression: "REGRESSION"
                case .improvement: "improved"
                case .missing: "MISSING"
                case .added: "added"
                }
                let change = "\(c.old?.rawValue ?? "(no result)") → \(c.new?.rawValue ?? "(no result)")"
                out += "  " + label.padding(toLength: 11, withPad: " ", startingAt: 0)
                    + clean(c.feature, 200).padding(toLength: width, withPad: " ", startingAt: 0)
                    + change.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + clean(c.detail, 160) + "\n"
            }
            for q in quirks where q.target == target {
                let before = q.old.map { clean(JUnitWriter.compact($0), 80) } ?? "(none)"
                let after = q.new.map { clean(JUnitWriter.compact($0), 80) } ?? "(none)"
                out += "  quirk      " + clean(q.key, 200).padding(toLength: width, withPad: " ", startingAt: 0)
                    + "\(before) → \(after)\n"
            }
        }
        for t in removedTargets { out += "\nREMOVED target \(clean(t, 200)): in the old report, not in the new one\n" }
        for t in addedTargets { out += "\nnew target \(clean(t, 200))\n" }

        let count = { (k: Kind) in features.filter { $0.kind == k }.count }
        var parts = ["\(count(.regression)) regression(s)", "\(count(.missing)) missing",
                     "\(removedTargets.count) removed target(s)", "\(count(.improvement)) improvement(s)",
                     "\(count(.added)) added", "\(addedTargets.count) new target(s)", "\(quirks.count) quirk change(s)"]
        parts = parts.filter { !$0.hasPrefix("0 ") }
        out += "\n" + parts.joined(separator: ", ") + "\n"
        return out
    }
}
