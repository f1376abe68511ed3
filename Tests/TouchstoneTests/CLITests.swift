import Foundation
import Subprocess
import Testing
import TouchstoneCore
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The `touchstone` executable run as a user runs it: exit codes, outputs, secrets.
@Suite("Command line")
struct CLITests {
    static var binary: String {
        let beside = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("touchstone").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Paths.root.appendingPathComponent(".build/debug/touchstone").path
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func touchstone(_ args: [String], environment: [String: String] = [:], binary: String = Self.binary,
                    directory: String? = nil) async throws -> Outcome {
        var env: [Environment.Key: String?] = ["NO_COLOR": "1"]
        for (k, v) in environment { env[Environment.Key(stringLiteral: k)] = v }
        let r = try await run(.path(FilePath(binary)), arguments: Arguments(args),
                              environment: .inherit.updating(env),
                              workingDirectory: directory.map { FilePath($0) },
                              output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        let status: Int32 = switch r.terminationStatus {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        return Outcome(status: status, stdout: r.standardOutput, stderr: r.standardError)
    }

    @Test func helpTeachesUsageAndExitCodes() async throws {
        let r = try await touchstone(["probe", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--api-key-env") && r.stdout.contains("Exit codes"))
    }

    @Test func probeReferenceWritesEveryReportAndExitsZero() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await touchstone(["probe", "--emulate", "reference", "--json", dir.appendingPathComponent("r.json").path,
                                      "--junit", dir.appendingPathComponent("j.xml").path,
                                      "--markdown", dir.appendingPathComponent("m.md").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("reference: 44 supported"))
        #expect(r.stderr.contains("[reference] supported"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["j.xml", "m.md", "r.json"], "no temporary files left: \(files)")
        // The emulator's bearer key never appears in any output, in any encoding.
        let key = "sk-emulator-reference"
        let outputs = [r.stdout, r.stderr] + files.map { (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? "" }
        for form in [key, Data(key.utf8).base64EncodedString().trimmingCharacters(in: ["="]),
                     key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!] {
            #expect(!outputs.contains { $0.contains(form) }, "key leaked as \(form)")
        }
    }

    @Test func ignoredVerdictsExitOneUnlessToldOtherwise() async throws {
        let r = try await touchstone(["probe", "--emulate", "ollama", "--quiet"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("chat.n") && r.stdout.contains("ignored"))
        let relaxed = try await touchstone(["probe", "--emulate", "ollama", "--quiet", "--fail-on", "none"])
        #expect(relaxed.status == 0)
    }

    @Test func unreachableTargetExitsThree() async throws {
        let r = try await touchstone(["probe", "http://127.0.0.1:1/v1/", "--model", "m", "--quiet", "--timeout", "5"])
        #expect(r.status == 3, "\(r.stderr)")
    }

    @Test func badSuiteExitsTwoBeforeSending() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "cases:\n  - feature: x.y\n    verdicts:\n      - verdict: maybe\n        detail: d\n"
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        // The target is unreachable: a suite error must be reported before anything is tried.
        let r = try await touchstone(["probe", "http://127.0.0.1:1/v1", "--model", "m", "--suites", dir.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yaml:4:") && r.stderr.contains("unknown verdict `maybe`"), "\(r.stderr)")
        let v = try await touchstone(["suites", "validate", dir.path])
        #expect(v.status == 2)
        let ok = try await touchstone(["suites", "validate", Paths.suites])
        #expect(ok.status == 0)
    }

    @Test func usageErrorsExitTwo() async throws {
        #expect(try await touchstone(["probe"]).status == 2)
        #expect(try await touchstone(["probe", "localhost:8080/v1", "--model", "m"]).status == 2)
        #expect(try await touchstone(["probe", "--emulate", "nosuch"]).status == 2)
        let missingKey = try await touchstone(["probe", "http://127.0.0.1:1/v1", "--model", "m", "--api-key-env", "TOUCHSTONE_TEST_UNSET_VAR"])
        #expect(missingKey.status == 2 && missingKey.stderr.contains("TOUCHSTONE_TEST_UNSET_VAR"))
    }

    @Test func emulateAllPrintsTheMatrix() async throws {
        let r = try await touchstone(["probe", "--emulate", "all", "--quiet", "--fail-on", "none"])
        #expect(r.status == 0)
        let header = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        for name in ["reference", "ollama", "vllm", "llamacpp", "lmstudio", "tgi", "mistral", "gemini", "perplexity", "azure", "litellm"] {
            #expect(header.contains(name), "\(name) missing from the matrix header")
        }
    }
}
