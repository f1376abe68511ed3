import Foundation
import TouchstoneCore
import TouchstoneKit

/// Target 1: the whole taxonomy against an emulator with 200 ms before every response and
/// 20 ms between stream events, with the `touchstone` CLI, compared with the longest chain of
/// dependent requests (the physical limit), at several `--jobs`.
enum CriticalPathBench {
    static let responseDelay = 200.0
    static let chunkDelay = 20.0
    static let defaultJobs = ProbeOptions().jobs

    /// An emulator process with the injected latency.
    struct Emulators {
        let child: Child
        let urls: [String]
        let model: String
        let embeddingModel: String?
        let key: String?

        static func start(_ ctx: BenchContext, count: Int, responseDelay: Int, chunkDelay: Int) throws -> Emulators {
            let (child, line) = try Child.serve([ctx.me, "serve", "--count", "\(count)",
                                                 "--response-delay", "\(responseDelay)", "--chunk-delay", "\(chunkDelay)"])
            let a = try JSONDecoder().decode(ServeCommand.Announcement.self, from: Data(line.utf8))
            return Emulators(child: child, urls: a.urls, model: a.model, embeddingModel: a.embeddingModel, key: a.key)
        }
    }

    /// One `touchstone probe` run: the process's wall time and its JSON report.
    static func cli(_ ctx: BenchContext, _ e: Emulators, jobs: Int, extra: [String] = [], url: String? = nil,
                    model: String? = nil) throws -> (wall: Double, report: Report) {
        let out = ctx.temporaryFile("report.json")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var args = [ctx.touchstone, "probe", url ?? e.urls[0], "--model", model ?? e.model, "--jobs", "\(jobs)",
                    "--json", out, "--quiet", "--fail-on", "none"]
        if let m = e.embeddingModel, model == nil { args += ["--embedding-model", m] }
        if e.key != nil { args += ["--api-key-env", "TOUCHSTONE_BENCH_KEY"] }
        let r = try Child.run(args + extra, environment: ["TOUCHSTONE_BENCH_KEY": e.key ?? ""], timeout: 900)
        let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        return (r.wall, report)
    }

    /// What a request takes on its own against the injected latency: its shortest measured time
    /// over the calibration runs, snapped down to the schedule (200 ms + k × 20 ms). Waiting and
    /// timer overshoot only ever add time, so the largest schedule point within 2 ms above the
    /// shortest time is the upstream's own share; the harness's share is not counted.
    static func intrinsic(_ elapsed: Double) -> Double {
        guard elapsed >= responseDelay else { return elapsed }
        return responseDelay + chunkDelay * ((elapsed - responseDelay + 2) / chunkDelay).rounded(.down)
    }

    /// The physical limit from calibration runs' evidence. `shared`: requests with the same
    /// method, URL and body are one request (the session sends identical requests once; the
    /// evidence has no headers, so requests differing only in headers are merged too: a lower
    /// bound of the limit).
    static func limit(_ suites: [Suite], _ reports: [TargetReport], shared: Bool) -> CriticalPath {
        let prober = Prober(suites: suites)
        return prober.criticalPath { c in
            guard let f = c.feature else {
                // A quirk-only case leaves no evidence: one plain request per step.
                return c.steps.map { ChainRequest(key: "\(c.id)/\($0.id)", cost: responseDelay) }
            }
            guard let result = reports[0].features[f] else { return [] }
            return c.steps.compactMap { s in
                guard let ev = result.evidence.first(where: { $0.step == s.id }) else { return nil }
                let shortest = reports.compactMap { $0.features[f]?.evidence.first(where: { $0.step == s.id })?.elapsedMs }.min()!
                let key = shared ? "\(ev.method) \(ev.url)\n\(ev.request ?? "")" : "\(c.id)/\(s.id)"
                return ChainRequest(key: key, cost: intrinsic(shortest))
            }
        }
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        let e = try Emulators.start(ctx, count: 1, responseDelay: Int(responseDelay), chunkDelay: Int(chunkDelay))
        defer { e.child.stop() }
        let suites = try SuiteLoader.load(directory: ctx.suites)
        var out = BenchOutput()

        // Calibration: every request in flight at once, so each one's time is its own; three
        // runs, the shortest time of each request counts.
        let calibration = try (0..<3).map { _ in try cli(ctx, e, jobs: 512) }
        let reports = calibration.map { $0.report.targets[0] }
        let t = reports[0]
        let lower = limit(suites, reports, shared: true)
        let upper = limit(suites, reports, shared: false)
        let requests = t.stats.requests
        let fastest = calibration.min { $0.wall < $1.wall }!
        out.details["1 critical path"] = [
            "physical limit \(fmt(lower.length / 1000)) s (\(lower.requests) requests: \(lower.cases.joined(separator: " → "))); without shared requests \(fmt(upper.length / 1000)) s",
            "requests sent per run: \(requests); unlimited jobs: wall \(calibration.map { fmt($0.wall) }.joined(separator: "/")) s (engine \(fmt(fastest.report.targets[0].stats.wallSeconds)) s in the fastest)",
        ]

        // The sweep: --jobs from 2 to 64, default included.
        var sweep: [(jobs: Int, wall: Double, engine: Double)] = []
        let jobsList = ctx.quick ? [4, defaultJobs, 32] : [2, 4, defaultJobs, 12, 16, 24, 32, 64]
        for jobs in jobsList {
            let r = try cli(ctx, e, jobs: jobs)
            sweep.append((jobs, r.wall, r.report.targets[0].stats.wallSeconds))
            out.details["1 critical path", default: []].append(
                "--jobs \(jobs): wall \(fmt(r.wall)) s (engine \(fmt(r.report.targets[0].stats.wallSeconds)) s), \(fmt(r.wall * 1000 / lower.length))× limit (load \(ctx.load))")
        }
        let atDefault = sweep.first { $0.jobs == defaultJobs }!
        let ratio = atDefault.wall * 1000 / lower.length
        let best = sweep.min { $0.wall < $1.wall }!
        let smallestMeeting = sweep.filter { $0.wall * 1000 / lower.length <= 1.3 }.map(\.jobs).min()
        out.figures.append(Figure(
            target: 1, name: "whole taxonomy, 200 ms + 20 ms/chunk, --jobs \(defaultJobs) (default)",
            goal: "≤ 1.3× longest chain", measured: "\(fmt(atDefault.wall)) s wall",
            alternative: "\(fmt(lower.length / 1000)) s chain (\(lower.requests) requests)",
            ratio: "\(fmt(ratio))×", met: ratio <= 1.3,
            note: "\(requests) requests; best --jobs \(best.jobs): \(fmt(best.wall)) s (\(fmt(best.wall * 1000 / lower.length))×); smallest --jobs within 1.3×: \(smallestMeeting.map(String.init) ?? "none")",
            load: ctx.load))
        return out
    }
}
