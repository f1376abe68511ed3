import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneReports

/// `touchstone run --targets FILE` as a user runs it: the combined report in every format,
/// expectations, shards and merge, configuration errors, secrets.
@Suite("touchstone run")
struct RunCommandTests {
    let cli = CLITests()
    static var emulators: String { Paths.root.appendingPathComponent("examples/emulators.yaml").path }

    /// What each target of examples/emulators.yaml must get: its personality's declared
    /// verdicts, or the knob oracle's for knob overrides.
    static func expected(_ name: String) -> [String: Verdict]? {
        switch name {
        case "azure-v1": return Personalities.azure.expected
        case "azure-classic":
            let knobs = Knobs { k in k = Personalities.azure.knobs; k.pathPrefix = .azureDeployments }
            return knobs.expectedVerdicts(embeddingModelConfigured: true)
        default: return Personalities.named(name)?.expected
        }
    }

    func read(_ dir: URL, _ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    @Test func runWritesEveryOutputForAFileOfPersonalities() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await cli.touchstone([
            "run", "--targets", Self.emulators, "--fail-on", "none", "--quiet",
            "--json", dir.appendingPathComponent("report.json").path,
            "--junit", dir.appendingPathComponent("junit.xml").path,
            "--markdown", dir.appendingPathComponent("matrix.md").path,
            "--html", dir.appendingPathComponent("matrix.html").path,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONReportWriter.decode(read(dir, "report.json"))
        let names = ["azure-classic", "azure-v1", "gemini", "llamacpp", "mistral", "ollama", "reference", "vllm"]
        #expect(report.targets.map(\.name) == names, "sorted by name")
        #expect(report.shard == nil)
        for t in report.targets {
            let want = try #require(Self.expected(t.name), "\(t.name)")
            let mismatches = Probing.mismatches(t, want)
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
        let classic = try #require(report.targets.first { $0.name == "azure-classic" })
        #expect(classic.features["chat.basic"]?.evidence.first?.url.contains("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21") == true)

        // JUnit: valid against both schemas, one testsuite per target × suite.
        let xml = try read(dir, "junit.xml")
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors.prefix(3))")
        }
        let tree = try XMLSchemaValidation.tree(xml)
        let suiteNames = Set(tree.all("testsuite").compactMap { $0["name"] })
        let expectedSuites = Set(report.targets.flatMap { t in t.features.values.map { "\(t.name).\($0.suite)" } })
        #expect(suiteNames == expectedSuites && suiteNames.count == names.count * Probing.suites.count)

        // The matrix as Markdown and as one self-contained HTML page.
        let markdown = String(decoding: try read(dir, "matrix.md"), as: UTF8.self)
        let html = String(decoding: try read(dir, "matrix.html"), as: UTF8.self)
        for name in names {
            #expect(markdown.contains(name) && html.contains(name), "\(name)")
        }
        #expect(markdown.contains("chat.basic") && html.lowercased().contains("<html"))
        #expect(!html.contains("<script src") && !html.contains("<link rel=\"stylesheet\" href"), "self-contained")
        // stdout: the table with every target.
        #expect(names.allSatisfy { r.stdout.contains($0) })
    }

    @Test func expectationsDecideFailuresAndTheExitCode() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let targets = dir.appendingPathComponent("targets.yaml").path
        try "targets:\n  ref: {emulate: reference}\n  ollama: {emulate: ollama}\n"
            .write(toFile: targets, atomically: true, encoding: .utf8)
        let scope = ["--features", "chat.basic", "--features", "chat.n", "--quiet"]

        // Ollama ignores n: without expectations that fails (ignored), …
        let plain = try await cli.touchstone(["run", "--targets", targets] + scope)
        #expect(plain.status == 1, "\(plain.stderr)")

        // … an expectation that accepts it passes, …
        let lenient = dir.appendingPathComponent("lenient.yaml").path
        try "targets:\n  ollama:\n    features:\n      chat.n: [supported, ignored]\n"
            .write(toFile: lenient, atomically: true, encoding: .utf8)
        let ok = try await cli.touchstone(["run", "--targets", targets, "--expect", lenient] + scope)
        #expect(ok.status == 0, "\(ok.stderr)")

        // … and one that asks for support fails it: exit 1 and a JUnit failure.
        let strict = dir.appendingPathComponent("strict.yaml").path
        try "targets:\n  '*':\n    features:\n      chat.n: supported\n".write(toFile: strict, atomically: true, encoding: .utf8)
        let junit = dir.appendingPathComponent("junit.xml").path
        let failed = try await cli.touchstone(["run", "--targets", targets, "--expect", strict, "--junit", junit] + scope)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("ollama chat.n") && failed.stderr.contains("expected"), "\(failed.stderr)")
        let tree = try XMLSchemaValidation.tree(Data(contentsOf: URL(fileURLWithPath: junit)))
        let failures = tree.all("testsuite").flatMap { $0.all("testcase") }.filter { $0.first("failure") != nil }
        #expect(failures.map { "\($0["classname"] ?? "") \($0["name"] ?? "")" } == ["ollama.chat chat.n"])

        // A baseline from a previous report: the same upstreams meet it.
        let base = dir.appendingPathComponent("base.json").path
        _ = try await cli.touchstone(["run", "--targets", targets, "--json", base, "--fail-on", "none"] + scope)
        let again = try await cli.touchstone(["run", "--targets", targets, "--baseline", base] + scope)
        #expect(again.status == 0, "\(again.stderr)")

        // Both at once is a usage error.
        #expect(try await cli.touchstone(["run", "--targets", targets, "--baseline", base, "--expect", strict]).status == 2)
    }

    /// Three shards merged give the unsharded run's verdicts, details and quirks.
    @Test func shardsMergeIntoTheUnshardedRun() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = dir.appendingPathComponent("whole.json").path
        let r = try await cli.touchstone(["run", "--targets", Self.emulators, "--fail-on", "none", "--quiet", "--json", whole])
        #expect(r.status == 0, "\(r.stderr)")
        var shards: [Report] = []
        var paths: [String] = []
        for i in 1...3 {
            let path = dir.appendingPathComponent("shard-\(i).json").path
            paths.append(path)
            let s = try await cli.touchstone(["run", "--targets", Self.emulators, "--fail-on", "none", "--quiet",
                                              "--shard", "\(i)/3", "--json", path])
            #expect(s.status == 0, "\(s.stderr)")
            let report = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(report.shard == "\(i)/3")
            shards.append(report)
        }
        let counts = shards.map(\.targets.count)
        #expect(counts.reduce(0, +) == 8 && counts.allSatisfy { $0 >= 2 }, "\(counts)")
        let merged = try ReportMerge.merge(shards)
        let unsharded = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: whole)))
        let (a, b) = (Self.comparable(merged), Self.comparable(unsharded))
        let differences = Set(a.keys).union(b.keys).sorted().flatMap { t in
            Set(a[t, default: [:]].keys).union(b[t, default: [:]].keys).sorted().compactMap { k in
                a[t]?[k] == b[t]?[k] ? nil : "\(t) \(k): merged `\(a[t]?[k] ?? "-")`, unsharded `\(b[t]?[k] ?? "-")`"
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        #expect(merged.targets.map(\.name) == unsharded.targets.map(\.name))

        // The same through `touchstone merge`, with JUnit valid against both schemas.
        let mergedPath = dir.appendingPathComponent("merged.json").path
        let junit = dir.appendingPathComponent("merged.xml").path
        let m = try await cli.touchstone(["merge"] + paths + ["--json", mergedPath, "--junit", junit])
        #expect(m.status == 0, "\(m.stderr)")
        let cliMerged = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: mergedPath)))
        #expect(Self.comparable(cliMerged) == b && cliMerged.shard == nil)
        let xml = try Data(contentsOf: URL(fileURLWithPath: junit))
        for schema in ["junit-10", "jenkins-junit"] {
            #expect(try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema)).isEmpty, "\(schema)")
        }

        // An empty shard still writes a valid report and exits 0.
        let empty = dir.appendingPathComponent("empty.json").path
        let e = try await cli.touchstone(["run", "--targets", Self.emulators, "--shard", "9/9", "--quiet", "--json", empty])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: empty))).targets.isEmpty)
    }

    /// Verdicts, details and quirks per target, with emulator ports (which differ per run) masked.
    static func comparable(_ report: Report) -> [String: [String: String]] {
        func mask(_ s: String) -> String {
            s.replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:PORT", options: .regularExpression)
        }
        var out: [String: [String: String]] = [:]
        for t in report.targets {
            var rows: [String: String] = [:]
            for (id, f) in t.features { rows[id] = mask("\(f.verdict.rawValue) \(f.suite)/\(f.caseID): \(f.detail)") }
            for (k, v) in t.quirks { rows["quirk \(k)"] = mask(v.serialized(sortedKeys: true)) }
            rows["model"] = "\(t.model ?? "-") \(t.embeddingModel ?? "-")"
            out[t.name] = rows
        }
        return out
    }

    @Test func badConfigurationExitsTwoBeforeAnyRequest() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ text: String) throws -> String {
            let path = dir.appendingPathComponent("t\(UUID().uuidString.prefix(6)).yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // Errors in the file: all reported, with file and line.
        let bad = try file("targets:\n  a: {base_url: http://127.0.0.1:1/v1, modle: m}\n  b: {emulate: nosuch}\n  c: {upstream: groq}\n")
        let r = try await cli.touchstone(["run", "--targets", bad], environment: ["GROQ_API_KEY": ""])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(bad):2:") && r.stderr.contains("did you mean `model`?"), "\(r.stderr)")
        #expect(r.stderr.contains("\(bad):4:") && r.stderr.contains("GROQ_API_KEY"), "\(r.stderr)")
        #expect(r.stderr.contains("nothing was sent"))

        // An unknown personality or knob is caught before any emulator starts.
        let persona = try file("targets:\n  b: {emulate: nosuch}\n  k: {emulate: ollama, knobs: {pathPrefix: v9}}\n")
        let p = try await cli.touchstone(["run", "--targets", persona])
        #expect(p.status == 2)
        #expect(p.stderr.contains("\(persona):2:") && p.stderr.contains("unknown personality `nosuch`"), "\(p.stderr)")
        #expect(p.stderr.contains("\(persona):3:") && p.stderr.contains("pathPrefix"), "\(p.stderr)")

        // Usage: no file, a bad shard, a missing file.
        #expect(try await cli.touchstone(["run"]).status == 2)
        #expect(try await cli.touchstone(["run", "--targets", Self.emulators, "--shard", "4/3"]).status == 2)
        let missing = try await cli.touchstone(["run", "--targets", dir.appendingPathComponent("none.yaml").path])
        #expect(missing.status == 2 && missing.stderr.contains("none.yaml"))
    }

    /// A model id read from a `…TOKEN` variable is a secret: it is in every request and
    /// response, and in no output.
    @Test func secretValuesAppearInNoOutput() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let targets = dir.appendingPathComponent("targets.yaml").path
        try """
        targets:
          private:
            emulate: reference
            model: ${MODEL_TOKEN}
            api_key_env: REF_KEY
            headers: {X-Trace: {value: "trace-1234-secret", secret: true}}
        """.write(toFile: targets, atomically: true, encoding: .utf8)
        let secret = Personalities.reference.chatModel
        let key = Personalities.reference.apiKey!
        let r = try await cli.touchstone(["run", "--targets", targets, "--features", "chat.*",
                                          "--json", dir.appendingPathComponent("r.json").path,
                                          "--junit", dir.appendingPathComponent("j.xml").path,
                                          "--markdown", dir.appendingPathComponent("m.md").path,
                                          "--html", dir.appendingPathComponent("m.html").path],
                                         environment: ["MODEL_TOKEN": secret, "REF_KEY": key])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("private"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "targets.yaml" }
        #expect(files.count == 4)
        let outputs = [r.stdout, r.stderr] + files.map { (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? "" }
        for s in [secret, key, "trace-1234-secret"] {
            #expect(!outputs.contains { $0.contains(s) }, "\(s) leaked")
        }
        for (file, text) in zip(files, outputs[2...]) {
            #expect(text.contains("REDACTED"), "\(file) shows no redaction")
        }
    }

    @Test func probeTakesAKnownUpstreamName() async throws {
        // A hosted upstream without its key: a usage error naming the variable.
        let missing = try await cli.touchstone(["probe", "groq", "--model", "llama-3.3-70b-versatile"],
                                               environment: ["GROQ_API_KEY": ""])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("GROQ_API_KEY"), "\(missing.stderr)")
        // A local one: its default base URL (nothing listens on Ollama's port here).
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("r.json").path
        let local = try await cli.touchstone(["probe", "ollama", "--model", "llama3.2", "--features", "models.list",
                                              "--timeout", "5", "--quiet", "--json", json])
        let report = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.targets.first?.name == "ollama" && report.targets.first?.baseURL == "http://127.0.0.1:11434/v1")
        #expect(local.status == 3 || local.status == 0 || local.status == 1)
        // The list of known upstreams.
        let list = try await cli.touchstone(["probe", "--list-upstreams"])
        #expect(list.status == 0 && list.stdout.contains("GROQ_API_KEY") && list.stdout.contains("azure"))
        // Neither a URL nor a known name.
        let neither = try await cli.touchstone(["probe", "grok", "--model", "m"])
        #expect(neither.status == 2 && neither.stderr.contains("known upstream"), "\(neither.stderr)")
    }

    @Test func probeUsesTheAzureModeAgainstTheEmulator() async throws {
        // --emulate with --auth api-key: the azure personality accepts Azure's header.
        let r = try await cli.touchstone(["probe", "--emulate", "azure", "--auth", "api-key", "--quiet", "--fail-on", "none",
                                          "--features", "chat.basic", "--features", "auth.invalid_key_rejected"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("azure: 2 supported"), "\(r.stdout)")
        #expect(try await cli.touchstone(["probe", "--emulate", "azure", "--auth", "kerberos"]).status == 2)
    }
}
