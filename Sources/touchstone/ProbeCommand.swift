import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
import TouchstoneKit
import TouchstoneReports

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe an OpenAI-compatible upstream and report one verdict per feature.",
        discussion: """
        BASE-URL is the API root that clients are configured with, usually ending in /v1
        (e.g. http://127.0.0.1:8080/v1). A trailing slash is fine. The API key is read from
        the environment variable named by --api-key-env, never from the command line.

        Examples:
          touchstone probe --emulate reference
          touchstone probe --emulate all --markdown matrix.md
          OPENAI_API_KEY=… touchstone probe https://api.openai.com/v1 --model gpt-4o-mini \\
              --embedding-model text-embedding-3-small --api-key-env OPENAI_API_KEY --junit junit.xml
          touchstone probe http://127.0.0.1:11434/v1 --model llama3.2 --features 'tool_choice.*'

        Verdicts: supported (honoured), unsupported (refused cleanly), ignored (accepted, not
        honoured), broken (protocol violated), untested (could not be decided).

        \(ExitStatus.help)
        """
    )

    @Argument(help: ArgumentHelp("The upstream's base URL (omit with --emulate).", valueName: "base-url"))
    var baseURL: String?

    @Option(help: ArgumentHelp("Probe the built-in emulator instead: a personality name, a comma-separated list, or `all` (see `touchstone emulate --list`).", valueName: "name"))
    var emulate: String?

    @Option(help: "The chat model id to use (default with --emulate: the personality's).")
    var model: String?

    @Option(help: "An embedding model id; without one every embeddings.* feature is untested.")
    var embeddingModel: String?

    @Option(help: ArgumentHelp("Name of the environment variable holding the API key.", valueName: "VAR"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("Extra header sent with every request, `Name: value` (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Write the JSON report (touchstone.report/v1) here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the Markdown capability table here.", valueName: "file"))
    var markdown: String?

    @Option(help: "Requests in flight at once per target.")
    var jobs: Int = 8

    @Option(help: ArgumentHelp("Seconds each request may take (first byte, idle gap, total). Generous by default for slow local models.", valueName: "seconds"))
    var timeout: Double = 120

    @Option(help: ArgumentHelp("A directory of suite files (default: the built-in suites).", valueName: "dir"))
    var suites: String?

    @Option(help: ArgumentHelp("Only these features (glob, repeatable, e.g. 'stream.*'); prerequisites are added.", valueName: "glob"))
    var features: [String] = []

    @Option(help: ArgumentHelp("Skip these features (glob, repeatable).", valueName: "glob"))
    var skip: [String] = []

    @Option(help: ArgumentHelp("Verdicts that make the exit code 1 (comma-separated, or `none`).", valueName: "verdicts"))
    var failOn: String = "ignored,broken"

    @Flag(help: "Do not verify TLS certificates (reported in every output).")
    var insecure = false

    @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
    var quiet = false

    func validate() throws {
        if (baseURL == nil) == (emulate == nil) {
            throw ValidationError("give either a base URL or --emulate NAME")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
        _ = try failVerdicts()
        for h in header where !h.contains(":") { throw ValidationError("--header takes `Name: value`, got `\(h)`") }
    }

    func failVerdicts() throws -> Set<Verdict> {
        if failOn == "none" { return [] }
        var out = Set<Verdict>()
        for name in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let v = Verdict(rawValue: name) else {
                throw ValidationError("--fail-on: unknown verdict `\(name)`; use supported, unsupported, ignored, broken, untested or none")
            }
            out.insert(v)
        }
        return out
    }

    func run() async throws {
        let console = Console(quiet: quiet)
        let suitesDir = try suites ?? SuiteLocator.defaultDirectory()
        let loaded: [Suite]
        do {
            loaded = try SuiteLoader.load(directory: suitesDir)
        } catch let e as SuiteErrors {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let headers = header.map { h -> HTTPHeader in
            let parts = h.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return HTTPHeader(parts[0], parts.count > 1 ? parts[1] : "")
        }
        var servers: [EmulatorServer] = []
        var targets: [Target] = []
        do {
            if let emulate {
                let names = emulate == "all" ? Personalities.all.map(\.name)
                                             : emulate.split(separator: ",").map { String($0) }
                for name in names {
                    guard let p = Personalities.named(name) else {
                        throw ValidationError("unknown personality `\(name)`; known: \(Personalities.all.map(\.name).joined(separator: ", "))")
                    }
                    let server = EmulatorServer(personality: p)
                    try await server.start()
                    servers.append(server)
                    targets.append(try Target(name: p.name, baseURL: server.baseURL, model: model ?? p.chatModel,
                                              embeddingModel: embeddingModel ?? p.embeddingModel, apiKey: p.apiKey,
                                              headers: headers, insecure: insecure))
                }
            } else if let baseURL {
                var key: String? = nil
                if let apiKeyEnv {
                    guard let v = ProcessInfo.processInfo.environment[apiKeyEnv], !v.isEmpty else {
                        throw ValidationError("--api-key-env \(apiKeyEnv): the variable is not set or empty")
                    }
                    key = v
                }
                let name = URL(string: baseURL)?.host ?? "target"
                targets.append(try Target(name: name, baseURL: baseURL, model: model, embeddingModel: embeddingModel,
                                          apiKey: key, headers: headers, insecure: insecure))
            }
        } catch let e as TargetError {
            throw ValidationError(e.description)
        }
        defer { for s in servers { Task { await s.stop() } } }
        if insecure { console.note("warning: TLS certificate verification is off (--insecure)") }

        let prober = Prober(suites: loaded, options: ProbeOptions(jobs: jobs, timeout: timeout,
                                                                 include: features, exclude: skip))
        if prober.selectedCases().isEmpty {
            throw ValidationError("--features/--skip select no case; see `touchstone suites list`")
        }
        let started = Date()
        let reports = await withTaskGroup(of: (Int, TargetReport).self) { group in
            for (i, t) in targets.enumerated() {
                group.addTask { (i, await prober.probe(t, onEvent: { console.handle($0) })) }
            }
            var out: [(Int, TargetReport)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        console.finish()
        for s in servers { await s.stop() }
        let report = Report(tool: ToolInfo(version: ToolVersion.current), startedAt: ISO8601.string(started),
                            finishedAt: ISO8601.string(Date()), targets: reports)
        let redactor = Redactor(secrets: targets.compactMap(\.apiKey))
        try write(report, redactor: redactor)
        print(ConsoleTable.render(report), terminator: "")
        if reports.allSatisfy({ $0.stats.responses == 0 }) {
            FileHandle.standardError.write(Data("error: no target answered any request\n".utf8))
            throw ExitCode(ExitStatus.unreachable.rawValue)
        }
        let failing = try failVerdicts()
        let failed = reports.flatMap { r in r.features.filter { failing.contains($0.value.verdict) }.map { "\(r.name) \($0.key)" } }
        if !failed.isEmpty {
            FileHandle.standardError.write(Data("\(failed.count) feature(s) with verdicts in --fail-on (\(failOn)); exit 1\n".utf8))
            throw ExitCode(ExitStatus.verdictFailure.rawValue)
        }
    }

    func write(_ report: Report, redactor: Redactor) throws {
        do {
            if let json { try AtomicFile.write(try JSONReportWriter.data(report), to: json) }
            if let junit { try AtomicFile.write(try JUnitWriter.data(report, redactor: redactor), to: junit) }
            if let markdown {
                try AtomicFile.write(Data(MarkdownWriter.table(report, featureOrder: FeatureCatalog.ordered(report.targets.flatMap { $0.features.keys })).utf8), to: markdown)
            }
        } catch {
            FileHandle.standardError.write(Data("error: cannot write report: \(error)\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
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
