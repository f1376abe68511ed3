import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// Runs one case: waits for its dependencies, sends its steps, applies its rules.
struct CaseRunner: Sendable {
    let testCase: Case
    let target: Target
    let builder: RequestBuilder
    let session: Session
    let redactor: Redactor
    let control: RunControl

    /// What the steps left for the rules, or a result that ends the case before them.
    private enum Sent {
        case answered(outcomes: [String: StepOutcome], variables: [String: JSONValue])
        case ended(FeatureResult)
    }

    func run(dependencies: [String]) async -> FeatureResult? {
        let started = ContinuousClock.now
        var features: [String: Verdict] = [:]
        for d in dependencies { features[d] = await session.result(of: d).verdict }
        if Task.isCancelled { return cut(started: started) }
        if let why = unmetPrerequisite(features) { return untested(why, started: started) }
        switch await sendSteps(features: features, started: started) {
        case .ended(let result): return result
        case .answered(let outcomes, let variables):
            return await decide(outcomes: outcomes, variables: variables, features: features, started: started)
        }
    }

    // MARK: Before anything is sent

    /// Why the case cannot run: a prerequisite feature not supported, a variable not configured.
    private func unmetPrerequisite(_ features: [String: Verdict]) -> String? {
        let c = testCase
        for r in c.requires where features[r] != .supported {
            return "needs \(r) supported, it is \(features[r]?.rawValue ?? "not run")"
        }
        if !c.requiresAny.isEmpty && !c.requiresAny.contains(where: { features[$0] == .supported }) {
            let states = c.requiresAny.map { "\($0) \(features[$0]?.rawValue ?? "not run")" }.joined(separator: ", ")
            return "needs one of \(c.requiresAny.joined(separator: ", ")) supported (\(states))"
        }
        for v in c.requiresVars where target.variables[v] == nil {
            return v == "embedding_model" ? "no embedding model configured (--embedding-model)" : "variable \(v) is not configured"
        }
        return nil
    }

    // MARK: The steps

    /// Sends the steps in order, each when its condition holds, with the first variant that
    /// applies, capturing variables for the next.
    private func sendSteps(features: [String: Verdict], started: ContinuousClock.Instant) async -> Sent {
        var variables: [String: JSONValue] = [:]
        var outcomes: [String: StepOutcome] = [:]
        for step in testCase.steps {
            var evaluator = Evaluator(outcomes: outcomes, defaultStep: step.id, features: features, log: [],
                                      variables: target.variables.merging(variables) { _, captured in captured })
            let runs = evaluator.holds(step.runIf)
            let variant = runs ? step.variants.first(where: { evaluator.holds($0.condition) }) : nil
            if let why = evaluator.undecided {
                return .ended(Task.isCancelled ? cut(started: started) : untested("not decided: \(why)", started: started))
            }
            guard runs else {
                outcomes[step.id] = .skipped("condition not met")
                continue
            }
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
                return .ended(untested("not decided: step `\(step.id)`: \(e)", evidence: evidence(outcomes), started: started))
            } catch {
                outcomes[step.id] = .skipped("\(error)")
                continue
            }
            if Task.isCancelled { return .ended(cut(started: started)) }
            let ex = await session.exchange(prepared, for: testCase.id)
            if ex.error == .cancelled {
                return .ended(cut([EvidenceBuilder.make(step: step.id, ex, redactor: redactor, target: target)], started: started))
            }
            outcomes[step.id] = .ran(ex)
            capture(step, from: ex, into: &variables)
            ex.dropParsedTree()  // a large answer's tree is parsed again when the rules look into it
        }
        // An answer too large to parse decides nothing its JSON would tell.
        for step in testCase.steps {
            guard let ex = outcomes[step.id]?.exchange, let size = ex.tooComplex else { continue }
            return .ended(untested("not decided: step `\(step.id)` got \(ex.summary) whose JSON holds \(size.excess()), "
                                   + "beyond what a run parses (a padded or hostile answer)",
                                   evidence: evidence(outcomes), started: started))
        }
        return .answered(outcomes: outcomes, variables: variables)
    }

    /// The step's captures, read from its answer.
    private func capture(_ step: Step, from ex: Exchange, into variables: inout [String: JSONValue]) {
        guard !step.captures.isEmpty else { return }
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

    // MARK: The rules

    /// Applies the verdict rules (first match wins) and the quirk rules to what the steps got.
    private func decide(outcomes: [String: StepOutcome], variables: [String: JSONValue], features: [String: Verdict],
                        started: ContinuousClock.Instant) async -> FeatureResult {
        let c = testCase
        var quirks: [String: JSONValue] = [:]
        var chosen: VerdictRule? = nil
        var firstFailures: [String] = []
        var detailMessages: [String] = []
        // One evaluator for every rule, so each step document is built once.
        var evaluator = Evaluator(outcomes: outcomes, defaultStep: c.steps.last?.id, features: features,
                                  log: await session.log,
                                  variables: target.variables.merging(variables) { _, captured in captured })
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
            if Task.isCancelled { return cut(evidence(outcomes), started: started) }
            return untested("not decided: \(why)", evidence: evidence(outcomes), started: started)
        }
        // An error whose body was cut short decides nothing its body would tell.
        if let cut = evaluator.cutBody, c.feature != nil {
            return untested("not decided: \(cut)", evidence: evidence(outcomes), started: started)
        }
        for rule in c.quirks {
            // A quirk rule whose check could not decide records nothing (`fails:` would hold).
            evaluator.startRule()
            evaluator.undecided = nil
            if evaluator.holds(rule.condition), evaluator.cutBody == nil, evaluator.undecided == nil {
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
        let answers = c.steps.compactMap { outcomes[$0.id]?.exchange }
        guard c.feature != nil else {
            // A quirk-only case: what it observed, for progress lines (never published).
            let seen = quirks.keys.sorted().map { "\($0): \(quirks[$0]!.stringValue ?? quirks[$0]!.serialized(sortedKeys: true))" }.joined(separator: ", ")
            let why = answers.last.map { " (\(c.title ?? c.id): \($0.summary))" } ?? ""
            return FeatureResult(verdict: .untested, detail: clean((seen.isEmpty ? "nothing observed" : seen) + why),
                                 suite: c.suite, caseID: c.id)
        }

        var verdict = chosen?.verdict ?? .broken
        var detail = chosen.map { renderText($0.detail, outcomes: outcomes, variables: variables, messages: detailMessages,
                                             failures: firstFailures) }
            ?? "no verdict rule matched (suite error at \(c.location))"
        // A request redirected to another origin was not followed (its credentials stay with
        // the origin named): what came back describes no upstream, so nothing is decided.
        if let redirected = answers.first(where: \.wasRedirectedAcrossOrigins) {
            verdict = .untested
            detail = "not decided: \(redirected.summary)"
        }
        return FeatureResult(verdict: verdict, detail: clean(detail + Self.attemptNotes(answers)),
                             evidence: evidence(outcomes), suite: c.suite, caseID: c.id,
                             seconds: (ContinuousClock.now - started).milliseconds / 1000,
                             latency: answers.last.flatMap(Latency.figures))
    }

    /// What the detail says about the answers' attempts: retries of the retry policy, and a
    /// re-run alone (said apart, not counted as a retry).
    static func attemptNotes(_ answers: [Exchange]) -> String {
        var notes = ""
        let retries = answers.map { ($0, $0.attempts - 1 - ($0.aloneRerun == nil ? 0 : 1)) }.filter { $0.1 > 0 }
        if !retries.isEmpty {
            let reasons = retries.flatMap(\.0.retryReasons).joined(separator: ", ")
            let n = retries.reduce(0) { $0 + $1.1 }
            notes += " (after \(n) retr\(n == 1 ? "y" : "ies"): \(reasons))"
        }
        let rerun = answers.compactMap(\.aloneRerun)
        if !rerun.isEmpty {
            // Same outcome alone: it stands as the upstream's. Else the answer alone decided.
            notes += " (" + (rerun.allSatisfy(\.same) ? rerun[0].note : rerun.first { !$0.same }!.note) + ")"
        }
        return notes
    }

    // MARK: Results

    /// One line, at most 300 characters, with no secret in it.
    private func clean(_ text: String) -> String {
        redactor.redact(TextSanitizer.oneLine(redactor.redact(text), limit: 300))
    }

    private func untested(_ why: String, evidence: [Evidence] = [], started: ContinuousClock.Instant) -> FeatureResult {
        FeatureResult(verdict: .untested, detail: clean(why), evidence: evidence, suite: testCase.suite, caseID: testCase.id,
                      seconds: (ContinuousClock.now - started).milliseconds / 1000)
    }

    /// The run was stopped before this case could decide.
    private func cut(_ evidence: [Evidence] = [], started: ContinuousClock.Instant) -> FeatureResult {
        control.markCut()
        return untested("not decided: \(control.stopReason ?? "the run was cancelled")", evidence: evidence, started: started)
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
