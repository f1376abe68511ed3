import Foundation
import Testing
import TouchstoneCore
import Yams
@testable import TouchstoneReports

/// `touchstone diff`, `merge` and `presets` run as a user runs them: exit codes and files.
@Suite("Report commands")
struct ReportsCLITests {
    let cli = CLITests()

    /// Writes reports of these personalities (one file each) into `dir`; returns the paths.
    static func write(_ reports: [String: Report], in dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for (name, report) in reports {
            let path = dir.appendingPathComponent("\(name).json").path
            try AtomicFile.write(try JSONReportWriter.data(report), to: path)
            out[name] = path
        }
        return out
    }

    @Test func diffExitsOneOnRegressionAndZeroOtherwise() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try await EmulatorReports.report(["reference"])
        var new = try await EmulatorReports.report(["ollama"])
        new.targets[0].name = "reference"  // the same server, "upgraded"
        let files = try Self.write(["old": old, "new": new], in: dir)

        let same = try await cli.touchstone(["diff", files["old"]!, files["old"]!])
        #expect(same.status == 0 && same.stdout.contains("no change"), "\(same.stderr)")
        let json = dir.appendingPathComponent("diff.json").path
        let worse = try await cli.touchstone(["diff", files["old"]!, files["new"]!, "--json", json])
        #expect(worse.status == 1)
        #expect(worse.stdout.contains("REGRESSION") && worse.stdout.contains("chat.n"))
        let diff = try JSONDecoder().decode(ReportDiff.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(diff.hasRegression && diff.schema == "touchstone.diff/v1")
        let better = try await cli.touchstone(["diff", files["new"]!, files["old"]!])
        #expect(better.status == 0 && better.stdout.contains("improved"))

        // A feature no longer probed: a regression unless --allow-missing.
        var subset = old
        subset.targets[0].features.removeValue(forKey: "chat.n")
        let sub = try Self.write(["subset": subset], in: dir)["subset"]!
        #expect(try await cli.touchstone(["diff", files["old"]!, sub]).status == 1)
        #expect(try await cli.touchstone(["diff", files["old"]!, sub, "--allow-missing"]).status == 0)

        // Unreadable input: exit 2 naming the file.
        let bogus = dir.appendingPathComponent("bogus.json")
        try Data("{\"schema\": \"touchstone.report/v1\"}".utf8).write(to: bogus)
        let bad = try await cli.touchstone(["diff", files["old"]!, bogus.path])
        #expect(bad.status == 2 && bad.stderr.contains("bogus.json") && bad.stderr.contains("missing `tool`"), "\(bad.stderr)")
        let absent = try await cli.touchstone(["diff", files["old"]!, dir.appendingPathComponent("none.json").path])
        #expect(absent.status == 2 && absent.stderr.contains("none.json"))
    }

    @Test func mergeWritesOneReportAndEveryFormat() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try await EmulatorReports.report(MergeTests.names)
        var shards: [String: Report] = [:]
        for i in 0..<2 {
            var shard = whole
            shard.targets = whole.targets.enumerated().filter { $0.offset % 2 == i }.map(\.element)
            shard.shard = "\(i + 1)/2"
            shards["shard-\(i + 1)"] = shard
        }
        let files = try Self.write(shards, in: dir)
        let out = { (name: String) in dir.appendingPathComponent(name).path }
        let r = try await cli.touchstone(["merge", files["shard-2"]!, files["shard-1"]!, "--json", out("merged.json"),
                                          "--junit", out("junit.xml"), "--markdown", out("matrix.md"), "--html", out("matrix.html")])
        #expect(r.status == 0, "\(r.stderr)")
        let merged = try ReportFile.read(out("merged.json"))
        #expect(MergeTests.essence(merged) == MergeTests.essence(whole))
        #expect(merged.shard == nil)
        let junit = try Data(contentsOf: URL(fileURLWithPath: out("junit.xml")))
        for schema in ["junit-10", "jenkins-junit"] {
            #expect(try XMLSchemaValidation.errors(junit, schema: XMLSchemaValidation.schemaURL(schema)).isEmpty)
        }
        #expect(try String(contentsOfFile: out("matrix.html"), encoding: .utf8).contains("<table class=\"matrix\""))
        #expect(try String(contentsOfFile: out("matrix.md"), encoding: .utf8).contains("| **Streaming** |"))

        // JUnit read against expectations.
        let expect = dir.appendingPathComponent("expect.yaml")
        try Data("targets:\n  ollama:\n    features:\n      chat.n: supported\n".utf8).write(to: expect)
        let withExpect = try await cli.touchstone(["merge", files["shard-1"]!, files["shard-2"]!, "--json", out("m2.json"),
                                                   "--junit", out("expect.xml"), "--expect", expect.path])
        #expect(withExpect.status == 0, "\(withExpect.stderr)")
        #expect(try String(contentsOfFile: out("expect.xml"), encoding: .utf8).contains("message=\"ignored, expected supported (\(expect.path):4)"))
        let badExpect = try await cli.touchstone(["merge", files["shard-1"]!, "--json", out("m3.json"), "--expect", out("matrix.md")])
        #expect(badExpect.status == 2 && badExpect.stderr.contains("matrix.md"))

        // One shard only: merged with a warning; the same shard twice: refused.
        let one = try await cli.touchstone(["merge", files["shard-1"]!, "--json", out("one.json")])
        #expect(one.status == 0 && one.stderr.contains("2/2 not given"))
        let twice = try await cli.touchstone(["merge", files["shard-1"]!, files["shard-1"]!, "--json", out("twice.json")])
        #expect(twice.status == 2 && twice.stderr.contains("given twice"))
        #expect(!FileManager.default.fileExists(atPath: out("twice.json")))
        #expect(try await cli.touchstone(["merge", "--json", out("x.json")]).status == 2)
    }

    @Test func presetsInEveryFormat() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.write(["emu": try await EmulatorReports.report(["reference", "ollama"])], in: dir)
        let yaml = try await cli.touchstone(["presets", files["emu"]!])
        #expect(yaml.status == 0 && yaml.stdout.contains("schema: touchstone.presets/v1"), "\(yaml.stderr)")
        let json = try await cli.touchstone(["presets", files["emu"]!, "--format", "json"])
        let doc = try JSONDecoder().decode(PresetDocument.self, from: Data(json.stdout.utf8))
        #expect(doc.upstreams.map(\.name) == ["reference", "ollama"])
        #expect(doc.upstreams[0].provenance.report == files["emu"])
        let out = dir.appendingPathComponent("litellm.yaml").path
        let lite = try await cli.touchstone(["presets", files["emu"]!, "--format", "litellm", "--api-key-env", "reference=REF_KEY", "-o", out])
        #expect(lite.status == 0 && lite.stdout.isEmpty)
        let config = try #require(try Yams.load(yaml: String(contentsOfFile: out, encoding: .utf8)) as? [String: Any])
        let list = try #require(config["model_list"] as? [[String: Any]])
        #expect(list.contains { ($0["litellm_params"] as? [String: Any])?["api_key"] as? String == "os.environ/REF_KEY" })

        #expect(try await cli.touchstone(["presets", files["emu"]!, "--format", "toml"]).status == 2)
        #expect(try await cli.touchstone(["presets", files["emu"]!, "--api-key-env", "not a var"]).status == 2)
        #expect(try await cli.touchstone(["presets", files["emu"]!, files["emu"]!]).status == 2, "repeated target names")
        #expect(try await cli.touchstone(["presets", dir.appendingPathComponent("missing.json").path]).status == 2)
    }
}
