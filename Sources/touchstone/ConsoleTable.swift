import Foundation
import TouchstoneCore

/// The capability table printed on stdout: features × targets, one verdict per cell.
enum ConsoleTable {
    static func render(_ report: Report) -> String {
        let features = FeatureCatalog.ordered(Set(report.targets.flatMap { $0.features.keys }))
        // Escaped before padding, so the columns line up with what is shown.
        let names = report.targets.map { TextSanitizer.oneLine($0.name, limit: 80) }
        let width = max(30, (features.map(\.count).max() ?? 0) + 2)
        var out = "feature".padding(toLength: width, withPad: " ", startingAt: 0)
        out += names.map { $0.padding(toLength: max(12, $0.count + 2), withPad: " ", startingAt: 0) }.joined() + "\n"
        for f in features {
            out += TextSanitizer.oneLine(f, limit: 80).padding(toLength: width, withPad: " ", startingAt: 0)
            for (i, t) in report.targets.enumerated() {
                let v = t.features[f]?.verdict.rawValue ?? "-"
                out += v.padding(toLength: max(12, names[i].count + 2), withPad: " ", startingAt: 0)
            }
            out += "\n"
        }
        var counts: [String] = []
        for t in report.targets {
            if t.notProbed {
                counts.append("\(t.name): not probed (configuration error: \(t.preflight?.cause?.rawValue ?? "see the report"))")
                continue
            }
            let c = Dictionary(grouping: t.features.values, by: \.verdict).mapValues(\.count)
            let parts = Verdict.allCases.compactMap { v in c[v].map { "\($0) \(v.rawValue)" } }
            counts.append("\(TextSanitizer.oneLine(t.name, limit: 80)): \(parts.joined(separator: ", "))")
        }
        return out + "\n" + counts.joined(separator: "\n") + "\n"
    }
}
