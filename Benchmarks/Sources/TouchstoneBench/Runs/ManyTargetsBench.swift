import Foundation
import TouchstoneCore
import TouchstoneKit

/// Target 2: 50 emulated targets (200 ms + 20 ms/event, in a process of their own) probed in
/// one run, against one target alone; wall time and peak RSS of the probing process.
enum ManyTargetsBench {
    static func probe(_ ctx: BenchContext, _ e: CriticalPathBench.Emulators, urls: [String]) throws
        -> (wall: Double, output: ProbeChildCommand.Output, samples: [(t: Double, kB: Int)]) {
        let out = ctx.temporaryFile("many.json")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var args = [ctx.me, "probe", "--suites", ctx.suites, "--model", e.model, "--key-env", "TOUCHSTONE_BENCH_KEY", "--out", out]
        if let m = e.embeddingModel { args += ["--embedding-model", m] }
        for u in urls { args += ["--url", u] }
        let child = try Child(args, environment: ["TOUCHSTONE_BENCH_KEY": e.key ?? ""])
        try child.start()
        let sampler = RSSSampler(pid: child.pid, interval: 0.1)
        let r = try child.wait(timeout: 900)
        let samples = sampler.stop()
        guard r.status == 0 else { throw Child.Failure(description: "probe exited \(r.status): \(r.stderr.suffix(1000))") }
        let output = try JSONDecoder().decode(ProbeChildCommand.Output.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        return (r.wall, output, samples)
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        let count = ctx.quick ? 10 : 50
        let e = try CriticalPathBench.Emulators.start(ctx, count: count, responseDelay: 200, chunkDelay: 20)
        defer { e.child.stop() }
        var out = BenchOutput()
        let one = try probe(ctx, e, urls: [e.urls[0]])
        let many = try probe(ctx, e, urls: e.urls)
        // Every target must have got the same verdicts as the single one.
        let reference = one.output.reports[0].features.mapValues(\.verdict)
        let differing = many.output.reports.filter { $0.features.mapValues(\.verdict) != reference }.count
        let ratio = many.wall / one.wall
        let requests = many.output.reports.reduce(0) { $0 + $1.stats.requests }
        out.details["2 many targets"] = [
            "1 target: wall \(fmt(one.wall)) s (engine \(fmt(one.output.wallSeconds)) s), peak RSS \(megabytes(one.output.peakKB))",
            "\(count) targets: wall \(fmt(many.wall)) s (engine \(fmt(many.output.wallSeconds)) s), peak RSS \(megabytes(many.output.peakKB)), \(requests) requests, \(differing) targets with verdicts differing from the single run",
            "RSS over the \(count)-target run (s: MiB): " + stride(from: 0, to: many.samples.count, by: max(1, many.samples.count / 12))
                .map { "\(fmt(many.samples[$0].t, 1)): \(fmt(Double(many.samples[$0].kB) / 1024, 0))" }.joined(separator: ", "),
        ]
        out.figures.append(Figure(
            target: 2, name: "\(count) emulated targets in one run vs one",
            goal: "≤ 1.5× one target", measured: "\(fmt(many.wall)) s wall",
            alternative: "\(fmt(one.wall)) s for one", ratio: "\(fmt(ratio))×", met: ratio <= 1.5 && differing == 0,
            note: "peak RSS \(megabytes(many.output.peakKB)) for \(count) targets vs \(megabytes(one.output.peakKB)) for one (\(fmt(Double(many.output.peakKB - one.output.peakKB) / 1024 / Double(count - 1), 2)) MiB per extra target); \(differing) targets' verdicts differ",
            load: ctx.load))
        out.figures.append(Figure(
            target: 2, name: "peak RSS, \(count) targets", goal: "bounded (report)", measured: megabytes(many.output.peakKB),
            alternative: "\(megabytes(one.output.peakKB)) for one", ratio: "\(fmt(Double(many.output.peakKB) / Double(one.output.peakKB)))×",
            met: nil, note: "", load: ctx.load))
        return out
    }
}
