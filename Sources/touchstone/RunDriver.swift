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

    @Option(help: ArgumentHelp("Seconds each request may take (first byte, idle gap, total). Generous by default for slow local models; a targets file's `timeout:` wins for its target.", valueName: "seconds"))
    var timeout: Double = 120

    @Option(help: ArgumentHelp("A directory of suite files (default: the built-in suites).", valueName: "dir"))
    var suites: String?

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
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let deadline, !(deadline > 0 && deadline.isFinite) { throw ValidationError("--deadline must be a positive number of seconds") }
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
        let specs = shard.map { s in s.select(allSpecs, name: \.name) } ?? allSpecs
        let knobs = try emulatorKnobs(specs)
        for spec in specs where Prober(suites: suites, options: spec.options(probing.probeOptions)).selectedCases().isEmpty {
            throw ValidationError("--features/--skip select no case\(specs.count > 1 ? " for target `\(spec.name)`" : ""); see `touchstone suites list`")
        }
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
        if planned.contains(where: \.target.insecure) {
            console.note("warning: TLS certificate verification is off (insecure) for: "
                         + planned.filter(\.target.insecure).map(\.target.name).joined(separator: ", "))
        }

        // 3. Probe every target concurrently.
        let started = Date()
        let reports = await probeAll(planned, suites: suites, console: console, control: control)
        console.finish()
        for s in servers { await s.stop() }

        // 4. One report, every output, the exit status.
        var targets = reports
        if sortByName { targets.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) } }
        let report = Report(tool: ToolInfo(version: ToolVersion.current), startedAt: ISO8601.string(started),
                            finishedAt: ISO8601.string(Date()), partial: control.cutShort, targets: targets,
                            shard: shard?.description)
        let redactor = Redactor(secrets: planned.flatMap(\.target.redactionSecrets))
        try write(report, redactor: redactor, expectations: expectations)
        print(redactor.redact(ConsoleTable.render(report)), terminator: "")
        if let stopped = interruption.exitStatus {
            console.note("run stopped (\(control.stopReason ?? "interrupted")): partial reports written; exit \(stopped.rawValue)")
            throw ExitCode(stopped.rawValue)
        }
        if report.partial {
            console.note("run stopped (\(control.stopReason ?? "deadline")): partial reports written; exit \(ExitStatus.deadline.rawValue)")
            throw ExitCode(ExitStatus.deadline.rawValue)
        }
        try exitStatus(report, redactor: redactor, expectations: expectations, failing: failing)
    }

    /// Probes the targets concurrently; reports come back in the order given. Stopping
    /// `control` (a signal, the deadline) ends every probe early with what finished.
    func probeAll(_ planned: [Planned], suites: [Suite], console: Console, control: RunControl) async -> [TargetReport] {
        await withTaskGroup(of: (Int, TargetReport).self) { group in
            for (i, p) in planned.enumerated() {
                let prober = Prober(suites: suites, options: p.options)
                group.addTask { (i, await prober.probe(p.target, control: control, onEvent: { console.handle($0) })) }
            }
            var out: [(Int, TargetReport)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    // MARK: Configuration

    func loadSuites() throws -> [Suite] {
        let dir = try probing.suites ?? SuiteLocator.defaultDirectory()
        do {
            return try SuiteLoader.load(directory: dir)
        } catch let e as SuiteErrors {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }

    func loadExpectations() throws -> Expectations? {
        if let file = reporting.expect {
            do {
                return try Expectations.load(file: file)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        if let file = reporting.baseline {
            do {
                return Expectations.baseline(try ReportFile.read(file))
            } catch {
                FileHandle.standardError.write(Data("--baseline: \(error)\n".utf8))
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
            FileHandle.standardError.write(Data((problems.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return out
    }

    // MARK: Outputs

    func write(_ report: Report, redactor: Redactor, expectations: Expectations?) throws {
        do {
            if let json = reporting.json { try AtomicFile.write(try JSONReportWriter.data(report), to: json) }
            if let junit = reporting.junit {
                let data = if let expectations {
                    try JUnitWriter.data(report, redactor: redactor, outcome: expectations.outcome,
                                         note: expectations.note)
                } else {
                    try JUnitWriter.data(report, redactor: redactor)
                }
                try AtomicFile.write(data, to: junit)
            }
            if let markdown = reporting.markdown {
                let text = markdownMatrix
                    ? MarkdownWriter.matrix(report, redactor: redactor)
                    : MarkdownWriter.table(report, featureOrder: FeatureCatalog.ordered(report.targets.flatMap { $0.features.keys }),
                                           redactor: redactor)
                try AtomicFile.write(Data(text.utf8), to: markdown)
            }
            if let html = reporting.html {
                try AtomicFile.write(Data(HTMLMatrixWriter.page(report, redactor: redactor).utf8), to: html)
            }
        } catch {
            FileHandle.standardError.write(Data("error: cannot write report: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }

    /// 3 when no target answered at all; 1 when JUnit shows a failure (with expectations: a
    /// verdict worse than expected, or `ignored`/`broken` where no expectation applies) or a
    /// verdict is in `--fail-on`; else 0.
    func exitStatus(_ report: Report, redactor: Redactor, expectations: Expectations?, failing: Set<Verdict>) throws {
        let err = { (s: String) in FileHandle.standardError.write(Data((redactor.redact(s) + "\n").utf8)) }
        if !report.targets.isEmpty, report.targets.allSatisfy({ $0.stats.responses == 0 }) {
            err("error: no target answered any request")
            throw ExitCode(ExitStatus.unreachable.rawValue)
        }
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
                err("\(lines.count) feature(s) fail against the expectations; exit 1")
                failed = true
            }
        }
        let hits = report.targets.flatMap { r in r.features.filter { failing.contains($0.value.verdict) }.map { "\(r.name) \($0.key)" } }
        if !hits.isEmpty {
            let list = failing.map(\.rawValue).sorted().joined(separator: ",")
            err("\(hits.count) feature(s) with verdicts in --fail-on (\(list)); exit 1")
            failed = true
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
        let names = report.targets.map(\.name)
        let width = max(30, (features.map(\.count).max() ?? 0) + 2)
        var out = "feature".padding(toLength: width, withPad: " ", startingAt: 0)
        out += names.map { $0.padding(toLength: max(12, $0.count + 2), withPad: " ", startingAt: 0) }.joined() + "\n"
        for f in features {
            out += f.padding(toLength: width, withPad: " ", startingAt: 0)
            for (i, t) in report.targets.enumerated() {
                let v = t.features[f]?.verdict.rawValue ?? "-"
                out += v.padding(toLength: max(12, names[i].count + 2), withPad: " ", startingAt: 0)
            }
            out += "\n"
        }
        var counts: [String] = []
        for t in report.targets {
            let c = Dictionary(grouping: t.features.values, by: \.verdict).mapValues(\.count)
            let parts = Verdict.allCases.compactMap { v in c[v].map { "\($0) \(v.rawValue)" } }
            counts.append("\(t.name): \(parts.joined(separator: ", "))")
        }
        return out + "\n" + counts.joined(separator: "\n") + "\n"
    }
}
