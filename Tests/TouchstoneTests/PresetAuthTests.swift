import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneKit
import Yams
@testable import TouchstoneReports

/// Presets for every auth mode (the report records how the key was sent and Azure's
/// api-version), and the `llm` CLI's extra-openai-models.yaml. Reports come from the emulator
/// probed over real sockets; the real LiteLLM and llm checks are scripts/check-litellm-presets.sh
/// and scripts/check-llm-presets.sh.
@Suite("Preset auth modes and the llm format")
struct PresetAuthTests {
    /// The `azure` personality on Azure's classic data plane, probed with `auth` (the
    /// `api-key` header or the `azure` mode).
    static func probeAzure(_ auth: TargetAuth, pathPrefix: Knobs.PathPrefix = .azureDeployments,
                           base: (EmulatorServer) -> String) async throws -> TargetReport {
        let p = Personalities.azure
        let knobs = Knobs { k in k = p.knobs; k.pathPrefix = pathPrefix }
        let server = EmulatorServer(knobs: knobs, chatModel: p.chatModel, embeddingModel: p.embeddingModel, apiKey: p.apiKey)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: "az", baseURL: base(server), model: p.chatModel, embeddingModel: p.embeddingModel,
                                apiKey: p.apiKey, auth: auth)
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20)).probe(target)
        await server.stop()
        return report
    }

    static func document(_ targets: [TargetReport], apiKeyEnv: [String: String] = [:]) throws -> PresetDocument {
        let report = Report(tool: ToolInfo(version: "test"), startedAt: "2026-01-02T03:04:05Z",
                            finishedAt: "2026-01-02T03:05:00Z", targets: targets)
        return try PresetBuilder.document([.init(report: report, file: "r.json")], apiKeyEnv: apiKeyEnv, generator: "touchstone test")
    }

    static func litellmParams(_ yaml: String) throws -> [String: [String: Any]] {
        let tree = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let list = try #require(tree["model_list"] as? [[String: Any]])
        var out: [String: [String: Any]] = [:]
        for e in list { out[e["model_name"] as? String ?? ""] = e["litellm_params"] as? [String: Any] }
        return out
    }

    @Test func azureReportRecordsTheModeAndLiteLLMUsesItsAzureProvider() async throws {
        // The resource endpoint given with a trailing /openai, as the docs allow.
        let report = try await Self.probeAzure(.azure(AzureDeployments(apiVersion: "2024-10-21")), base: { $0.baseURL })
        #expect(report.features["chat.basic"]?.verdict == .supported, "\(report.features["chat.basic"]?.detail ?? "")")
        #expect(report.auth == "azure" && report.apiVersion == "2024-10-21")
        #expect(report.deployment == nil, "no deployment configured: the model names it")
        // The fields survive the JSON report; a report without them (older) still reads.
        let data = try JSONReportWriter.data(Report(tool: ToolInfo(version: "t"), startedAt: "a", finishedAt: "b", targets: [report]))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"api_version\"") && text.contains("\"auth\""))
        #expect(try JSONReportWriter.decode(data).targets[0] == report)
        var old = try #require(try JSONParser.parse(Array(data)).objectValue)
        var targets = try #require(old["targets"]?.arrayValue)
        var first = try #require(targets[0].objectValue)
        first["auth"] = nil
        first["api_version"] = nil
        targets[0] = .object(first)
        old["targets"] = .array(targets)
        let legacy = try JSONReportWriter.decode(Data(JSONValue.object(old).serialized(sortedKeys: true).utf8))
        #expect(legacy.targets[0].auth == nil && legacy.targets[0].apiVersion == nil)
        #expect(try Self.document(legacy.targets).upstreams[0].auth.mode == "bearer",
                "without a recorded mode, the bogus-key probe's reading")

        var withDeployment = report
        withDeployment.name = "az2"
        withDeployment.deployment = "prod-chat"
        let doc = try Self.document([report, withDeployment], apiKeyEnv: ["*": "AZURE_OPENAI_API_KEY"])
        let auth = doc.upstreams[0].auth
        #expect(auth.mode == "azure" && auth.apiVersion == "2024-10-21" && auth.keyChecked == true)
        #expect(try YAMLDecoder().decode(PresetDocument.self, from: try PresetWriter.render(doc, format: .yaml)) == doc)

        let yaml = try PresetWriter.render(doc, format: .litellm)
        let params = try Self.litellmParams(yaml)
        let chat = try #require(params["az/gpt-4o-mini"])
        #expect(chat["model"] as? String == "azure/gpt-4o-mini")
        #expect(chat["api_version"] as? String == "2024-10-21")
        #expect(chat["api_key"] as? String == "os.environ/AZURE_OPENAI_API_KEY")
        let base = try #require(chat["api_base"] as? String)
        #expect(!base.hasSuffix("/openai") && report.baseURL.hasPrefix(base), "the resource endpoint: LiteLLM adds /openai")
        #expect(chat["extra_headers"] == nil)
        #expect((params["az/text-embedding-3-small"]?["model"] as? String) == "azure/text-embedding-3-small")
        #expect((params["az2/gpt-4o-mini"]?["model"] as? String) == "azure/prod-chat", "a configured deployment wins")

        // llm cannot send api-key headers nor add api-version: no entry, a comment says why.
        let llm = try PresetWriter.render(doc, format: .llm)
        #expect(try Yams.load(yaml: llm) as? [Any] != nil)
        #expect((try Yams.load(yaml: llm) as? [Any])?.isEmpty == true)
        #expect(llm.contains("# az: no entry: probed with auth `azure`"))
        #expect(!yaml.contains("sk-emulator") && !llm.contains("sk-emulator"), "no key value is ever written")
    }

    @Test func keyHeaderModesPutTheKeyInThatHeader() async throws {
        // Azure's v1 API takes the key in `api-key`.
        let report = try await Self.probeAzure(.header("api-key"), pathPrefix: .openaiV1, base: { $0.baseURL })
        #expect(report.features["chat.basic"]?.verdict == .supported, "\(report.features["chat.basic"]?.detail ?? "")")
        #expect(report.auth == "api-key" && report.apiVersion == nil)
        let doc = try Self.document([report], apiKeyEnv: ["az": "AZ_KEY"])
        #expect(doc.upstreams[0].auth.mode == "api-key")
        let chat = try #require(try Self.litellmParams(PresetWriter.render(doc, format: .litellm))["az/gpt-4o-mini"])
        #expect(chat["model"] as? String == "openai/gpt-4o-mini")
        #expect(chat["extra_headers"] as? [String: String] == ["api-key": "os.environ/AZ_KEY"])
        #expect(chat["api_version"] == nil)
        let llm = try PresetWriter.render(doc, format: .llm)
        #expect(llm.contains("# az: no entry: probed with auth `api-key`"))
    }

    /// llm 0.36's keys (llm/default_plugins/openai_models.py); flags only from verdicts.
    @Test func llmFileHasTheKeysLlmReads() async throws {
        let names = ["reference", "vllm", "tgi", "ollama", "azure"]
        let report = try await EmulatorReports.report(names)
        let doc = try Self.document(report.targets, apiKeyEnv: ["reference": "REF_KEY"])
        let text = try PresetWriter.render(doc, format: .llm)
        #expect(try PresetWriter.render(doc, format: .llm) == text, "same document, same bytes")
        let list = try #require(try Yams.load(yaml: text) as? [[String: Any]])
        let allowed: Set<String> = ["model_id", "model_name", "api_base", "api_key_name", "can_stream",
                                    "supports_tools", "supports_schema", "vision", "reasoning"]
        for (preset, target) in zip(doc.upstreams, report.targets) {
            let entry = try #require(list.first { $0["model_id"] as? String == "\(preset.name)/\(preset.model ?? "")" })
            #expect(Set(entry.keys).isSubset(of: allowed))
            #expect(entry["model_name"] as? String == target.model && entry["api_base"] as? String == target.baseURL)
            let v = { (id: String) in target.features[id]?.verdict }
            // A flag is true only on `supported` evidence, and never written false (llm reads only true).
            #expect((entry["supports_tools"] as? Bool) == (v("tools.basic") == .supported && v("tools.result_roundtrip") == .supported ? true : nil))
            #expect((entry["supports_schema"] as? Bool) == (v("response_format.json_schema") == .supported ? true : nil))
            #expect((entry["vision"] as? Bool) == (v("chat.image_input") == .supported ? true : nil))
            #expect((entry["can_stream"] as? Bool) == (v("stream.basic") == .supported ? nil : false))
            // No key name where the key is not checked: llm then sends a placeholder.
            let checked = v("auth.invalid_key_rejected") != .ignored
            #expect((entry["api_key_name"] != nil) == checked, "\(preset.name)")
        }
        func entry(_ name: String) -> [String: Any]? { list.first { ($0["model_id"] as? String)?.hasPrefix(name + "/") == true } }
        #expect(entry("reference")?["api_key_name"] as? String == "REF_KEY")
        #expect(entry("vllm")?["api_key_name"] as? String == "TOUCHSTONE_VLLM_API_KEY")
        #expect(entry("reference")?["supports_tools"] as? Bool == true && entry("vllm")?["supports_tools"] == nil)
        #expect(entry("tgi")?["supports_schema"] == nil && entry("azure")?["can_stream"] as? Bool == false)
        #expect(entry("ollama")?["api_key_name"] == nil, "Ollama ignores keys")
        #expect(!text.contains("sk-emulator"))
    }

    @Test func llmFileWithNoUsableUpstreamIsAnEmptyList() throws {
        let bare = TargetReport(name: "down", baseURL: "http://127.0.0.1:9/v1", model: "m", embeddingModel: nil,
                                features: [:], quirks: [:], stats: TargetStats())
        let text = try PresetWriter.render(try Self.document([bare]), format: .llm)
        #expect((try Yams.load(yaml: text) as? [Any])?.isEmpty == true, "llm iterates over the file: never null")
        #expect(text.contains("# down: no entry (no model, or chat.basic not supported)"))
    }

    @Test func cliWritesTheLLMFileAndChecksEmulatorKnobs() async throws {
        let cli = CLITests()
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try ReportsCLITests.write(["emu": try await EmulatorReports.report(["reference", "vllm"])], in: dir)
        let out = dir.appendingPathComponent("extra-openai-models.yaml").path
        let run = try await cli.touchstone(["presets", files["emu"]!, "--format", "llm", "--api-key-env", "vllm=VLLM_KEY", "-o", out])
        #expect(run.status == 0 && run.stdout.isEmpty, "\(run.stderr)")
        let list = try #require(try Yams.load(yaml: String(contentsOfFile: out, encoding: .utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["model_id"] as? String } == ["reference/emulator-chat", "vllm/Qwen/Qwen2.5-1.5B-Instruct"])
        #expect(list[1]["api_key_name"] as? String == "VLLM_KEY")
        let stdout = try await cli.touchstone(["presets", files["emu"]!, "--format", "llm"])
        #expect(stdout.status == 0 && stdout.stdout.hasPrefix("# llm extra-openai-models.yaml"))

        // `emulate --knob`: a bad name or value is a usage error before anything is served.
        let unknown = try await cli.touchstone(["emulate", "azure", "--knob", "noSuchKnob=1"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown knob `noSuchKnob`"), "\(unknown.stderr)")
        let bad = try await cli.touchstone(["emulate", "azure", "--knob", "pathPrefix=v9"])
        #expect(bad.status == 2 && bad.stderr.contains("pathPrefix") && !bad.stdout.contains("serving"), "\(bad.stderr)")
        let shape = try await cli.touchstone(["emulate", "azure", "--knob", "pathPrefix"])
        #expect(shape.status == 2 && shape.stderr.contains("NAME=VALUE"))
    }
}
