import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneReports
@testable import TouchstoneKit

@Suite("Prober against the emulator")
struct ProberTests {
    @Test func referenceSupportsEveryFeature() async throws {
        let report = try await Probing.probe(Personalities.reference)
        #expect(Set(report.features.keys) == Set(FeatureCatalog.ids))
        let notSupported = report.features.filter { $0.value.verdict != .supported }
            .map { "\($0.key): \($0.value.verdict.rawValue) \($0.value.detail)" }
        #expect(notSupported.isEmpty, "\(notSupported)")
        #expect(report.quirks["error_envelope"] == "openai")
        #expect(report.quirks["trailing_slash"] == "accepted")
        #expect(report.stats.outputTokens < 2000, "the whole taxonomy must stay cheap")
        // Every verdict carries a one-line detail and evidence.
        for (f, r) in report.features {
            #expect(!r.detail.isEmpty && !r.detail.contains("\n"), "\(f)")
            if f != "errors.envelope" { #expect(!r.evidence.isEmpty, "\(f) has no evidence") }
        }
        // Streaming probes report latency figures.
        #expect(report.features["stream.basic"]?.latency?.ttftMs != nil)
    }

    @Test func withoutEmbeddingModelEmbeddingsAreUntested() async throws {
        let report = try await Probing.probe(Personalities.reference, withEmbeddings: false)
        for f in ["embeddings.basic", "embeddings.batch", "embeddings.base64", "embeddings.dimensions"] {
            #expect(report.features[f]?.verdict == .untested, "\(f)")
        }
        #expect(report.features["embeddings.basic"]?.detail.contains("embedding model") == true)
    }

    @Test func sharedRequestsAreSentOnce() async throws {
        let report = try await Probing.probe(Personalities.reference)
        // 44 features, but chat.basic's request is shared by chat.usage, chat.stop's control, …
        let sent = report.stats.requests
        let steps = Probing.suites.flatMap(\.cases).reduce(0) { $0 + $1.steps.count }
        #expect(sent < steps, "sent \(sent) requests for \(steps) steps")
    }

    @Test func featureSelectionAddsPrerequisites() async throws {
        let report = try await Probing.probe(Personalities.reference,
                                             options: ProbeOptions(timeout: 20, include: ["stream.done_sentinel"]))
        #expect(Set(report.features.keys) == ["stream.basic", "stream.done_sentinel"])
        #expect(report.features["stream.done_sentinel"]?.verdict == .supported)
    }

    @Test func unreachableTargetIsBrokenNotFatal() async throws {
        // A port nothing listens on: every feature ends broken or untested, none crashes the run.
        let target = try Target(name: "nowhere", baseURL: "http://127.0.0.1:1/v1", model: "m")
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 5)).probe(target)
        #expect(report.stats.responses == 0)
        #expect(Set(report.features.keys) == Set(FeatureCatalog.ids))
        for (f, r) in report.features {
            #expect(r.verdict == .broken || r.verdict == .untested, "\(f): \(r.verdict)")
        }
        #expect(report.features["chat.basic"]?.detail.contains("refused") == true)
    }

    @Test func junitOfARunValidatesAgainstBothSchemas() async throws {
        let target = try await Probing.probe(Personalities.reference)
        let report = Report(tool: ToolInfo(version: "test"), startedAt: "2026-11-21T00:00:00Z",
                            finishedAt: "2026-11-21T00:00:01Z", targets: [target])
        let xml = try JUnitWriter.data(report)
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors.prefix(3))")
        }
        let json = try JSONReportWriter.data(report)
        #expect(try JSONReportWriter.decode(json).targets[0].features.count == FeatureCatalog.ids.count)
    }

    @Test func baseURLNormalisation() throws {
        #expect(try Target.normalise("http://h:1/v1/") == "http://h:1/v1")
        #expect(try Target.normalise(" http://h:1/v1// ") == "http://h:1/v1")
        #expect(throws: TargetError.self) { try Target.normalise("localhost:8080/v1") }
        #expect(throws: TargetError.self) { try Target.normalise("ftp://h/v1") }
    }
}

/// Issue 3: every personality gets exactly the verdicts it declares (written by hand from the
/// documented behaviour), and random knob combinations get the verdicts features.md derives.
@Suite("Personalities and knob combinations")
struct PersonalityVerdictTests {
    @Test(arguments: Personalities.all.map(\.name))
    func personalityGetsItsDeclaredVerdicts(_ name: String) async throws {
        let p = try #require(Personalities.named(name))
        let report = try await Probing.probe(p)
        let mismatches = Probing.mismatches(report, p.expected)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    @Test func aWrongExpectationIsCaught() async throws {
        let p = Personalities.ollama
        let report = try await Probing.probe(p)
        var wrong = p.expected
        wrong["chat.n"] = .supported  // ollama ignores n
        let mismatches = Probing.mismatches(report, wrong)
        #expect(mismatches.count == 1 && mismatches[0].contains("chat.n"))
    }

    /// The real prober against random knob sets, compared with the knob oracle (Support/
    /// KnobOracle.swift); 32 sets, one in four probed without an embedding model.
    @Test(arguments: Array(UInt64(1)...UInt64(32)))
    func randomKnobsGetTheDerivedVerdicts(_ seed: UInt64) async throws {
        let knobs = Knobs.random(seed: seed)
        let embedding: String? = seed % 4 == 3 ? nil : "emulator-embed"
        let server = EmulatorServer(knobs: knobs, chatModel: "emulator-chat", embeddingModel: embedding,
                                    apiKey: "sk-random-\(seed)-key")
        try await server.start()
        let target = try Target(name: "random-\(seed)", baseURL: server.baseURL, model: "emulator-chat",
                                embeddingModel: embedding, apiKey: "sk-random-\(seed)-key")
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20)).probe(target)
        await server.stop()
        let mismatches = Probing.mismatches(report, knobs.expectedVerdicts(embeddingModelConfigured: embedding != nil))
        #expect(mismatches.isEmpty, "knobs \(knobs.differencesFromReference):\n\(mismatches.joined(separator: "\n"))")
    }
}
