import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneKit
import TouchstoneReports

/// The preflight (docs/features.md § Preflight): a misconfigured probe stops with the cause and
/// the fix after a handful of requests, instead of a report about the server. Each test probes an emulator on a real socket through the real
/// command line and counts what the emulator received. Serialized: each test launches the
/// executable, and a burst of them starves the in-process emulators of other suites on a busy
/// two-core machine.
@Suite("Preflight", .serialized)
struct PreflightTests {
    let cli = CLITests()

    /// The reference emulator (serves only under /v1, lists emulator-chat and emulator-embed,
    /// wants the bearer key `sk-emulator-reference`), started for one test.
    static func reference() async throws -> EmulatorServer {
        let server = EmulatorServer(personality: Personalities.reference)
        try await server.start()
        return server
    }

    static let goodKey = "sk-emulator-reference"
    static let wrongKey = "sk-wrong-preflight-key-4242"

    func probe(_ args: [String], key: String? = nil) async throws -> (CLITests.Outcome, TargetReport, URL) {
        let dir = Paths.temporaryDirectory()
        let json = dir.appendingPathComponent("r.json")
        let env = key.map { ["TS_PREFLIGHT_KEY": $0] } ?? [:]
        let r = try await cli.touchstone(["probe"] + args + (key == nil ? [] : ["--api-key-env", "TS_PREFLIGHT_KEY"])
                                         + ["--json", json.path, "--timeout", "10"], environment: env)
        let report = try JSONReportWriter.decode(Data(contentsOf: json))
        return (r, try #require(report.targets.first), dir)
    }

    @Test func aWrongKeyStopsTheTargetWithTheVariableNamed() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let (r, t, dir) = try await probe([server.baseURL, "--model", "emulator-chat"], key: Self.wrongKey)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 6, "\(r.stderr)")
        #expect(r.stderr.contains("the key in $TS_PREFLIGHT_KEY was refused") && r.stderr.contains("HTTP 401"), "\(r.stderr)")
        #expect(t.preflight?.status == .stopped && t.preflight?.cause == .keyRefused)
        #expect(t.features.isEmpty, "no verdict about the server")
        #expect(r.stdout.contains("not probed (configuration error: key_refused)"), "\(r.stdout)")
        #expect(server.requestCount == 2, "\(server.requestLog)")
        let written = try String(contentsOf: dir.appendingPathComponent("r.json"), encoding: .utf8)
        #expect(![r.stdout, r.stderr, written].contains { $0.contains(Self.wrongKey) }, "the key never appears")
    }

    @Test func noKeySaysTheServerWantsOneAndHowToGiveIt() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let (r, t, dir) = try await probe([server.baseURL, "--model", "emulator-chat"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 6, "\(r.stderr)")
        #expect(r.stderr.contains("wants a key") && r.stderr.contains("--api-key-env VAR"), "\(r.stderr)")
        #expect(t.preflight?.cause == .keyRequired && t.features.isEmpty)
        #expect(server.requestCount == 2, "\(server.requestLog)")
    }

    @Test func aBaseWithoutV1GetsTheV1Hint() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let bare = "http://127.0.0.1:\(server.port)"
        let (r, t, dir) = try await probe([bare, "--model", "emulator-chat"], key: Self.goodKey)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 6, "\(r.stderr)")
        #expect(r.stderr.contains("this server answers under /v1") && r.stderr.contains("use \(bare)/v1 as the base URL"),
                "\(r.stderr)")
        #expect(t.preflight?.cause == .baseURLNeedsV1 && t.features.isEmpty)
        #expect(server.requestLog == ["GET /models", "GET /v1/models", "POST /chat/completions"])

        // With a wrong key too, /v1/models answers 401 (not 404): still the /v1 hint, and the key named.
        let (wrong, w, dir2) = try await probe([bare, "--model", "emulator-chat"], key: Self.wrongKey)
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(wrong.status == 6 && w.preflight?.cause == .baseURLNeedsV1, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("use \(bare)/v1 as the base URL (and check the key"), "\(wrong.stderr)")
    }

    @Test func aModelTheServerDoesNotHaveIsNamedWithTheListedOnes() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let (r, t, dir) = try await probe([server.baseURL, "--model", "gpt-nonexistent"], key: Self.goodKey)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 6, "\(r.stderr)")
        #expect(r.stderr.contains("model 'gpt-nonexistent' is not served") && r.stderr.contains("/models lists: emulator-chat, emulator-embed"),
                "\(r.stderr)")
        #expect(t.preflight?.cause == .modelNotServed && t.preflight?.modelsListed == ["emulator-chat", "emulator-embed"])
        #expect(server.requestCount == 2, "\(server.requestLog)")
    }

    @Test func withoutModelTheOnlyChatModelListedIsUsedAndSaid() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let (r, t, dir) = try await probe([server.baseURL, "--features", "chat.basic", "--quiet"], key: Self.goodKey)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("using 'emulator-chat'"), "said even with --quiet: \(r.stderr)")
        #expect(t.model == "emulator-chat" && t.preflight?.modelChosen == "emulator-chat" && t.preflight?.status == .passed)
        #expect(t.features["chat.basic"]?.verdict == .supported)
        // The preflight's requests are the taxonomy's: GET /models and the chat.basic request once
        // each; then only the server-slots question (llama.cpp's /props, a 404 here).
        #expect(server.requestLog == ["GET /v1/models", "POST /v1/chat/completions", "GET /props"], "\(server.requestLog)")
    }

    @Test func withoutModelSeveralListedStopsWithExitTwoAndTheList() async throws {
        let server = EmulatorServer(knobs: Knobs(), chatModel: "chat-alpha", embeddingModel: "chat-beta", apiKey: Self.goodKey)
        try await server.start()
        defer { Task { await server.stop() } }
        let (r, t, dir) = try await probe([server.baseURL], key: Self.goodKey)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("2 chat models: chat-alpha, chat-beta") && r.stderr.contains("--model"), "\(r.stderr)")
        #expect(t.preflight?.cause == .modelRequired && t.features.isEmpty)
        #expect(server.requestLog == ["GET /v1/models"], "nothing probed: \(server.requestLog)")
    }

    @Test func aServerWithoutModelsEndpointIsNotStopped() async throws {
        // Perplexity's /models is a 404 (and serves no /v1 either): the chat decides, the taxonomy runs.
        let p = Personalities.perplexity
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: "pplx", baseURL: server.baseURL, model: p.chatModel, apiKey: p.apiKey)
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10, include: ["models.list", "chat.basic"]))
            .probe(target)
        #expect(report.preflight?.status == .passed, "\(String(describing: report.preflight))")
        #expect(report.features["models.list"]?.verdict == .unsupported)
        #expect(report.features["chat.basic"]?.verdict == .supported)
    }

    @Test func aSingleModelServerAcceptingAnyIdIsNotStopped() async throws {
        // llama-server answers any model id: a model missing from /models is a note, not a stop.
        let p = Personalities.llamacpp
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: "llama", baseURL: server.baseURL, model: "some-other-name", apiKey: p.apiKey)
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10, include: ["chat.basic"]))
            .probe(target)
        #expect(report.preflight?.status == .passed)
        #expect(report.preflight?.notes.contains { $0.contains("'some-other-name' is not in the /models list") } == true)
        #expect(report.features["chat.basic"]?.verdict == .supported)
    }

    @Test func anUnlistedEmbeddingModelIsAWarning() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let target = try Target(name: "ref", baseURL: server.baseURL, model: "emulator-chat", embeddingModel: "no-such-embed",
                                apiKey: Self.goodKey)
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10, include: ["chat.basic"]))
            .probe(target)
        #expect(report.preflight?.status == .passed)
        #expect(report.preflight?.notes.contains { $0.contains("embedding model 'no-such-embed' is not in the /models list") } == true)
    }

    @Test func aRunGoesOnWithTheGoodTargetAndReportsTheBadOne() async throws {
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("targets.yaml")
        try """
        targets:
          good: {emulate: reference}
          bad: {base_url: "\(server.baseURL)", model: emulator-chat, api_key_env: TS_PREFLIGHT_KEY}
        """.write(to: file, atomically: true, encoding: .utf8)
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let r = try await cli.touchstone(["run", "--targets", file.path, "--quiet", "--json", path("r.json"),
                                          "--junit", path("j.xml"), "--markdown", path("m.md"), "--html", path("m.html")],
                                         environment: ["TS_PREFLIGHT_KEY": Self.wrongKey])
        #expect(r.status == 6, "\(r.stderr)")
        #expect(r.stderr.contains("bad not probed") && r.stderr.contains("$TS_PREFLIGHT_KEY was refused"), "\(r.stderr)")
        let report = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: path("r.json"))))
        let good = try #require(report.targets.first { $0.name == "good" })
        let bad = try #require(report.targets.first { $0.name == "bad" })
        #expect(good.features.count == FeatureCatalog.ids.count && good.features.values.allSatisfy { $0.verdict == .supported })
        #expect(good.preflight?.status == .passed)
        #expect(bad.notProbed && bad.features.isEmpty && bad.preflight?.evidence.count == 2)
        #expect(server.requestCount == 2, "only the preflight reached the bad target: \(server.requestLog)")

        // JUnit: one <error> testcase for the bad target, valid against both schemas.
        let xml = try Data(contentsOf: URL(fileURLWithPath: path("j.xml")))
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors.prefix(3))")
        }
        let tree = try XMLSchemaValidation.tree(xml)
        #expect(tree["errors"] == "1")
        let suite = try #require(tree.all("testsuite").first { $0["name"] == "bad.preflight" })
        let error = try #require(suite.first("testcase")?.first("error"))
        #expect(error["type"] == "key_refused" && (error["message"] ?? "").contains("not probed"))
        // Matrices: the bad target's column says why, no fake verdicts.
        let markdown = try String(contentsOf: URL(fileURLWithPath: path("m.md")), encoding: .utf8)
        let html = try String(contentsOf: URL(fileURLWithPath: path("m.html")), encoding: .utf8)
        #expect(markdown.contains("not probed") && markdown.contains("key\\_refused"), "\(markdown.suffix(600))")
        #expect(html.contains("not probed: configuration error"))
        for text in [markdown, html, r.stdout, r.stderr, String(decoding: xml, as: UTF8.self)] {
            #expect(!text.contains(Self.wrongKey))
        }

        // Presets skip it with a note; merge and diff read the report.
        let presets = try await cli.touchstone(["presets", path("r.json")])
        #expect(presets.status == 0 && presets.stderr.contains("skipped bad: not probed"), "\(presets.stderr)")
        #expect(presets.stdout.contains("good") && !presets.stdout.contains("name: bad"))
        let merged = try await cli.touchstone(["merge", path("r.json"), "--json", path("merged.json")])
        #expect(merged.status == 0, "\(merged.stderr)")
        let again = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: path("merged.json"))))
        #expect(again.targets.first { $0.name == "bad" }?.preflight?.cause == .keyRefused)
        let diff = try await cli.touchstone(["diff", path("r.json"), path("merged.json")])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test func onlyAnErrorAboutTheModelCountsAsModelNotServed() throws {
        func answer(_ status: Int, _ body: String) throws -> Exchange {
            var ex = Exchange(request: PreparedRequest(method: "POST", url: "http://127.0.0.1:9/v1/chat/completions",
                                                       path: "/chat/completions", join: .clean, headers: [], body: nil, json: nil))
            ex.status = status
            ex.body = Array(body.utf8)
            ex.json = try JSONParser.parse(Array(body.utf8))
            return ex
        }
        let about = [
            #"{"error":{"message":"The model `gpt-x` does not exist","code":"model_not_found"}}"#,
            #"{"error":{"message":"Invalid model 'gpt-x'.","code":"invalid_model","param":"model"}}"#,
            #"{"error":{"message":"Invalid model name passed in model=gpt-x","code":"400"}}"#,
            #"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
        ]
        for body in about { #expect(Preflight.namesModel(try answer(400, body), model: "gpt-x"), "\(body)") }
        let notAbout = [
            #"{"error":{"message":"max_tokens is too large for gpt-x: 100000","param":"max_tokens","code":"invalid_value"}}"#,
            #"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model.","code":"unsupported_parameter"}}"#,
            #"{"error":"Unauthorized"}"#,
        ]
        for body in notAbout { #expect(!Preflight.namesModel(try answer(400, body), model: "gpt-x"), "\(body)") }
    }

    @Test func theSharedRequestsAreSentOnce() async throws {
        // models.list's GET /models and chat.basic's request are the preflight's: sent once.
        let server = try await Self.reference()
        defer { Task { await server.stop() } }
        let target = try Target(name: "ref", baseURL: server.baseURL, model: "emulator-chat", embeddingModel: "emulator-embed",
                                apiKey: Self.goodKey)
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10)).probe(target)
        #expect(report.features.values.allSatisfy { $0.verdict == .supported })
        #expect(server.requestLog.filter { $0 == "GET /v1/models" }.count == 1, "\(server.requestLog)")
        #expect(report.stats.requests == server.requestCount)
    }
}
