import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
import TouchstoneKit
import TouchstoneReports

/// How to probe: options `probe` and `run` share.
struct ProbingOptions: ParsableArguments {
    @Option(help: "Requests in flight at once per target (a targets file's `jobs:` wins for its target; never more than the slots a server advertises).")
    var jobs: Int = 8

    @Option(help: ArgumentHelp("Requests in flight at once across all targets; targets start as this allows, not all at once.", valueName: "n"))
    var maxInFlight: Int = RunScheduler.defaultMaxInFlight

    @Option(help: ArgumentHelp("Seconds each request may take (first byte, idle gap, total). Generous by default for slow local models; a targets file's `timeout:` wins for its target.", valueName: "seconds"))
    var timeout: Double = 120

    @Option(help: ArgumentHelp("A directory of your own suite files, added to the built-in suites (a file whose `suite:` name is a built-in suite's replaces it).", valueName: "dir"))
    var suites: String?

    @Flag(help: "Use only the suites of --suites, not the built-in ones.")
    var onlySuites = false

    @Option(help: ArgumentHelp("Only these features (glob, repeatable, e.g. 'stream.*'); prerequisites are added.", valueName: "glob"))
    var features: [String] = []

    @Option(help: ArgumentHelp("Skip these features (glob, repeatable).", valueName: "glob"))
    var skip: [String] = []

    @Flag(help: "Do not verify TLS certificates (reported in every output).")
    var insecure = false

    @Option(help: ArgumentHelp("Seconds the whole run may take: then transfers are cancelled, unfinished features end untested, the reports are written marked partial, and the exit code is 4.", valueName: "seconds"))
    var deadline: Double?

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if maxInFlight < 1 { throw ValidationError("--max-in-flight must be at least 1") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let deadline, !(deadline > 0 && deadline.isFinite) { throw ValidationError("--deadline must be a positive number of seconds") }
        if onlySuites && suites == nil { throw ValidationError("--only-suites needs --suites DIR") }
    }

    var probeOptions: ProbeOptions { ProbeOptions(jobs: jobs, timeout: timeout, include: features, exclude: skip) }
}

/// What to write and when to fail: options `probe` and `run` share.
struct ReportingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the JSON report (touchstone.report/v1) here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML here (one testsuite per target × suite).", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write Markdown here: the capability table (`run`: the grouped matrix with latency and quirks).", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Write the matrix as a self-contained HTML page here.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("An expectations file: what each target must support; a worse verdict fails (JUnit failure, exit 1).", valueName: "file"))
    var expect: String?

    @Option(help: ArgumentHelp("A previous JSON report: every verdict in it is the minimum this run must reach.", valueName: "report"))
    var baseline: String?

    @Option(help: ArgumentHelp("Verdicts that make the exit code 1 (comma-separated, or `none`). Default: ignored,broken; none with --expect or --baseline.", valueName: "verdicts"))
    var failOn: String?

    @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
    var quiet = false

    /// The report outputs asked for, by option (`-` is standard output).
    var outputs: [(option: String, path: String)] {
        [("--json", json), ("--junit", junit), ("--markdown", markdown), ("--html", html)].compactMap { o in o.1.map { (o.0, $0) } }
    }

    func validate() throws {
        _ = try failVerdicts()
        if expect != nil && baseline != nil {
            throw ValidationError("give --expect FILE or --baseline REPORT, not both")
        }
    }

    /// The verdicts that fail the run by themselves: `--fail-on`, by default `ignored,broken`
    /// without expectations and none with them (expectations then decide).
    func failVerdicts() throws -> Set<Verdict> {
        let text = failOn ?? (expect == nil && baseline == nil ? "ignored,broken" : "none")
        if text == "none" { return [] }
        var out = Set<Verdict>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let v = Verdict(rawValue: name) else {
                throw ValidationError("--fail-on: unknown verdict `\(name)`; use supported, unsupported, ignored, broken, untested or none")
            }
            out.insert(v)
        }
        return out
    }
}

/// The run logic `probe` and `run` share: configuration checks (nothing is sent before they
/// pass), emulators, concurrent probing, one combined report, outputs and the exit status.
struct RunDriver {
    let probing: ProbingOptions
    let reporting: ReportingOptions
    /// The part of the work this process does (`--shard i/n`), recorded in the report.
    var shard: Shard? = nil
    /// Order the report's targets by name (`run`, matching `merge`) instead of as given.
    var sortByName = false
    /// `--markdown` writes the grouped matrix (`run`, as `merge` does) instead of the table.
    var markdownMatrix = false

    /// One target ready to probe, with its own options.
    struct Planned: Sendable {
        var target: Target
        var options: ProbeOptions
    }

    func run(_ allSpecs: [TargetSpec]) async throws {
        let console = Console(quiet: reporting.quiet)
        // The whole run, from here, within --deadline; SIGINT/SIGTERM stop it (Interruption.swift).
        let deadline = probing.deadline.map { Deadline(seconds: $0) }
        let control = RunControl()
        let interruption = Interruption(control: control, console: console)
        defer { interruption.finish() }

        // 1. Everything that can be wrong with the configuration, before any request.
        let suites = try loadSuites()
        let expectations = try loadExpectations()
        let failing = try reporting.failVerdicts()
        let outputProblems = ReportOutput.problems(reporting.outputs)
        if !outputProblems.isEmpty {
            throw ValidationError(outputProblems.map { "cannot write a report to \($0)" }.joined(separator: "\n") + "\nnothing was sent")
        }
        let specs = shard.map { s in s.select(allSpecs, name: \.name) } ?? allSpecs
        let knobs = try emulatorKnobs(specs)
        try checkFeaturePatterns(specs, suites: suites, expectations: expectations)
        if let shard, specs.isEmpty {
            console.note("shard \(shard) has no target (\(allSpecs.count) target(s) in all); writing empty reports")
        }

        // 2. Emulators, then the targets.
        var servers: [EmulatorServer] = []
        var planned: [Planned] = []
        do {
            for spec in specs {
                var emulated: TargetSpec.Emulated? = nil
                if let name = spec.emulate, let p = Personalities.named(name) {
                    let server = EmulatorServer(knobs: knobs[spec.name] ?? p.knobs, chatModel: p.chatModel,
                                                embeddingModel: p.embeddingModel, apiKey: p.apiKey, fault: p.fault)
                    try await server.start()
                    servers.append(server)
                    emulated = .init(baseURL: server.baseURL, model: p.chatModel, embeddingModel: p.embeddingModel,
                                     apiKey: p.apiKey)
                }
                var options = spec.options(probing.probeOptions)
                options.deadline = deadline
                planned.append(Planned(target: try spec.target(emulated: emulated, insecureDefault: probing.insecure),
                                       options: options))
            }
        } catch {
            for s in servers { await s.stop() }
            throw ValidationError("\(error)")
        }
        if Redactor.tooShort(planned.compactMap(\.target.apiKey)) > 0 {
            console.note("warning: an API key shorter than \(Redactor.minimumLength) bytes is not treated as a secret: it is not masked in the outputs")
        }
        if planned.contains(where: \.target.insecure) {
            console.note("warning: TLS certificate verification is off (insecure) for: "
                         + planned.filter(\.target.insecure).map(\.target.name).joined(separator: ", "))
        }

        // 3. Probe every target concurrently.
        let started = Date()
        var compact = try await probeAll(planned, suites: suites, console: console, control: control)
        console.finish()
        for s in servers { await s.stop() }

        // 4. One report, every output, the exit status. The report holds the targets' outlines
        // (no evidence); the writers that show evidence read it from `compact`.
        compact.order(byName: sortByName)
        let report = Report(tool: ToolInfo(version: ToolVersion.current), startedAt: ISO8601.string(started),
                            finishedAt: ISO8601.string(Date()), partial: control.cutShort, targets: compact.outlines,
                            shard: shard?.description)
        let redactor = Redactor(secrets: planned.flatMap(\.target.redactionSecrets))
        let unwritten = write(report, compact: compact, redactor: redactor, expectations: expectations)
        // A report on standard output is all that goes there.
        if !reporting.outputs.contains(where: { $0.path == "-" }) {
            Terminal.out(redactor.redact(ConsoleTable.render(report)), terminator: "")
        }
        if let stopped = interruption.exitStatus {
            console.note("run stopped (\(control.stopReason ?? "interrupted")): partial reports written; exit \(stopped.rawValue)")
            throw ExitCode(stopped.rawValue)
        }
        if unwritten > 0 {
            console.note("\(unwritten) report(s) could not be written (the others were); exit \(ExitStatus.reportNotWritten.rawValue)")
            throw ExitCode(ExitStatus.reportNotWritten.rawValue)
        }
        if report.partial {
            console.note("run stopped (\(control.stopReason ?? "deadline")): partial reports written; exit \(ExitStatus.deadline.rawValue)")
            throw ExitCode(ExitStatus.deadline.rawValue)
        }
        try exitStatus(report, redactor: redactor, expectations: expectations, failing: failing)
    }

    /// Probes the targets concurrently, as `--max-in-flight` allows (`RunScheduler`), keeping of
    /// each finished target what the reports need. Stopping `control` (a signal, the deadline)
    /// ends every probe early with what finished.
    func probeAll(_ planned: [Planned], suites: [Suite], console: Console, control: RunControl) async throws -> CompactReport {
        let jobs = planned.map { RunScheduler.Job(prober: Prober(suites: suites, options: $0.options), target: $0.target) }
        var compact: CompactReport
        do {
            compact = try CompactReport()  // before anything is sent: no temporary file, no run
        } catch {
            Terminal.error("error: \(error)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        var failure: Error?
        await RunScheduler(maxInFlight: probing.maxInFlight).run(jobs, control: control, onEvent: { console.handle($0) }) { i, r in
            do { try compact.add(r, index: i) } catch { failure = failure ?? error }
        }
        if let failure {
            FileHandle.standardError.write(Data("error: cannot write report: \(failure)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return compact
    }

    // MARK: Configuration

    /// Typos in feature patterns, and selections that leave nothing to probe: usage errors.
    func checkFeaturePatterns(_ specs: [TargetSpec], suites: [Suite], expectations: Expectations?) throws {
        var problems = FeaturePatterns.unmatched(probing.features, suites: suites, what: "--features")
            + FeaturePatterns.unmatched(probing.skip, suites: suites, what: "--skip")
        if let expectations, reporting.expect != nil {
            problems += FeaturePatterns.unmatched(Array(Set(expectations.rules.map(\.feature))).sorted(), suites: suites, what: "--expect: feature")
        }
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        for spec in specs where Prober(suites: suites, options: spec.options(probing.probeOptions)).selectedCases().isEmpty {
            throw ValidationError("--features/--skip select no case\(specs.count > 1 ? " for target `\(spec.name)`" : ""); see `touchstone suites list`")
        }
    }

    func loadSuites() throws -> [Suite] {
        do {
            return try BuiltinSuites.load(adding: probing.suites, replacing: probing.onlySuites)
        } catch let e as SuiteErrors {
            Terminal.error("\(e.description)\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }

    func loadExpectations() throws -> Expectations? {
        if let file = reporting.expect {
            do {
                return try Expectations.load(file: file)
            } catch {
                Terminal.error("\(error)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        if let file = reporting.baseline {
            do {
                return Expectations.baseline(try ReportFile.read(file))
            } catch {
                Terminal.error("--baseline: \(error)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        return nil
    }

    /// Every `emulate:` entry's personality and knobs, checked before anything starts.
    func emulatorKnobs(_ specs: [TargetSpec]) throws -> [String: Knobs] {
        var out: [String: Knobs] = [:]
        var problems: [String] = []
        for spec in specs {
            guard let name = spec.emulate else { continue }
            let at = spec.location.map { "\($0): error: " } ?? ""
            guard let p = Personalities.named(name) else {
                problems.append("\(at)unknown personality `\(name)`; known: \((Personalities.all + Personalities.faults).map(\.name).joined(separator: ", "))")
                continue
            }
            guard let overrides = spec.knobs?.objectValue else { continue }
            do {
                var merged = try JSONParser.parse(Array(JSONEncoder().encode(p.knobs))).objectValue ?? [:]
                for (k, v) in overrides { merged[k] = v }
                out[spec.name] = try JSONDecoder().decode(Knobs.self, from: Data(JSONValue.object(merged).serialized(sortedKeys: true).utf8))
            } catch let DecodingError.dataCorrupted(c) {
                problems.append("\(at)target `\(spec.name)` knobs: \(c.debugDescription)")
            } catch {
                problems.append("\(at)target `\(spec.name)` knobs: \(error); see docs/emulator.md § Knobs")
            }
        }
        if !problems.isEmpty {
            Terminal.error((problems.joined(separator: "\n") + "\n"))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return out
    }

    // MARK: Outputs

    /// Writes every report asked for; one that fails costs no other. Returns how many failed
    /// (each said on stderr). The JSON report is streamed from each finished target's compact
    /// piece; JUnit and HTML, which show evidence, read the targets back from those pieces.
    func write(_ outline: Report, compact: CompactReport, redactor: Redactor, expectations: Expectations?) -> Int {
        var failed = 0
        func put(_ option: String, _ path: String?, _ parts: () throws -> [Data]) {
            guard let path else { return }
            do {
                try ReportOutput.write(parts: try parts(), to: path)
            } catch {
                Terminal.error("error: cannot write the \(option) report \(path): \(error)\n")
                failed += 1
            }
        }
        if let path = reporting.json {
            do {
                try ReportOutput.write(to: path) { emit in try compact.writeJSON(outline, emit: emit) }
            } catch {
                Terminal.error("error: cannot write the --json report \(path): \(error)\n")
                failed += 1
            }
        }
        put("--markdown", reporting.markdown) {
            let text = markdownMatrix
                ? MarkdownWriter.matrix(outline, redactor: redactor)
                : MarkdownWriter.table(outline, featureOrder: FeatureCatalog.ordered(outline.targets.flatMap { $0.features.keys }),
                                       redactor: redactor)
            return [Data(text.utf8)]
        }
        // Read back once, for the writers that show evidence.
        var full: Report? = nil
        func withEvidence() throws -> Report {
            if let full { return full }
            var report = outline
            report.targets = try compact.fullTargets()
            full = report
            return report
        }
        put("--junit", reporting.junit) {
            let report = try withEvidence()
            if let expectations {
                return [try JUnitWriter.data(report, redactor: redactor, outcome: expectations.outcome, note: expectations.note)]
            }
            return [try JUnitWriter.data(report, redactor: redactor)]
        }
        put("--html", reporting.html) { [Data(HTMLMatrixWriter.page(try withEvidence(), redactor: redactor).utf8)] }
        return failed
    }

    /// 3 when no target answered at all; 2 when the preflight stopped targets only for want of
    /// `--model`, 5 when it stopped one on another configuration error; 1 when JUnit shows a
    /// failure (with expectations: a verdict worse than expected, or `ignored`/`broken` where no
    /// expectation applies) or a verdict is in `--fail-on`; else 0.
    func exitStatus(_ report: Report, redactor: Redactor, expectations: Expectations?, failing: Set<Verdict>) throws {
        let err = { (s: String) in Terminal.error((redactor.redact(s) + "\n")) }
        if !report.targets.isEmpty, report.targets.allSatisfy({ $0.stats.responses == 0 }) {
            let urls = report.targets.prefix(5).map { "\($0.name) (\($0.baseURL))" }.joined(separator: ", ")
            let more = report.targets.count > 5 ? " and \(report.targets.count - 5) more" : ""
            err("error: no target answered any request: \(TextSanitizer.oneLine(urls, limit: 400))\(more); is the server running, and is the URL right?")
            throw ExitCode(ExitStatus.unreachable.rawValue)
        }
        let stopped = report.targets.filter(\.notProbed)
        // A stopped target's exit code (2 or 5) wins over 1.
        let exitOne = stopped.isEmpty ? "; exit 1" : ""
        var failed = false
        if let expectations {
            var lines = expectations.failures(in: report).map { "expectation not met: \($0)" }
            for t in report.targets {
                for id in t.features.keys.sorted() where expectations.rule(target: t.name, feature: id) == nil {
                    let r = t.features[id]!
                    if expectations.outcome(target: t.name, feature: id, result: r) == .failed {
                        lines.append("no expectation for \(t.name) \(id): \(r.verdict.rawValue) fails by default")
                    }
                }
            }
            if !lines.isEmpty {
                for l in lines.prefix(50) { err(l) }
                if lines.count > 50 { err("… and \(lines.count - 50) more") }
                err("\(lines.count) feature(s) fail against the expectations\(exitOne)")
                failed = true
            }
        }
        let hits = report.targets.flatMap { r in r.features.filter { failing.contains($0.value.verdict) }.map { "\(r.name) \($0.key)" } }
        if !hits.isEmpty {
            let list = failing.map(\.rawValue).sorted().joined(separator: ",")
            err("\(hits.count) feature(s) with verdicts in --fail-on (\(list))\(exitOne)")
            failed = true
        }
        if !stopped.isEmpty {
            let usage = stopped.allSatisfy { $0.preflight?.cause == .modelRequired }
            let code = usage ? ExitStatus.usage : ExitStatus.configuration
            for t in stopped { err("error: \(t.name) not probed: \(t.preflight?.summary ?? "configuration error")") }
            err("\(stopped.count) target(s) not probed (configuration error); exit \(code.rawValue)")
            throw ExitCode(code.rawValue)
        }
        if failed { throw ExitCode(ExitStatus.verdictFailure.rawValue) }
    }
}

enum ISO8601 {
    static func string(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}

/// The capability table printed on stdout: features × targets, one verdict per cell.
enum ConsoleTable {
    static func render(_ report: Report) -> String {
        let features = FeatureCatalog.ordered(Set(report.targets.flatMap { $0.features.keys }))
        // Escaped before padding, so the columns line up with what is shown.
        let names = report.targets.map { TextSanitizer.oneLine($0.name, limit: 80) }
        let width = max(30, (features.map(\.count).max() ?? 0) + 2)
        var out = "feature".padding(toLength: width, withPad: " ", startingAt: 0)
        out += names.map { $0.padding(toLength: max(12, $0.count + 2), withPad: " ", startingAt: 0) }.joined() + "\n"
        for f in features {
            out += TextSanitizer.oneLine(f, limit: 80).padding(toLength: width, withPad: " ", startingAt: 0)
            for (i, t) in report.targets.enumerated() {
                let v = t.features[f]?.verdict.rawValue ?? "-"
                out += v.padding(toLength: max(12, names[i].count + 2), withPad: " ", startingAt: 0)
            }
            out += "\n"
        }
        var counts: [String] = []
        for t in report.targets {
            if t.notProbed {
                counts.append("\(t.name): not probed (configuration error: \(t.preflight?.cause?.rawValue ?? "see the report"))")
                continue
            }
            let c = Dictionary(grouping: t.features.values, by: \.verdict).mapValues(\.count)
            let parts = Verdict.allCases.compactMap { v in c[v].map { "\($0) \(v.rawValue)" } }
            counts.append("\(TextSanitizer.oneLine(t.name, limit: 80)): \(parts.joined(separator: ", "))")
        }
        return out + "\n" + counts.joined(separator: "\n") + "\n"
    }
}
