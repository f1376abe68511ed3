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
