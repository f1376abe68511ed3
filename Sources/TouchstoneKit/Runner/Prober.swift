import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// Runs suites against targets. Cases run concurrently; each waits only for the features it
/// depends on; requests are bounded per target by `jobs`; identical requests are sent once.
/// One failing case never stops the others.
public struct Prober: Sendable {
    public let suites: [Suite]
    public let options: ProbeOptions
    let client: HTTPClient
    /// The run's cap on requests in flight across targets (`RunScheduler`), if any.
    var sharedLimiter: AsyncSemaphore? = nil

    public init(suites: [Suite], options: ProbeOptions = ProbeOptions(), client: HTTPClient = .shared) {
        self.suites = suites
        self.options = options
        self.client = client
    }

    /// Every case, in file order.
    public var cases: [Case] { suites.flatMap(\.cases) }

    /// Cases selected by `--features` / `--skip`, plus the prerequisites they need.
    public func selectedCases() -> [Case] {
        let all = cases
        let graph = DependencyGraph(cases: all)
        func matches(_ c: Case, _ globs: [String]) -> Bool {
            globs.contains { Glob.matches($0, c.feature ?? c.id) || Glob.matches($0, c.id) }
        }
        var chosen = Set(all.filter { c in
            (options.include.isEmpty || matches(c, options.include)) && !matches(c, options.exclude)
        }.map(\.id))
        let byFeature = Dictionary(all.compactMap { c in c.feature.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
        var frontier = Array(chosen)
        while let id = frontier.popLast() {
            guard let c = all.first(where: { $0.id == id }) else { continue }
            for f in graph.prerequisites(of: c) {
                if let dep = byFeature[f], !chosen.contains(dep.id) {
                    chosen.insert(dep.id)
                    frontier.append(dep.id)
                }
            }
        }
        return all.filter { chosen.contains($0.id) }
    }

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
        let selected = selectedCases()
        let universe = Set(selected.compactMap(\.feature))
        let graph = DependencyGraph(cases: selected)
        var stepTemplates: [String: RequestTemplate] = [:]
        for c in cases {
            for s in c.steps { if let v = s.variants.first { stepTemplates["\(c.id)/\(s.id)"] = v.request } }
        }
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

        // Case tasks return true; the watcher returns false when the run must stop. Cases that
        // others wait for run at a higher priority (their requests go out first).
        let priorities = self.priorities(selected)
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
                await control.waitForStop(orDeadline: options.deadline)
                return false
            }
            var running = selected.count
            while running > 0, let caseFinished = await group.next() {
                if caseFinished { running -= 1 } else { group.cancelAll() }
            }
            group.cancelAll()  // the watcher, when every case finished in time
        }

        var features = await session.allResults()
        let log = await session.log
        if let why = Prober.unreachable(log) {
            // Not one connection was made: nothing about any feature is known.
            features = features.mapValues { r in
                FeatureResult(verdict: .untested, detail: "not decided: the target could not be reached: \(why)",
                              evidence: r.evidence, suite: r.suite, caseID: r.caseID, seconds: r.seconds)
            }
        }
        for f in universe where features[f] == nil {
            let c = selected.first { $0.feature == f }!
            features[f] = FeatureResult(verdict: .untested, detail: "not decided", suite: c.suite, caseID: c.id)
        }
        var quirks = Observers.quirks(log)
        for (k, v) in await session.quirks { quirks[k] = v }
        let stats = TargetStats(log: log, started: started)
        let report = TargetReport(name: target.name, baseURL: redactor.redact(target.baseURL),
                                  model: target.model.map(redactor.redact),
                                  embeddingModel: target.embeddingModel.map(redactor.redact), features: features,
                                  quirks: quirks.mapValues { Observers.redact($0, redactor) }, stats: stats,
                                  insecure: target.insecure, auth: target.auth.mode,
                                  apiVersion: target.auth.azureDeployments?.apiVersion,
                                  deployment: target.auth.azureDeployments?.deployment.map(redactor.redact),
                                  embeddingDeployment: target.auth.azureDeployments?.embeddingDeployment.map(redactor.redact),
                                  preflight: preflight.report)
        onEvent(.targetFinished(target: target.name, report: report))
        return report
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

/// Runs one case: waits for its dependencies, sends its steps, applies its rules.
struct CaseRunner: Sendable {
    let testCase: Case
    let target: Target
    let builder: RequestBuilder
    let session: Session
    let redactor: Redactor
    let control: RunControl

    func run(dependencies: [String]) async -> FeatureResult? {
        let c = testCase
        let started = ContinuousClock.now
        var features: [String: Verdict] = [:]
        var depResults: [String: FeatureResult] = [:]
        for d in dependencies {
            let r = await session.result(of: d)
            features[d] = r.verdict
            depResults[d] = r
        }
        func untested(_ why: String) -> FeatureResult {
            FeatureResult(verdict: .untested, detail: why, suite: c.suite, caseID: c.id,
                          seconds: (ContinuousClock.now - started).milliseconds / 1000)
        }
        /// The run was stopped before this case could decide.
        func cut(_ evidence: [Evidence] = []) -> FeatureResult {
            control.markCut()
            var r = untested("not decided: \(control.stopReason ?? "the run was cancelled")")
            r.evidence = evidence
            return r
        }
        if Task.isCancelled { return cut() }
        for r in c.requires where features[r] != .supported {
            return untested("needs \(r) supported, it is \(features[r]?.rawValue ?? "not run")")
        }
        if !c.requiresAny.isEmpty && !c.requiresAny.contains(where: { features[$0] == .supported }) {
            let states = c.requiresAny.map { "\($0) \(features[$0]?.rawValue ?? "not run")" }.joined(separator: ", ")
            return untested("needs one of \(c.requiresAny.joined(separator: ", ")) supported (\(states))")
        }
        let vars = target.variables
        for v in c.requiresVars where vars[v] == nil {
            return untested(v == "embedding_model" ? "no embedding model configured (--embedding-model)"
                                                   : "variable \(v) is not configured")
        }

        // Steps, in order.
        var variables: [String: JSONValue] = [:]
        var outcomes: [String: StepOutcome] = [:]
        for step in c.steps {
            var evaluator = Evaluator(outcomes: outcomes, defaultStep: step.id, features: features, log: [],
                                      variables: vars.merging(variables) { _, captured in captured })
            if !evaluator.holds(step.runIf) {
                if let why = evaluator.undecided { return Task.isCancelled ? cut() : untested("not decided: \(why)") }
                outcomes[step.id] = .skipped("condition not met")
                continue
            }
            let variant = step.variants.first(where: { evaluator.holds($0.condition) })
            if let why = evaluator.undecided { return Task.isCancelled ? cut() : untested("not decided: \(why)") }
            guard let variant else {
                outcomes[step.id] = .skipped("no variant applies")
                continue
            }
            let prepared: PreparedRequest
            do {
                prepared = try builder.build(variant.request, variables: variables)
            } catch let e as RequestBuilder.MissingVariable {
                outcomes[step.id] = .skipped("variable \(e.name) unavailable")
                continue
            } catch let e as RequestSize.TooLarge {
                // Built from what the upstream answered: nothing about the feature is decided.
                var r = untested("not decided: step `\(step.id)`: \(e)")
                r.evidence = evidence(outcomes)
                return r
            } catch {
                outcomes[step.id] = .skipped("\(error)")
                continue
            }
            if Task.isCancelled { return cut() }
            let ex = await session.exchange(prepared, for: c.id)
            if ex.error == .cancelled {
                return cut([EvidenceBuilder.make(step: step.id, ex, redactor: redactor, target: target)])
            }
            outcomes[step.id] = .ran(ex)
            if !step.captures.isEmpty {
                let doc = StepDocument.make(ex)
                for cap in step.captures {
                    guard var v = cap.path.evaluate(doc).first else { continue }
                    if let e = cap.extract {
                        guard let x = Extractors.apply(e, v) else { continue }
                        v = x
                    }
                    variables[cap.name] = v
                }
            }
            ex.dropParsedTree()  // a large answer's tree is parsed again when the rules look into it
        }

        // An answer too large to parse decides nothing its JSON would tell.
        if let (step, ex) = c.steps.lazy.compactMap({ s in outcomes[s.id]?.exchange.map { (s.id, $0) } }).first(where: { $0.1.tooComplex != nil }),
           let size = ex.tooComplex {
            var r = untested("not decided: step `\(step)` got \(ex.summary) whose JSON holds \(size.excess()), "
                             + "beyond what a run parses (a padded or hostile answer)")
            r.evidence = evidence(outcomes)
            return r
        }

        // Verdict rules: first match wins.
        let log = await session.log
        let last = c.steps.last?.id
        var quirks: [String: JSONValue] = [:]
        var chosen: VerdictRule? = nil
        var firstFailures: [String] = []
        var detailMessages: [String] = []
        // One evaluator for every rule, so each step document is built once.
        var evaluator = Evaluator(outcomes: outcomes, defaultStep: last, features: features, log: log,
                                  variables: vars.merging(variables) { _, captured in captured })
        for rule in c.verdicts {
            evaluator.startRule()
            let holds = evaluator.holds(rule.condition)
            for (k, v) in evaluator.quirks { quirks[k] = v }
            if holds {
                chosen = rule
                detailMessages = evaluator.messages.isEmpty ? firstFailures : evaluator.messages
                break
            }
            if evaluator.cutBody != nil { break }  // the decision would rest on a body that never arrived
            if firstFailures.isEmpty { firstFailures = evaluator.failures }
        }
        // A check that could not decide (a regular expression over budget, or the run stopped
        // while it ran) leaves the feature undecided rather than judged by the next rule.
        if let why = evaluator.undecided {
            if Task.isCancelled { return cut(evidence(outcomes)) }
            var r = untested("not decided: \(why)")
            r.evidence = evidence(outcomes)
            return r
        }
        // An error whose body was cut short decides nothing its body would tell.
        if let cut = evaluator.cutBody, c.feature != nil {
            var r = untested("not decided: \(cut)")
            r.detail = redactor.redact(TextSanitizer.oneLine(redactor.redact(r.detail), limit: 300))
            r.evidence = evidence(outcomes)
            return r
        }
        for rule in c.quirks {
            evaluator.startRule()
            if evaluator.holds(rule.condition), evaluator.cutBody == nil {
                for (k, v) in evaluator.quirks { quirks[k] = v }
                for (k, v) in rule.set { quirks[k] = render(v, outcomes: outcomes, variables: variables) }
            }
        }
        if let chosen {
            for (k, v) in chosen.quirks { quirks[k] = render(v, outcomes: outcomes, variables: variables) }
        }
        // The rules are decided: no large answer's tree is kept past this point.
        evaluator.forgetDocuments()
        for o in outcomes.values { o.exchange?.dropParsedTree() }
        for (k, v) in quirks { await session.setQuirk(k, v) }
        guard c.feature != nil else {
            // A quirk-only case: what it observed, for progress lines (never published).
            let seen = quirks.keys.sorted().map { "\($0): \(quirks[$0]!.stringValue ?? quirks[$0]!.serialized(sortedKeys: true))" }.joined(separator: ", ")
            let subject = c.steps.reversed().compactMap { outcomes[$0.id]?.exchange }.first
            let why = subject.map { " (\(c.title ?? c.id): \($0.summary))" } ?? ""
            let text = (seen.isEmpty ? "nothing observed" : seen) + why
            return FeatureResult(verdict: .untested, detail: redactor.redact(TextSanitizer.oneLine(redactor.redact(text), limit: 300)),
                                 suite: c.suite, caseID: c.id)
        }

        var verdict = chosen?.verdict ?? .broken
        var detail = chosen.map { renderText($0.detail, outcomes: outcomes, variables: variables, messages: detailMessages,
                                             failures: firstFailures) }
            ?? "no verdict rule matched (suite error at \(c.location))"
        // A request redirected to another origin was not followed (its credentials stay with
        // the origin named): what came back describes no upstream, so nothing is decided.
        if let redirected = c.steps.compactMap({ outcomes[$0.id]?.exchange }).first(where: \.wasRedirectedAcrossOrigins) {
            verdict = .untested
            detail = "not decided: \(redirected.summary)"
        }
        // Retries of the retry policy (a re-run alone is said below, not counted here).
        let retries = c.steps.compactMap { outcomes[$0.id]?.exchange }.map { ($0, $0.attempts - 1 - ($0.aloneRerun == nil ? 0 : 1)) }.filter { $0.1 > 0 }
        if !retries.isEmpty {
            let reasons = retries.flatMap(\.0.retryReasons).joined(separator: ", ")
            let n = retries.reduce(0) { $0 + $1.1 }
            detail += " (after \(n) retr\(n == 1 ? "y" : "ies"): \(reasons))"
        }
        let rerun = c.steps.compactMap { outcomes[$0.id]?.exchange?.aloneRerun }
        if !rerun.isEmpty {
            // Same outcome alone: it stands as the upstream's. Else the answer alone decided.
            detail += " (" + (rerun.allSatisfy(\.same) ? rerun[0].note : rerun.first { !$0.same }!.note) + ")"
        }
        let evidence = evidence(outcomes)
        let subject = c.steps.reversed().compactMap { outcomes[$0.id]?.exchange }.first
        return FeatureResult(verdict: verdict, detail: redactor.redact(TextSanitizer.oneLine(redactor.redact(detail), limit: 300)),
                             evidence: evidence, suite: c.suite, caseID: c.id,
                             seconds: (ContinuousClock.now - started).milliseconds / 1000,
                             latency: subject.flatMap(Latency.figures))
    }

    /// The evidence of every step that was sent (bounded excerpts, redacted).
    func evidence(_ outcomes: [String: StepOutcome]) -> [Evidence] {
        testCase.steps.compactMap { s -> Evidence? in
            guard let ex = outcomes[s.id]?.exchange else { return nil }
            return EvidenceBuilder.make(step: s.id, ex, redactor: redactor, target: target)
        }
    }

    func render(_ v: JSONValue, outcomes: [String: StepOutcome], variables: [String: JSONValue]) -> JSONValue {
        guard case .string(let s) = v else { return v }
        let text = renderText(s, outcomes: outcomes, variables: variables, messages: [], failures: [])
        if s.hasPrefix("${"), s.hasSuffix("}"), let n = Int(text) { return .int(n) }
        return .string(text)
    }

    /// `${message}` (the matched rule's check messages, else why the first rule failed),
    /// `${failure}` (why the first rule failed), `${summary}` (the last step's status line),
    /// `${STEP.status}`, `${STEP.summary}`, `${STEP.error}` and variables. Unknown names stay as written.
    func renderText(_ s: String, outcomes: [String: StepOutcome], variables: [String: JSONValue], messages: [String],
                    failures: [String]) -> String {
        guard s.contains("${") else { return s }
        var vars = target.variables
        for (k, v) in variables { vars[k] = v }
        vars["message"] = .string(messages.isEmpty ? "no further detail" : messages.joined(separator: "; "))
        vars["failure"] = .string(failures.isEmpty ? "no further detail" : failures.joined(separator: "; "))
        let lastRan = testCase.steps.reversed().compactMap { outcomes[$0.id]?.exchange }.first
        vars["summary"] = .string(lastRan?.summary ?? "no request was sent")
        for (name, o) in outcomes {
            switch o {
            case .ran(let ex):
                vars["\(name).status"] = ex.status.map { .string("\($0)") } ?? .string("none")
                vars["\(name).summary"] = .string(ex.summary)
                vars["\(name).error"] = .string(ex.errorMessage.map { TextSanitizer.oneLine($0, limit: 120) } ?? "")
            case .skipped(let why):
                vars["\(name).status"] = .string("not sent")
                vars["\(name).summary"] = .string("not sent: \(why)")
                vars["\(name).error"] = .string("")
            }
        }
        return RequestBuilder.substitute(lenient: s, vars)
    }
}
