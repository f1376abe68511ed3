import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneKit
import TouchstoneReports

/// The run pipeline in-process (no binary): emulators on real sockets, real libcurl, real
/// libxml2; the reports it writes and the exit status it decides.
@Suite("RunPipeline")
struct RunPipelineTests {
    /// The hook the command line passes: personalities started from a pool, stopped after.
    static func emulators() -> EmulatorHook {
        let pool = EmulatorPool()
        return EmulatorHook(
            allNames: Personalities.all.map(\.name),
            check: { name, knobs in
                guard let p = Personalities.named(name) else { return .unknownPersonality(known: Personalities.all.map(\.name)) }
                do { _ = try knobs.map(p.knobs.overriding) } catch { return .knobs("\(error)") }
                return nil
            },
            start: { name, knobs in
                let p = try #require(Personalities.named(name))
                let server = try await pool.start(p, knobs: try knobs.map(p.knobs.overriding))
                return .init(baseURL: server.baseURL, model: p.chatModel, embeddingModel: p.embeddingModel, apiKey: p.apiKey)
            },
            stopAll: { await pool.stopAll() })
    }

    /// Collects what the pipeline tells its user.
    final class Recorder: RunObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var _notes: [String] = []
        private var _finished: [String] = []
        var notes: [String] { lock.withLock { _notes } }
        var finished: [String] { lock.withLock { _finished } }
        func handle(_ event: RunEvent) {
            if case .targetFinished(let target, _) = event { lock.withLock { _finished.append(target) } }
        }
        func note(_ text: String) { lock.withLock { _notes.append(text) } }
        func probingFinished() {}
    }

    func options(_ dir: URL, _ outputs: [String: String] = [:], failOn: Set<Verdict> = [.ignored, .broken],
                 features: [String] = []) -> RunOptions {
        RunOptions(probe: ProbeOptions(timeout: 20, include: features),
                   outputs: outputs.mapValues { dir.appendingPathComponent($0).path }, failOn: failOn)
    }

    @Test("two emulated targets: JSON and JUnit written, verdicts the personalities', emulators stopped")
    func twoTargetsWriteJSONAndJUnit() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let specs = [TargetSpec(name: "reference", emulate: "reference"), TargetSpec(name: "llamacpp", emulate: "llamacpp")]
        let recorder = Recorder()
        let outcome = try await RunPipeline(options: options(dir, ["--json": "report.json", "--junit": "junit.xml"]),
                                            emulators: Self.emulators()).run(specs, observer: recorder)

        let report = try ReportFile.read(dir.appendingPathComponent("report.json").path)
        #expect(report.targets.map(\.name) == ["reference", "llamacpp"], "in the order given")
        #expect(Set(recorder.finished) == ["reference", "llamacpp"])
        for t in report.targets {
            let mismatches = Probing.mismatches(t, try #require(Personalities.named(t.name)).expected)
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            #expect(t.features.values.contains { !$0.evidence.isEmpty }, "the JSON report keeps the evidence")
        }
        #expect(outcome.report.targets.allSatisfy { $0.features.values.allSatisfy(\.evidence.isEmpty) },
                "the outcome holds outlines only")
        let xml = try Data(contentsOf: dir.appendingPathComponent("junit.xml"))
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors.prefix(3))")
        }
        let suites = Set(try XMLSchemaValidation.tree(xml).all("testsuite").compactMap { $0["name"] })
        #expect(suites.contains("reference.chat") && suites.contains("llamacpp.chat"), "\(suites)")
        // llama.cpp ignores tool_choice and more: the default --fail-on fails the run.
        #expect(outcome.status == .verdictFailure && outcome.reportsUnwritten == 0)
        #expect(outcome.messages.last?.hasPrefix("\(report.targets[1].features.values.filter { [.ignored, .broken].contains($0.verdict) }.count) feature(s) with verdicts in --fail-on") == true,
                "\(outcome.messages)")
        // The emulators were stopped: their ports refuse connections.
        let port = try #require(URL(string: report.targets[0].baseURL)?.port)
        let unreachable = try await RunPipeline(options: options(dir, failOn: []))
            .run([TargetSpec(name: "gone", baseURL: "http://127.0.0.1:\(port)/v1", model: "m")])
        #expect(unreachable.status == .unreachable, "\(unreachable.messages)")
    }

    @Test("exit status: 0 with nothing to fail on, 1 against expectations, 5 when a report cannot be written")
    func exitStatusValues() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = [TargetSpec(name: "ollama", emulate: "ollama")]
        let pipeline = { (o: RunOptions) in RunPipeline(options: o, emulators: Self.emulators()) }

        let ok = try await pipeline(options(dir, failOn: [], features: ["chat.*"])).run(spec)
        #expect(ok.status == .ok && ok.messages.isEmpty, "\(ok.messages)")

        // Expecting what the emulator does not do fails with the feature named.
        let lacking = try #require(FeatureCatalog.ordered(Set(Personalities.ollama.expected.filter { $0.value == .ignored }.keys)).first)
        let expect = dir.appendingPathComponent("expect.yaml")
        try "targets:\n  ollama:\n    features:\n      \(lacking): supported\n".write(to: expect, atomically: true, encoding: .utf8)
        var withExpectations = options(dir, failOn: [], features: [lacking])
        withExpectations.expect = expect.path
        let unmet = try await pipeline(withExpectations).run(spec)
        #expect(unmet.report.targets.first?.features[lacking]?.verdict == .ignored)
        #expect(unmet.status == .verdictFailure)
        #expect(unmet.messages.first == "expectation not met: ollama \(lacking): ignored, expected supported (\(expect.path):4)",
                "\(unmet.messages)")

        // /dev/full takes the open but no byte: the report is not written, the run says so.
        let recorder = Recorder()
        var full = options(dir, failOn: [], features: ["chat.basic"])
        full.outputs = ["--json": "/dev/full"]
        let unwritten = try await pipeline(full).run(spec, observer: recorder)
        #expect(unwritten.status == .reportNotWritten && unwritten.reportsUnwritten == 1)
        #expect(recorder.notes.contains { $0.hasPrefix("error: cannot write the --json report /dev/full") }, "\(recorder.notes)")
    }

    @Test("exit status: 4 when the deadline cuts the run short, 6 when the preflight stops a target")
    func deadlineAndPreflightStop() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var short = options(dir, failOn: [])
        short.deadline = 0.3
        let cut = try await RunPipeline(options: short, emulators: Self.emulators())
            .run([TargetSpec(name: "slow", emulate: "reference-slow")])
        #expect(cut.status == .deadline && cut.report.partial)
        #expect(cut.report.targets.first?.features.values.contains { $0.verdict == .untested } == true)

        // The emulator enforces its key; a wrong one is a configuration error the upstream reveals.
        let wrongKey = TargetSpec(name: "refused", emulate: "reference", apiKey: "sk-not-the-emulators-key-0123456789")
        let refused = try await RunPipeline(options: options(dir, ["--json": "refused.json", "--junit": "refused.xml"]),
                                            emulators: Self.emulators()).run([wrongKey])
        #expect(refused.status == .configuration, "\(refused.messages)")
        #expect(refused.messages.contains { $0.hasPrefix("error: refused not probed:") }, "\(refused.messages)")
        // The reports show the preflight's requests (curl commands), the key header among them.
        for file in ["refused.json", "refused.xml"] {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains("Authorization: Bearer ${TOUCHSTONE_API_KEY}"), "\(file) shows the key header, the key left out")
            #expect(!text.contains("sk-not-the-emulators-key-0123456789") && !refused.messages.joined().contains("sk-not-the"),
                    "\(file): the key is redacted")
        }
    }

    @Test("configuration errors stop the run before anything starts")
    func setupErrors() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = EmulatorHook(allNames: [], check: { _, _ in nil },
                                   start: { _, _ in Issue.record("nothing may start"); throw CancellationError() },
                                   stopAll: {})
        let spec = [TargetSpec(name: "reference", emulate: "reference")]
        func setupError(_ o: RunOptions, _ specs: [TargetSpec] = spec, hook: EmulatorHook? = nil) async -> RunSetupError? {
            do {
                _ = try await RunPipeline(options: o, emulators: hook ?? started).run(specs)
                return nil
            } catch {
                return error as? RunSetupError
            }
        }
        let typo = await setupError(options(dir, features: ["chat.basik"]))
        #expect(typo?.kind == .usage && typo?.message.contains("did you mean `chat.basic`?") == true, "\(String(describing: typo))")

        let twice = await setupError(options(dir, ["--json": "same.out", "--junit": "same.out"]))
        #expect(twice?.kind == .usage && twice?.message.contains("the same file as --json") == true, "\(String(describing: twice))")

        let knobs = TargetSpec(name: "k", location: nil, emulate: "reference", knobs: .object(["pathPrefix": .string("v9")]))
        let badKnobs = await setupError(options(dir), [knobs], hook: Self.emulators())
        #expect(badKnobs?.kind == .configuration && badKnobs?.message.hasPrefix("target `k` knobs:") == true,
                "\(String(describing: badKnobs))")

        let unknown = await setupError(options(dir), [TargetSpec(name: "x", emulate: "no-such-personality")], hook: Self.emulators())
        #expect(unknown?.message.hasPrefix("unknown personality `no-such-personality`; known: reference") == true,
                "\(String(describing: unknown))")

        let expect = dir.appendingPathComponent("bad.yaml")
        try "targets:\n  '*':\n    features:\n      chat.basic: maybe\n".write(to: expect, atomically: true, encoding: .utf8)
        var bad = options(dir)
        bad.expect = expect.path
        let unreadable = await setupError(bad)
        #expect(unreadable?.kind == .configuration && unreadable?.message.hasPrefix("\(expect.path):4:") == true,
                "\(String(describing: unreadable))")
    }

    @Test("--fail-on: named verdicts, none, and the defaults with and without expectations")
    func failOnParsing() throws {
        #expect(try ExitPolicy.failOn(nil, withExpectations: false) == [.ignored, .broken])
        #expect(try ExitPolicy.failOn(nil, withExpectations: true) == [])
        #expect(try ExitPolicy.failOn("untested, broken", withExpectations: true) == [.untested, .broken])
        #expect(try ExitPolicy.failOn("none", withExpectations: false) == [])
        #expect(throws: RunSetupError.self) { try ExitPolicy.failOn("ignored,brokn", withExpectations: false) }
    }
}
