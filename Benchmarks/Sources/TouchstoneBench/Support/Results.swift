import Foundation

/// One measured figure beside its target.
struct Figure: Codable, Sendable {
    /// Which issue target (1–6) it answers.
    var target: Int
    var name: String
    /// The target as written (`≤ 1.3× critical path`).
    var goal: String
    /// What Touchstone measured, with its unit.
    var measured: String
    /// What the alternative measured in the same run (or the physical limit), with its unit.
    var alternative: String
    /// measured / alternative, or the figure the goal bounds.
    var ratio: String
    var met: Bool?
    var note: String
    /// The load average when the figure was taken.
    var load: String
}

/// Everything one `touchstone-bench run` measured.
struct RunResults: Codable, Sendable {
    var machine: MachineInfo
    var startedAt: String
    var command: String
    var figures: [Figure] = []
    /// Supporting series (job sweeps, RSS samples), by benchmark.
    var details: [String: [String]] = [:]
}

enum Table {
    /// A plain-text table for the terminal.
    static func text(_ figures: [Figure]) -> String {
        let header = ["#", "figure", "target", "measured", "alternative", "ratio", "result", "load"]
        let rows = figures.map { f in
            [String(f.target), f.name, f.goal, f.measured, f.alternative, f.ratio, verdict(f.met), f.load]
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }

    /// The same as a Markdown table (for BENCHMARKS.md).
    static func markdown(_ figures: [Figure]) -> String {
        var out = "| # | figure | target | measured | alternative | ratio | result | load |\n|---|---|---|---|---|---|---|---|\n"
        for f in figures {
            let cells = [String(f.target), f.name, f.goal, f.measured, f.alternative, f.ratio, verdict(f.met), f.load]
            out += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    static func verdict(_ met: Bool?) -> String {
        switch met {
        case true?: "met"
        case false?: "MISSED"
        case nil: "info"
        }
    }
}

func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

func megabytes(_ kB: Int) -> String { fmt(Double(kB) / 1024, 1) + " MiB" }

/// Quantiles of a sample (nearest rank).
func quantile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s[min(s.count - 1, Int((p * Double(s.count - 1)).rounded()))]
}
