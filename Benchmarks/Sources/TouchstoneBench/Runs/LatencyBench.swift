import Foundation
import TouchstoneCore
import TouchstoneKit

/// Target 6: the latency figures of every streaming probe against injected delays (200 ms
/// before the response, 20 ms between events), from the `touchstone` CLI's JSON report.
///
/// Two upstreams: the emulator (its delays are `Task.sleep`s, so its own timer error is part of
/// what is seen), and the raw source's `timed` mode, which writes on an absolute clock: what
/// is left there is the harness's own error.
enum LatencyBench {
    static let delay = 200.0, gap = 20.0

    struct Errors {
        var ttfb: [Double] = []
        var ttft: [Double] = []
        var p50: [Double] = []
        var p95: [Double] = []
        /// Mean token gap implied by tokens/s (1000 / tps) minus the injected gap.
        var tokenGap: [Double] = []
        var streams = 0
        var worst: [String] = []

        mutating func add(_ report: TargetReport) {
            for (id, r) in report.features.sorted(by: { $0.key < $1.key }) {
                guard let l = r.latency else { continue }
                streams += 1
                ttfb.append(l.ttfbMs - delay)
                if let t = l.ttftMs {
                    // The first token is event k of the schedule: distance to the nearest point.
                    let k = max(0, ((t - delay) / gap).rounded())
                    ttft.append(t - (delay + k * gap))
                }
                if let p = l.gapP50Ms { p50.append(p - gap) }
                if let p = l.gapP95Ms { p95.append(p - gap) }
                if let tps = l.tokensPerSecond, tps > 0 { tokenGap.append(1000 / tps - gap) }
                let e = [l.ttfbMs - delay, l.gapP95Ms.map { $0 - gap } ?? 0].map(abs).max()!
                if e > 2 { worst.append("\(id): ttfb \(fmt(l.ttfbMs)) ms, ttft \(l.ttftMs.map { fmt($0) } ?? "-"), gaps p50/p95 \(l.gapP50Ms.map { fmt($0) } ?? "-")/\(l.gapP95Ms.map { fmt($0) } ?? "-"), \(l.tokensPerSecond.map { fmt($0, 1) } ?? "-") tok/s") }
            }
        }

        static func worstAbs(_ xs: [Double]) -> Double { xs.map(abs).max() ?? .nan }

        var timingWorst: Double { [ttfb, ttft, p50, p95].map(Self.worstAbs).filter { !$0.isNaN }.max() ?? .nan }

        /// Every timing error (ttfb, ttft, gap p50 and p95), absolute.
        var all: [Double] { (ttfb + ttft + p50 + p95 + tokenGap).map(abs) }
        /// The share of figures within ±2 ms.
        var within2: Double { Double(all.filter { $0 <= 2 }.count) / Double(max(1, all.count)) }
        var headline: String {
            "median \(fmt(quantile(all, 0.5))) ms, p90 \(fmt(quantile(all, 0.9))) ms, worst \(fmt(all.max() ?? .nan)) ms; \(fmt(within2 * 100, 0))% within ±2 ms"
        }

        var summary: String {
            func s(_ name: String, _ xs: [Double]) -> String {
                guard !xs.isEmpty else { return "\(name) -" }
                return "\(name) \(fmt(quantile(xs, 0.5))) / \(fmt(Self.worstAbs(xs))) ms"
            }
            return "\(streams) streams; error median / worst: " +
                [s("ttfb", ttfb), s("ttft", ttft), s("gap p50", p50), s("gap p95", p95), s("token gap (from tok/s)", tokenGap)]
                    .joined(separator: ", ")
        }
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        var out = BenchOutput()
        // The emulator, whole taxonomy, default --jobs.
        let e = try CriticalPathBench.Emulators.start(ctx, count: 1, responseDelay: Int(delay), chunkDelay: Int(gap))
        defer { e.child.stop() }
        var emu = Errors()
        let rounds = ctx.quick ? 1 : 3
        for _ in 0..<rounds {
            emu.add(try CriticalPathBench.cli(ctx, e, jobs: CriticalPathBench.defaultJobs).report.targets[0])
        }
        // The exact-clock source, the streaming probes only.
        let (source, line) = try Child.serve([ctx.me, "source"])
        defer { source.stop() }
        let port = try JSONDecoder().decode([String: Int].self, from: Data(line.utf8))["port"]!
        var raw = Errors()
        let noKey = CriticalPathBench.Emulators(child: e.child, urls: [], model: "bench-model", embeddingModel: nil, key: nil)
        for _ in 0..<(ctx.quick ? 2 : 10) {
            let r = try CriticalPathBench.cli(ctx, noKey, jobs: CriticalPathBench.defaultJobs,
                                              extra: ["--features", "stream.basic", "--features", "stream.include_usage",
                                                      "--features", "stream.done_sentinel"],
                                              url: "http://127.0.0.1:\(port)/timed/\(Int(delay))/\(Int(gap))/v1", model: "bench-model")
            raw.add(r.report.targets[0])
        }
        out.details["6 latency"] = [
            "emulator (Task.sleep delays), whole taxonomy ×\(rounds): \(emu.summary)",
            "exact-clock source, stream.* ×\(ctx.quick ? 2 : 10): \(raw.summary)",
        ] + emu.worst.prefix(8).map { "emulator off by > 2 ms: \($0)" } + raw.worst.prefix(8).map { "source off by > 2 ms: \($0)" }
        out.figures.append(Figure(
            target: 6, name: "latency figures vs injected delays (exact-clock source, \(raw.streams) streams)",
            goal: "±2 ms", measured: raw.headline,
            alternative: "200 ms + 20 ms/event schedule", ratio: "-",
            met: (raw.all.max() ?? .infinity) <= 2,
            note: "figures: ttfb, ttft, gap p50/p95, token gap (1000 / tok/s)", load: ctx.load))
        out.figures.append(Figure(
            target: 6, name: "latency figures vs injected delays (emulator, whole taxonomy, \(emu.streams) streams)",
            goal: "±2 ms (info: includes the emulator's timing)", measured: emu.headline,
            alternative: "200 ms + 20 ms/event knobs", ratio: "-", met: nil,
            note: "the emulator's own timer and socket behaviour are part of what is seen", load: ctx.load))
        return out
    }
}
