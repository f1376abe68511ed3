import Foundation
import Testing
import TouchstoneCore
import Yams
@testable import TouchstoneReports

/// Capability presets from real emulator reports: the documented schema, and the LiteLLM
/// config structure (the real LiteLLM proxy check is scripts/check-litellm-presets.sh).
@Suite("Presets")
struct PresetsTests {
    static func document(_ names: [String], apiKeyEnv: [String: String] = [:]) async throws -> PresetDocument {
        let report = try await EmulatorReports.report(names)
        return try PresetBuilder.document([.init(report: report, file: "reports/emu.json")], apiKeyEnv: apiKeyEnv,
                                          generator: "touchstone test")
    }

    @Test func capabilitiesFollowTheVerdicts() async throws {
        let report = try await EmulatorReports.report(["reference", "ollama"])
        let doc = try await Self.document(["reference", "ollama"])
        #expect(doc.schema == "touchstone.presets/v1")
        #expect(doc.upstreams.map(\.name) == ["reference", "ollama"])
        for (preset, target) in zip(doc.upstreams, report.targets) {
            let c = preset.capabilities
            func expected(_ id: String) -> Bool? {
                switch target.features[id]?.verdict {
                case .supported?: true
                case .untested?, nil: nil
                default: false
                }
            }
            #expect(preset.baseURL == target.baseURL && preset.model == target.model)
            #expect(c.chat == expected("chat.basic"))
            #expect(c.streaming == expected("stream.basic"))
            #expect(c.parallelToolCalls == expected("tools.parallel"))
            #expect(c.jsonObject == expected("response_format.json_object"))
            #expect(c.jsonSchemaStrict == expected("response_format.json_schema"))
            #expect(c.embeddings.base64 == expected("embeddings.base64"))
            #expect(c.embeddings.dimensions == expected("embeddings.dimensions"))
            #expect(c.responsesAPI == expected("responses.basic"))
            #expect(c.toolChoice == ["auto", "none", "required", "named"].filter { target.features["tool_choice.\($0)"]?.verdict == .supported })
            #expect(preset.features.values == target.features.mapValues(\.verdict))
            #expect(preset.provenance.report == "reports/emu.json")
            #expect(["on_request", "always", "never", "unknown"].contains(c.usageInStream))
            #expect(["accepted", "redirect", "not_found", "unknown"].contains(c.trailingSlash))
            if case .string(let server)? = target.quirks["server"] { #expect(preset.provenance.server == server) }
        }
        let reference = doc.upstreams[0]
        #expect(reference.auth.mode == "bearer")
        #expect(reference.capabilities.toolChoice == ["auto", "none", "required", "named"])
        #expect(reference.capabilities.errors.envelope == "openai")
        #expect(reference.provenance.pointer == "/targets/0")
        // Ollama's documented quirks show up as capabilities.
        let ollama = doc.upstreams[1]
        #expect(ollama.capabilities.n == false)
        #expect(ollama.provenance.pointer == "/targets/1")
    }

    @Test func yamlAndJSONCarryTheSameDocumentAndAreStable() async throws {
        let doc = try await Self.document(["reference", "vllm"], apiKeyEnv: ["*": "MY_KEY"])
        let json = try PresetWriter.render(doc, format: .json)
        #expect(try JSONDecoder().decode(PresetDocument.self, from: Data(json.utf8)) == doc)
        let yaml = try PresetWriter.render(doc, format: .yaml)
        #expect(yaml.hasPrefix("# Capability presets (touchstone.presets/v1)"))
        #expect(try YAMLDecoder().decode(PresetDocument.self, from: yaml) == doc)
        #expect(try PresetWriter.render(doc, format: .yaml) == yaml, "same document, same bytes")
        #expect(yaml.contains("api_key_env: MY_KEY"))
        // The documented top-level layout.
        let tree = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        #expect(Set(tree.keys) == ["schema", "generator", "upstreams"])
        let first = try #require((tree["upstreams"] as? [[String: Any]])?.first)
        #expect(Set(first.keys).isSuperset(of: ["name", "base_url", "auth", "model", "capabilities", "features", "provenance"]))
    }

    @Test func litellmConfigHasTheKeysTheProxyReads() async throws {
        let doc = try await Self.document(["reference", "ollama", "gemini"], apiKeyEnv: ["gemini": "GEMINI_API_KEY"])
        let yaml = try PresetWriter.render(doc, format: .litellm)
        let tree = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let list = try #require(tree["model_list"] as? [[String: Any]])
        let names = list.compactMap { $0["model_name"] as? String }
        #expect(Set(names).count == names.count, "model names are unique")
        for preset in doc.upstreams {
            let model = try #require(preset.model)
            let entry = try #require(list.first { $0["model_name"] as? String == "\(preset.name)/\(model)" })
            let params = try #require(entry["litellm_params"] as? [String: Any])
            #expect(params["model"] as? String == "openai/\(model)")
            #expect(params["api_base"] as? String == preset.baseURL)
            let info = try #require(entry["model_info"] as? [String: Any])
            #expect(info["mode"] as? String == "chat")
            #expect(info["supports_parallel_function_calling"] as? Bool == preset.capabilities.parallelToolCalls)
            #expect(info["supports_response_schema"] as? Bool == preset.capabilities.jsonSchemaStrict)
            #expect(info["supports_native_streaming"] as? Bool == preset.capabilities.streaming)
            #expect(info["supports_function_calling"] as? Bool == (preset.capabilities.tools == true
                    || !Set(preset.capabilities.toolChoice).isDisjoint(with: ["required", "named"])))
            #expect((info["supported_endpoints"] as? [String])?.first == "/v1/chat/completions")
            let allowed: Set<String> = ["mode", "supports_function_calling", "supports_parallel_function_calling",
                                        "supports_tool_choice", "supports_response_schema", "supports_system_messages",
                                        "supports_vision", "supports_native_streaming", "supports_reasoning",
                                        "max_input_tokens", "supported_endpoints"]
            #expect(Set(info.keys).isSubset(of: allowed), "only keys LiteLLM's ModelInfo defines")
        }
        // Keys: an explicit variable, a placeholder where the key is not checked, a default name otherwise.
        func key(_ name: String) -> String? {
            ((list.first { ($0["model_name"] as? String)?.hasPrefix(name + "/") == true })?["litellm_params"] as? [String: Any])?["api_key"] as? String
        }
        #expect(key("gemini") == "os.environ/GEMINI_API_KEY")
        #expect(key("reference") == "os.environ/TOUCHSTONE_REFERENCE_API_KEY")
        // An embedding entry for an upstream whose embeddings work.
        let reference = doc.upstreams[0]
        if let emb = reference.embeddingModel, reference.capabilities.embeddings.supported == true {
            let entry = try #require(list.first { $0["model_name"] as? String == "reference/\(emb)" })
            #expect((entry["model_info"] as? [String: Any])?["mode"] as? String == "embedding")
        }
        #expect(!yaml.contains("sk-emulator"), "no key value is ever written")
    }

    /// preferred_api needs the Responses API streamed too; context_window is the quirk, and LiteLLM's
    /// max_input_tokens is the context window.
    @Test func preferredAPIAndContextWindowFollowVerdictsAndQuirk() async throws {
        var report = try await EmulatorReports.report(["reference", "misbehaving", "tgi"])
        report.targets[0].quirks["context_length"] = .int(8192)
        let doc = try PresetBuilder.document([.init(report: report)], generator: "touchstone test")
        let (reference, misbehaving, tgi) = (doc.upstreams[0].capabilities, doc.upstreams[1].capabilities, doc.upstreams[2].capabilities)
        #expect(reference.preferredAPI == "responses" && reference.contextWindow == 8192)
        #expect(reference.responsesStream == true && reference.responsesRetrieve == true && reference.responsesDoneSentinel == false)
        #expect(reference.streamResponseFormat == true && reference.errors.invalidRoleRejected == true)
        // Misbehaving answers /responses but not as a stream: chat completions stay preferred.
        #expect(misbehaving.responsesAPI == true && misbehaving.responsesStream == false && misbehaving.preferredAPI == "chat_completions")
        #expect(misbehaving.responsesDoneSentinel == nil && misbehaving.contextWindow == nil)
        #expect(misbehaving.errors.toolChoiceWithoutToolsRejected == false && misbehaving.errors.invalidRoleRejected == false)
        #expect(tgi.responsesAPI == false && tgi.responsesStream == nil && tgi.preferredAPI == "chat_completions")
        let yaml = try PresetWriter.render(doc, format: .litellm)
        let list = try #require((try Yams.load(yaml: yaml) as? [String: Any])?["model_list"] as? [[String: Any]])
        let info = { (name: String) in
            (list.first { ($0["model_name"] as? String)?.hasPrefix(name + "/") == true })?["model_info"] as? [String: Any]
        }
        #expect(info("reference")?["max_input_tokens"] as? Int == 8192)
        #expect(info("misbehaving")?["max_input_tokens"] == nil)
    }

    @Test func repeatedTargetNamesAcrossReportsAreRefused() async throws {
        let report = try await EmulatorReports.report(["reference"])
        let error = #expect(throws: PresetError.self) {
            try PresetBuilder.document([.init(report: report, file: "a.json"), .init(report: report, file: "b.json")], generator: "t")
        }
        #expect(error?.description.contains("a.json") == true && error?.description.contains("b.json") == true)
    }
}
