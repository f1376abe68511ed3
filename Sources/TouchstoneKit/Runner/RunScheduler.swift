import TouchstoneCore

/// Probes many targets in one process at bounded memory and connections.
///
/// Targets are admitted as capacity allows, not all at once: a target starts while the `jobs`
/// of the targets running sum to at most twice `maxInFlight` (and always when none runs), so a
/// run of a thousand targets holds the exchanges of a few dozen at a time. Every target's
/// requests share one cap of `maxInFlight` requests in flight across the run, besides the
/// target's own `jobs`. Each finished target's report is handed to `finished` at once, in
/// the order targets finish, and nothing of it is kept here: the caller keeps what its
/// reports need (`CompactReport`).
public struct RunScheduler: Sendable {
    /// `--max-in-flight`: below the usual limit of 1024 open files, with room for the process.
    public static let defaultMaxInFlight = 256

    public let maxInFlight: Int

    public init(maxInFlight: Int = RunScheduler.defaultMaxInFlight) {
        self.maxInFlight = max(1, maxInFlight)
    }

    /// One target to probe with its prober (its suites and options).
    public struct Job: Sendable {
        public var prober: Prober
        public var target: Target
        public init(prober: Prober, target: Target) {
            self.prober = prober
            self.target = target
        }
    }

    /// Runs every job; `finished(index, report)` receives each target's report as it finishes
    /// (`index` into `jobs`). Stopping `control` ends every probe early, as `Prober.probe` does;
    /// targets not started by then are probed with the stopped control (every feature untested).
    public func run(_ jobs: [Job], control: RunControl, onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in },
                    finished: (Int, TargetReport) -> Void) async {
        let cap = AsyncSemaphore(maxInFlight)
        let admitted = 2 * maxInFlight
        await withTaskGroup(of: (Int, TargetReport).self) { group in
            var running = 0
            var runningJobs = 0
            for (i, job) in jobs.enumerated() {
                let weight = max(1, job.prober.options.jobs)
                while running > 0, runningJobs + weight > admitted, let (k, report) = await group.next() {
                    running -= 1
                    runningJobs -= max(1, jobs[k].prober.options.jobs)
                    finished(k, report)
                }
                var prober = job.prober
                prober.sharedLimiter = cap
                let target = job.target
                running += 1
                runningJobs += weight
                group.addTask { (i, await prober.probe(target, control: control, onEvent: onEvent)) }
            }
            while let (k, report) = await group.next() { finished(k, report) }
        }
    }
}
