import Foundation
import TouchstoneCore
import TouchstoneReports

/// A run, from targets to reports: load (suites, expectations; every configuration problem
/// before any request) → plan (emulators started, each target with its options) → probe (every
/// target concurrently, `RunScheduler`) → report (one combined report) → write (every output;
/// one failure costs no other) → the exit status (`ExitPolicy`).
///
/// `probe` and `run` call it with their options; `observer` receives the progress. Stopping
/// `control` (a signal, which the caller catches) ends the probes early with what finished.
public struct RunPipeline: Sendable {
    public var options: RunOptions
    /// Starts the emulators of `emulate:` targets; nil when no target may be emulated.
    public var emulators: EmulatorHook?

    public init(options: RunOptions, emulators: EmulatorHook? = nil) {
        self.options = options
        self.emulators = emulators
    }

    /// What `load` reads before anything is sent.
    public struct Loaded: Sendable {
        public var suites: [Suite]
        public var expectations: Expectations?
    }

    /// One target ready to probe, with its own options.
    public struct Planned: Sendable {
        public var target: Target
        public var options: ProbeOptions
    }

    /// Runs every stage; throws `RunSetupError` when the configuration is wrong (nothing sent).
    public func run(_ allSpecs: [TargetSpec], control: RunControl = RunControl(),
                    observer: some RunObserver = SilentRunObserver()) async throws -> RunOutcome {
        // The whole run, from here, within --deadline.
        let deadline = options.deadline.map { Deadline(seconds: $0) }

        // 1. Everything that can be wrong with the configuration, before any request.
        let loaded = try load()
        let outputs = ReportSelection(options.outputs)
        let outputProblems = outputs.problems()
        if !outputProblems.isEmpty {
            throw RunSetupError(.usage, outputProblems.map { "cannot write a report to \($0)" }.joined(separator: "\n") + "\nnothing was sent")
        }
        let specs = options.shard.map { s in s.select(allSpecs, name: \.name) } ?? allSpecs
        try checkEmulated(specs)
        try checkFeaturePatterns(specs, loaded: loaded)
        if let shard = options.shard, specs.isEmpty {
            observer.note("shard \(shard) has no target (\(allSpecs.count) target(s) in all); writing empty reports")
        }
        let compactStore: CompactReport
        do {
            compactStore = try CompactReport()  // before anything is sent: no temporary file, no run
        } catch {
            throw RunSetupError(.configuration, "error: \(error)")
        }

        // 2. Emulators, then the targets.
        let planned = try await plan(specs, deadline: deadline)
        if Redactor.tooShort(planned.compactMap(\.target.apiKey)) > 0 {
            observer.note("warning: an API key shorter than \(Redactor.minimumLength) bytes is not treated as a secret: it is not masked in the outputs")
        }
        if planned.contains(where: \.target.insecure) {
            observer.note("warning: TLS certificate verification is off (insecure) for: "
                          + planned.filter(\.target.insecure).map(\.target.name).joined(separator: ", "))
        }

        // 3. Probe every target concurrently.
        let started = Date()
        var compact = compactStore
        let failure = await probe(planned, suites: loaded.suites, into: &compact, control: control, observer: observer)
        observer.probingFinished()
        await emulators?.stopAll()
        if let failure { throw RunSetupError(.reportsLost, "error: cannot keep the finished targets for the reports: \(failure); no report was written") }

        // 4. One report: the targets' outlines (no evidence); the writers that show evidence
        // read it from `compact`.
        compact.order(byName: options.sortByName)
        let report = Report(tool: ToolInfo(version: ToolVersion.current), startedAt: Self.timestamp(started),
                            finishedAt: Self.timestamp(Date()), partial: control.cutShort, targets: compact.outlines,
                            shard: options.shard?.description)
        let redactor = Redactor(secrets: planned.flatMap(\.target.redactionSecrets))

        // 5. Every output, then the exit status.
        let source = ReportSource(report: report, compact: compact, redactor: redactor,
                                  expectations: loaded.expectations, markdown: options.markdown)
        let failures = outputs.write(source)
        for f in failures { observer.note("error: cannot write the \(f.option) report \(f.path): \(f.error)") }
        let policy = ExitPolicy(failOn: options.failOn, expectations: loaded.expectations)
        let (status, lines) = policy.evaluate(report, reportsUnwritten: failures.count, stopReason: control.stopReason,
                                              redactor: redactor)
        return RunOutcome(report: report, redactor: redactor, reportsUnwritten: failures.count,
                          stopReason: control.stopReason, status: status, messages: lines)
    }

    // MARK: Load

    /// The suites and the expectations (`--expect` or `--baseline`).
    public func load() throws(RunSetupError) -> Loaded {
        let suites: [Suite]
        do {
            suites = try BuiltinSuites.load(adding: options.suitesDirectory, replacing: options.onlySuites)
        } catch let e as DiagnosticError {
            throw RunSetupError(.configuration, e.description)
        } catch {
            throw RunSetupError(.configuration, "error: \(error)")
        }
        let expectations: Expectations?
        do {
            expectations = try Expectations.load(expect: options.expect, baseline: options.baseline)
        } catch {
            throw RunSetupError(.configuration, "\(error)")
        }
        return Loaded(suites: suites, expectations: expectations)
    }

    /// Every `emulate:` entry's personality and knobs, checked before anything starts.
    func checkEmulated(_ specs: [TargetSpec]) throws(RunSetupError) {
        var problems: [String] = []
        for spec in specs {
            guard let name = spec.emulate else { continue }
            let at = spec.location.map { "\($0): error: " } ?? ""
            guard let emulators else {
                problems.append("\(at)target `\(spec.name)`: this run cannot start emulators")
                continue
            }
            switch emulators.check(name, spec.knobs?.objectValue) {
            case .unknownPersonality(let known)?:
                problems.append("\(at)unknown personality `\(name)`; known: \(known.joined(separator: ", "))")
            case .knobs(let why)?:
                problems.append("\(at)target `\(spec.name)` knobs: \(why)")
            case nil: break
            }
        }
        if !problems.isEmpty { throw RunSetupError(.configuration, problems.joined(separator: "\n")) }
    }

    /// Typos in feature patterns, and selections that leave nothing to probe: usage errors.
    func checkFeaturePatterns(_ specs: [TargetSpec], loaded: Loaded) throws(RunSetupError) {
        let suites = loaded.suites
        var problems = FeaturePatterns.unmatched(options.probe.include, suites: suites, what: "--features")
            + FeaturePatterns.unmatched(options.probe.exclude, suites: suites, what: "--skip")
        if let expectations = loaded.expectations, options.expect != nil {
            problems += FeaturePatterns.unmatched(Array(Set(expectations.rules.map(\.feature))).sorted(), suites: suites, what: "--expect: feature")
        }
        if !problems.isEmpty { throw RunSetupError(.usage, problems.joined(separator: "\n")) }
        let cases = suites.flatMap(\.cases)
        for spec in specs {
            let o = spec.options(options.probe)
            guard ProbePlan.select(cases, include: o.include, exclude: o.exclude).isEmpty else { continue }
            throw RunSetupError(.usage, "--features/--skip select no case\(specs.count > 1 ? " for target `\(spec.name)`" : ""); see `touchstone suites list`")
        }
    }

    // MARK: Plan

    /// Starts the emulators and gives every target its options; on a failure, stops what started.
    public func plan(_ specs: [TargetSpec], deadline: Deadline? = nil) async throws(RunSetupError) -> [Planned] {
        var planned: [Planned] = []
        do {
            for spec in specs {
                var emulated: TargetSpec.Emulated? = nil
                if let name = spec.emulate, let emulators {
                    emulated = try await emulators.start(name, spec.knobs?.objectValue)
                }
                var probe = spec.options(options.probe)
                probe.deadline = deadline
                planned.append(Planned(target: try spec.target(emulated: emulated, insecureDefault: options.insecure),
                                       options: probe))
            }
        } catch {
            await emulators?.stopAll()
            throw RunSetupError(.usage, "\(error)")
        }
        return planned
    }

    // MARK: Probe

    /// Probes the targets concurrently, as `maxInFlight` allows, keeping of each finished target
    /// what the reports need. Returns the first error in keeping them, if any.
    func probe(_ planned: [Planned], suites: [Suite], into compact: inout CompactReport, control: RunControl,
               observer: some RunObserver) async -> Error? {
        // One plan per selection of features, shared by the targets probed with it.
        var plans: [[String]: ProbePlan] = [:]
        let jobs = planned.map { p in
            let selection = p.options.include + ["\u{0}"] + p.options.exclude
            let plan = plans[selection] ?? ProbePlan(cases: suites.flatMap(\.cases), include: p.options.include,
                                                     exclude: p.options.exclude)
            plans[selection] = plan
            return RunScheduler.Job(prober: Prober(suites: suites, options: p.options, plan: plan), target: p.target)
        }
        var failure: Error?
        var kept = compact
        await RunScheduler(maxInFlight: options.maxInFlight).run(jobs, control: control, onEvent: { observer.handle($0) }) { i, r in
            do { try kept.add(r, index: i) } catch { failure = failure ?? error }
        }
        compact = kept
        return failure
    }

    /// `2026-01-31T12:00:00Z`.
    static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}
