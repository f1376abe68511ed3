import Foundation
import Testing
import TouchstoneEmulator

/// Usage errors a newcomer meets, each found before anything is served or sent.
extension CLITests {
    @Test func emulateOnABusyPortIsAUsageErrorThatSaysSo() async throws {
        let busy = EmulatorServer(personality: Personalities.reference)
        try await busy.start()
        defer { Task { await busy.stop() } }
        let r = try await touchstone(["emulate", "reference", "--port", "\(busy.port)"])
        await busy.stop()
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot listen on 127.0.0.1:\(busy.port)") && r.stderr.contains("--port"), "\(r.stderr)")
        #expect(!r.stdout.contains("serving"))
    }

    @Test func emulateListNeverCutsANameShort() async throws {
        let r = try await touchstone(["emulate", "--list"])
        #expect(r.status == 0)
        for p in Personalities.all + Personalities.faults {
            #expect(r.stdout.contains("\(p.name)  "), "\(p.name) is cut or run into its summary")
        }
    }
}

extension CLITests {
    /// Help text fits 80 columns as written, so the wrapping at 80 (piped, or a narrow
    /// terminal) never breaks a line in the middle of a sentence or an example.
    @Test func helpFitsEightyColumnsAsWritten() async throws {
        for command in [[], ["probe"], ["run"], ["emulate"], ["suites"], ["suites", "validate"], ["suites", "list"],
                        ["diff"], ["merge"], ["presets"]] {
            let r = try await touchstone(command + ["--help"], environment: ["COLUMNS": "200"])
            #expect(r.status == 0)
            let text = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            // The discussion and usage (before the option list) are ours to wrap; ArgumentParser
            // wraps the one-sentence OVERVIEW itself.
            let prose = text.prefix { !$0.hasPrefix("OPTIONS:") && !$0.hasPrefix("ARGUMENTS:") }
            for line in prose where line.count > 80 && !line.hasPrefix("OVERVIEW:") {
                Issue.record("`touchstone \(command.joined(separator: " ")) --help`: \(line.count) columns: \(line)")
            }
        }
    }
}

extension CLITests {
    /// docs/ci.md's first pipeline, taken from the page and run as written.
    @Test func firstPipelineInTheCIDocsPassesAsWritten() async throws {
        let page = try String(contentsOf: Paths.root.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        let section = try #require(page.components(separatedBy: "## Without a service").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let words = block.replacingOccurrences(of: "\\\n", with: " ").split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(words.first == "touchstone", "\(words)")
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("examples"),
                                                   withDestinationURL: Paths.root.appendingPathComponent("examples"))
        let r = try await touchstone(Array(words.dropFirst()), directory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["matrix.html", "junit.xml", "report.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
    }
}

extension CLITests {
    @Test func aMisspeltOptionBeforeAValueIsNamedNotMistakenForTheBaseURL() async throws {
        let r = try await touchstone(["probe", "--emulate", "reference", "--jsn", "out.json"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Unknown option '--jsn'") && r.stderr.contains("'--json'"), "\(r.stderr)")
    }

    @Test func typoFeatureGlobsAreUsageErrorsWithASuggestion() async throws {
        let r = try await touchstone(["probe", "--emulate", "reference", "--features", "strem.*", "--skip", "chat.basix"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("`strem.*` matches no feature; did you mean `stream.*`?"), "\(r.stderr)")
        #expect(r.stderr.contains("`chat.basix` matches no feature; did you mean `chat.basic`?"), "\(r.stderr)")
    }

    @Test func unknownFeatureIDsInAnExpectationsFileAreUsageErrors() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("expect.yaml")
        try "targets:\n  reference:\n    features:\n      chat.basik: supported\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try await touchstone(["probe", "--emulate", "reference", "--expect", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("`chat.basik` matches no feature; did you mean `chat.basic`?"), "\(r.stderr)")
    }

    @Test func apiKeyEnvNeverEchoesWhatMayBeAKey() async throws {
        let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
        let probe = try await touchstone(["probe", "http://127.0.0.1:9/v1", "--model", "m", "--api-key-env", key])
        #expect(probe.status == 2 && probe.stderr.contains("not shown"), "\(probe.stderr)")
        #expect(!probe.stderr.contains(key) && !probe.stdout.contains(key))
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r.json").path
        _ = try await touchstone(["probe", "--emulate", "reference", "--features", "models.list", "--quiet", "--json", report])
        let presets = try await touchstone(["presets", report, "--api-key-env", key])
        #expect(presets.status == 2 && !presets.stderr.contains(key), "\(presets.stderr)")
        // A target name that is not in the reports: named, with the closest one.
        let unknown = try await touchstone(["presets", report, "--api-key-env", "referense=REF_KEY"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no target `referense` in the reports; did you mean `reference`?"),
                "\(unknown.stderr)")
    }

    @Test func nameNamesAProbedTargetAndRefusesDots() async throws {
        let bad = try await touchstone(["probe", "http://127.0.0.1:9/v1", "--model", "m", "--name", "local.llama"])
        #expect(bad.status == 2 && bad.stderr.contains("--name `local.llama`"), "\(bad.stderr)")
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r.json")
        let r = try await touchstone(["probe", "http://127.0.0.1:1/v1", "--model", "m", "--name", "local-llama", "--quiet",
                                      "--timeout", "2", "--json", report.path])
        #expect(r.status == 3, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        let targets = json?["targets"] as? [[String: Any]]
        #expect(targets?.first?["name"] as? String == "local-llama")
        // The closing error names the URL it could not reach.
        #expect(r.stderr.contains("local-llama (http://127.0.0.1:1/v1)"), "\(r.stderr)")
    }
}

extension CLITests {
    /// Nothing answered: the progress lines say so and never call a feature broken, as the final
    /// table does not either.
    @Test func unreachableProgressAgreesWithTheFinalTable() async throws {
        let r = try await touchstone(["probe", "http://127.0.0.1:1/v1", "--model", "m", "--timeout", "2"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("could not be reached") && !r.stderr.contains("broken"), "\(r.stderr)")
        #expect(!r.stdout.contains("broken"), "\(r.stdout)")
    }
}
