import Foundation
import Subprocess
import Testing
import TouchstoneEmulator
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The step behind action.yml (scripts/action.sh), run as the runner runs it, with the built
/// binary standing in for the one on PATH, against the emulator over a real socket.
@Suite("GitHub action script")
struct ActionScriptTests {
    struct Outcome {
        var status: Int32
        var stderr: String
        var outputs: [String: String]
    }

    func action(_ inputs: [String: String], keyEnv: [String: String] = [:], in dir: URL) async throws -> Outcome {
        let githubOutput = dir.appendingPathComponent("github-output")
        var env: [Environment.Key: String?] = ["NO_COLOR": "1", "TOUCHSTONE_BIN": CLITests.binary,
                                               "GITHUB_OUTPUT": githubOutput.path,
                                               "GITHUB_STEP_SUMMARY": dir.appendingPathComponent("summary.md").path]
        for (k, v) in inputs.merging(keyEnv, uniquingKeysWith: { a, _ in a }) { env[Environment.Key(stringLiteral: k)] = v }
        let script = Paths.root.appendingPathComponent("scripts/action.sh").path
        let r = try await run(.path("/bin/bash"), arguments: [script], environment: .inherit.updating(env),
                              workingDirectory: FilePath(dir.path),
                              output: .discarded, error: .string(limit: 1 << 20))
        let status: Int32 = switch r.terminationStatus {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        var outputs: [String: String] = [:]
        for line in ((try? String(contentsOf: githubOutput, encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { outputs[String(parts[0])] = String(parts[1]) }
        }
        return Outcome(status: status, stderr: r.standardError, outputs: outputs)
    }

    @Test func probesABaseURLWritesEveryReportAndSetsTheOutputs() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Personalities.reference
        let server = EmulatorServer(personality: p)
        try await server.start()
        let r = try await action(["INPUT_BASE_URL": server.baseURL, "INPUT_MODEL": p.chatModel,
                                  "INPUT_EMBEDDING_MODEL": p.embeddingModel ?? "", "INPUT_API_KEY_ENV": "EMULATOR_KEY"],
                                 keyEnv: ["EMULATOR_KEY": p.apiKey ?? ""], in: dir)
        await server.stop()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.outputs["exit-code"] == "0")
        for name in ["json", "junit", "markdown", "html"] {
            let path = try #require(r.outputs[name], "output \(name) not set")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(path).path), "\(name): \(path)")
        }
        let summary = try String(contentsOf: dir.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.contains("chat.basic"))
        let report = try String(contentsOf: dir.appendingPathComponent(r.outputs["json"]!), encoding: .utf8)
        #expect(!report.contains(p.apiKey!))
    }

    @Test func aTargetsFileRunsAndTheExitCodeIsTouchstones() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let targets = dir.appendingPathComponent("targets.yaml")
        try "targets:\n  ollama-like: {emulate: ollama}\n".write(to: targets, atomically: true, encoding: .utf8)
        // Ollama ignores parameters: the default fail-on fails the step with touchstone's code.
        let strict = try await action(["INPUT_TARGETS": targets.path], in: dir)
        #expect(strict.status == 1, "\(strict.stderr)")
        #expect(strict.outputs["exit-code"] == "1")
        let relaxed = try await action(["INPUT_TARGETS": targets.path, "INPUT_FAIL_ON": "none",
                                        "INPUT_ARGS": "--features 'chat.*'"], in: dir)
        #expect(relaxed.status == 0, "\(relaxed.stderr)")
        let matrix = try String(contentsOf: dir.appendingPathComponent("touchstone-reports/matrix.md"), encoding: .utf8)
        #expect(matrix.contains("chat.n") && !matrix.contains("embeddings.basic"))
    }

    @Test func inputMistakesAreUsageErrors() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try await action([:], in: dir)
        #expect(none.status == 2 && none.stderr.contains("base-url"), "\(none.stderr)")
        let key = try await action(["INPUT_BASE_URL": "http://127.0.0.1:9/v1", "INPUT_API_KEY_ENV": "sk-live-1234"], in: dir)
        #expect(key.status == 2 && key.stderr.contains("NAME of an environment variable"), "\(key.stderr)")
        #expect(!key.stderr.contains("sk-live-1234"))
    }
}
