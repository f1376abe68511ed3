import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// Runs suites against targets. Cases run concurrently; each waits only for the features it
/// depends on; requests are bounded per target by `jobs`; identical requests are sent once.
/// One failing case never stops the others.
public struct Prober: Sendable {
    public let suites: [Suite]
    public let options: ProbeOptions
    /// What the probe takes from the suites for `options`' selection, shared when given.
    public let plan: ProbePlan
    let client: HTTPClient
    /// The run's cap on requests in flight across targets (`RunScheduler`), if any.
    var sharedLimiter: AsyncSemaphore? = nil

    /// `plan` is computed from `suites` and `options` when not given; a run shares one between
    /// the targets probed with the same `--features` and `--skip`.
    public init(suites: [Suite], options: ProbeOptions = ProbeOptions(), client: HTTPClient = .shared, plan: ProbePlan? = nil) {
        self.suites = suites
        self.options = options
        self.client = client
        self.plan = plan ?? ProbePlan(cases: suites.flatMap(\.cases), include: options.include, exclude: options.exclude)
    }

    /// Every case, in file order.
    public var cases: [Case] { suites.flatMap(\.cases) }

    /// Cases selected by `--features` / `--skip`, plus the prerequisites they need.
    public func selectedCases() -> [Case] { plan.selected }

    /// Probes one target and returns its report. Never throws: failures become verdicts.
    ///
    /// The probe stops early when `control` is stopped, when `options.deadline` passes, or when
    /// the calling task is cancelled: in-flight transfers are cancelled, unfinished features end
    /// `untested` with the reason, and `control.cutShort` turns true (the report is partial).
    public func probe(_ given: Target, control: RunControl? = nil,
                      onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> TargetReport {
        let control = control ?? RunControl()
        let options = self.options
        let started = ContinuousClock.now
        let selected = plan.selected
        let stepTemplates = plan.stepTemplates
        let redactor = Redactor(secrets: given.redactionSecrets)
        let guardBuilder = RequestBuilder(target: given, steps: [:])
        let transport = Transport(client: client, limiter: AsyncSemaphore(options.jobs, shared: sharedLimiter), options: options,
                                  insecure: given.insecure, credentials: { guardBuilder.credentialHeaders($0) })
        let session = Session(transport: transport)
        // The preflight (Preflight/): a configuration error or an unreachable base stops the target here.
        let preflight = await Preflight(target: given, steps: stepTemplates, session: session, redactor: redactor)
            .run(control: control, deadline: options.deadline)
        onEvent(.preflightFinished(target: given.name, preflight: preflight.report))
        if preflight.stops {
            let report = await preflight.report(cases: selected, session: session, started: started)
            onEvent(.targetFinished(target: given.name, report: report))
            return report
        }
        let target = preflight.target
        let builder = RequestBuilder(target: target, steps: stepTemplates)
        onEvent(.targetStarted(target: target.name, cases: selected.count))
        // A server that says how many requests it serves at once gets no more than that.
        if !selected.isEmpty, !Task.isCancelled {
            if let slots = await ServerCapacity.learn(builder: builder, session: session) {
                await session.setQuirk("server_slots", .int(slots))
                if slots < options.jobs { await transport.limiter.setLimit(slots) }
                onEvent(.serverSlots(target: target.name, slots: slots, jobs: min(slots, options.jobs)))
            }
        }

        await runCases(target: target, builder: builder, session: session, redactor: redactor, control: control, onEvent: onEvent)
        let report = await report(target, session: session, redactor: redactor, started: started, preflight: preflight.report)
        onEvent(.targetFinished(target: target.name, report: report))
        return report
    }

    /// Runs every selected case, each once the cases it waits for finished, until all are done
    /// or `control` stops (or the deadline passes). Case tasks return true; the watcher returns
    /// false when the run must stop. Cases that others wait for run at a higher priority (their
    /// requests go out first).
    private func runCases(target: Target, builder: RequestBuilder, session: Session, redactor: Redactor, control: RunControl,
                          onEvent: @escaping @Sendable (RunEvent) -> Void) async {
        let (selected, graph, universe, priorities, deadline) = (plan.selected, plan.graph, plan.universe, plan.priorities, options.deadline)
        await withTaskGroup(of: Bool.self) { group in
            for c in selected {
                let deps = graph.dependencies(of: c, universe: universe)
                let waitFor = graph.afterCases(of: c)
                group.addTask(priority: priorities[c.id] ?? .low) {
                    for id in waitFor { await session.waitCase(id) }
                    let runner = CaseRunner(testCase: c, target: target, builder: builder, session: session,
                                            redactor: redactor, control: control)
                    let result = await runner.run(dependencies: deps)
                    if let f = c.feature, let result { await session.publish(f, result) }
                    await session.finishCase(c.id)
                    onEvent(.caseFinished(target: target.name, caseID: c.id, feature: c.feature, result: result))
                    return true
                }
            }
            group.addTask {
                await control.waitForStop(orDeadline: deadline)
                return false
            }
            var running = selected.count
            while running > 0, let caseFinished = await group.next() {
                if caseFinished { running -= 1 } else { group.cancelAll() }
            }
            group.cancelAll()  // the watcher, when every case finished in time
        }
    }

    /// The target's report from what the session holds: every selected feature (undecided ones
    /// `untested`), the quirks, the statistics, names and secrets redacted.
    private func report(_ target: Target, session: Session, redactor: Redactor, started: ContinuousClock.Instant,
                        preflight: PreflightReport) async -> TargetReport {
        var features = await session.allResults()
        let log = await session.log
        if let why = Prober.unreachable(log) {
            // Not one connection was made: nothing about any feature is known.
            features = features.mapValues { r in
                FeatureResult(verdict: .untested, detail: "not decided: the target could not be reached: \(why)",
                              evidence: r.evidence, suite: r.suite, caseID: r.caseID, seconds: r.seconds)
            }
        }
        for f in plan.universe where features[f] == nil {
            let c = plan.selected.first { $0.feature == f }!
            features[f] = FeatureResult(verdict: .untested, detail: "not decided", suite: c.suite, caseID: c.id)
        }
        var quirks = Observers.quirks(log)
        for (k, v) in await session.quirks { quirks[k] = v }
        let stats = TargetStats(log: log, started: started)
        return TargetReport(name: target.name, baseURL: redactor.redact(target.baseURL),
                                  model: target.model.map(redactor.redact),
                                  embeddingModel: target.embeddingModel.map(redactor.redact), features: features,
                                  quirks: quirks.mapValues { Observers.redact($0, redactor) }, stats: stats,
                                  insecure: target.insecure, auth: target.auth.mode,
                                  apiVersion: target.auth.azureDeployments?.apiVersion,
                                  deployment: target.auth.azureDeployments?.deployment.map(redactor.redact),
                                  embeddingDeployment: target.auth.azureDeployments?.embeddingDeployment.map(redactor.redact),
                                  preflight: preflight)
    }

    /// Why no connection to the target was ever made (the first failure, e.g. `connection
    /// refused (refused)`), or nil when some request got an answer or failed otherwise.
    static func unreachable(_ log: [Exchange]) -> String? {
        guard !log.isEmpty else { return nil }
        for ex in log {
            guard ex.status == nil, let error = ex.error else { return nil }
            switch error {
            case .refused, .dns, .timeout(.connect), .tls: continue
            default: return nil
            }
        }
        return log[0].summary
    }
}
