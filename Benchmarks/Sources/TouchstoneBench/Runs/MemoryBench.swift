import Foundation
import TouchstoneCore

/// Target 5: `stream.basic` probed against streams that never end or are huge (the raw
/// source), the probing process's RSS sampled every 50 ms: it must stay flat, and the body
/// cap or the idle/total timeouts must end each stream.
enum MemoryBench {
    struct Scenario {
        var name: String
        var path: String
        var timeout: Double
        var maxBodyBytes: Int?
        /// The transport error kinds that may end the exchange (nil: it ends normally).
        var endsWith: [String]?
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        let (source, line) = try Child.serve([ctx.me, "source"])
        defer { source.stop() }
        let port = try JSONDecoder().decode([String: Int].self, from: Data(line.utf8))["port"]!
        let gigabyte = ctx.quick ? 100_000_000 : 1_000_000_000
        let scenarios = [
            Scenario(name: "\(gigabyte / 1_000_000) MB stream, default body cap (16 MiB)", path: "fast/\(gigabyte)",
                     timeout: 120, maxBodyBytes: nil, endsWith: ["body_too_large"]),
            Scenario(name: "\(gigabyte / 1_000_000) MB stream, read to the end (cap 4 GiB)", path: "fast/\(gigabyte)",
                     timeout: 300, maxBodyBytes: 4 << 30, endsWith: nil),
            Scenario(name: "endless fast stream, --timeout 10", path: "fast/0", timeout: ctx.quick ? 4 : 10,
                     maxBodyBytes: 1 << 50, endsWith: ["timeout_total"]),
            Scenario(name: "endless stream, an event every 5 ms, --timeout 10", path: "trickle/5", timeout: ctx.quick ? 4 : 10,
                     maxBodyBytes: nil, endsWith: ["timeout_total"]),
            // One --timeout sets the idle and total limits alike, so the total one ends a stall
            // that starts at once; either is right.
            Scenario(name: "10 events then silence, --timeout 5", path: "stall/10", timeout: ctx.quick ? 2 : 5,
                     maxBodyBytes: nil, endsWith: ["timeout_idle", "timeout_total"]),
        ]
        var out = BenchOutput()
        for s in scenarios {
            let file = ctx.temporaryFile("memory.json")
            defer { try? FileManager.default.removeItem(atPath: file) }
            var args = [ctx.me, "probe", "--suites", ctx.suites, "--model", "bench-model", "--features", "stream.basic",
                        "--timeout", "\(s.timeout)", "--out", file, "--url", "http://127.0.0.1:\(port)/\(s.path)/v1"]
            if let m = s.maxBodyBytes { args += ["--max-body-bytes", "\(m)"] }
            let child = try Child(args)
            try child.start()
            let sampler = RSSSampler(pid: child.pid, interval: 0.05)
            let r = try child.wait(timeout: s.timeout * 3 + 60)
            let samples = sampler.stop()
            guard r.status == 0 else { throw Child.Failure(description: "probe exited \(r.status): \(r.stderr.suffix(1000))") }
            let o = try JSONDecoder().decode(ProbeChildCommand.Output.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            let result = o.reports[0].features["stream.basic"]
            let ev = result?.evidence.first
            let ended = ev?.error.map { String($0.prefix { $0 != ":" && $0 != " " }) }
            // Flat: RSS in the second half of the run against the first half's peak.
            let kB = samples.map(\.kB)
            let half = samples.filter { $0.t >= r.wall / 2 }.map(\.kB)
            let firstHalfPeak = samples.filter { $0.t < r.wall / 2 }.map(\.kB).max() ?? 0
            let growth = (half.max() ?? 0) - firstHalfPeak
            let peak = max(o.peakKB, kB.max() ?? 0)
            // Flat: no more than 2 MiB of growth in the second half (runs of 2 s or more; a shorter
            // one is all start-up); bounded: a peak under 128 MiB.
            let long = r.wall >= 2
            let flat = (!long || growth <= 2048) && peak <= 128 << 10
            let endedRight = s.endsWith.map { ended.map($0.contains) ?? false } ?? (ended == nil)
            let endedText = ended ?? "end of stream"
            let endedAt = ev.map { fmt($0.elapsedMs / 1000, 1) } ?? "-"
            let series = stride(from: 0, to: samples.count, by: max(1, samples.count / 10))
                .map { "\(fmt(samples[$0].t, 1)): \(fmt(Double(samples[$0].kB) / 1024, 0))" }.joined(separator: ", ")
            let verdict = result?.verdict.rawValue ?? "-"
            out.details["5 memory", default: []].append(
                "\(s.name): \(fmt(r.wall, 1)) s, ended by \(endedText) at \(endedAt) s, verdict \(verdict); RSS (s: MiB) \(series)")
            out.figures.append(Figure(
                target: 5, name: s.name, goal: "flat RSS ≤ 128 MiB; ends by \(s.endsWith?.joined(separator: " or ") ?? "end of stream")",
                measured: "peak \(megabytes(peak))" + (long ? ", 2nd half \(growth >= 0 ? "+" : "")\(megabytes(growth))" : ""),
                alternative: "ended by \(endedText) at \(endedAt) s",
                ratio: "-", met: flat && endedRight,
                note: endedRight ? "" : "expected \(s.endsWith?.joined(separator: " or ") ?? "end of stream"), got \(endedText)",
                load: ctx.load))
        }
        return out
    }
}
