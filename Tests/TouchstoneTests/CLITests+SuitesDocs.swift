import Foundation
import Testing

/// `touchstone suites docs`: the feature reference, as docs/features.md holds it.
extension CLITests {
    @Test func suitesDocsPrintsTheCheckedInReference() async throws {
        let r = try await touchstone(["suites", "docs"])
        #expect(r.status == 0, "\(r.stderr)")
        let file = try String(contentsOf: Paths.root.appendingPathComponent("docs/features.md"), encoding: .utf8)
        #expect(r.stdout == file, "docs/features.md is stale: \(FeatureReferenceTests.regenerate)")
    }

    @Test func suitesDocsWritesTheOutputFileAndAddsAFoldersCases() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        cases:
          - feature: mine.models
            title: My model list
            rule: {sends: "`GET /models` once more.", supported: a 2xx of any shape., broken: anything else.}
            steps: [{id: list, request: {extends: models.list/list}}]
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: listed
              - verdict: broken
                detail: "${summary}"
        """.write(to: dir.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        // An output in a folder that does not exist is a usage error, as for every report.
        let missing = try await touchstone(["suites", "docs", "--output", dir.appendingPathComponent("no/f.md").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such directory"), "\(missing.stderr)")
        let out = dir.appendingPathComponent("features.md").path
        let r = try await touchstone(["suites", "docs", "--suites", dir.path, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\n## Other features\n\n### `mine.models`\n\n**My model list** · `GET /models` · suite `mine`"), "\(text)")
        #expect(text.contains("- **supported**: a 2xx of any shape."))
        #expect(text.contains("Starts from the requests of [`models.list`](#modelslist)."))
        #expect(text.contains("\n### `chat.basic`\n"), "the built-in features stay")
    }

    @Test func suitesDocsRefusesAnInvalidFolderBeforeWriting() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "cases:\n  - feature: x.y\n    verdicts:\n      - verdict: supported\n        detail: d\n"
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("features.md").path
        let r = try await touchstone(["suites", "docs", "--suites", dir.path, "--output", out])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yaml:2:") && r.stderr.contains("has no `rule:`"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let help = try await touchstone(["suites", "docs", "--help"], environment: ["COLUMNS": "200"])
        #expect(help.status == 0 && help.stdout.contains("--output"))
        let prose = help.stdout.split(separator: "\n").prefix { !$0.hasPrefix("OPTIONS:") }
        #expect(prose.allSatisfy { $0.count <= 80 || $0.hasPrefix("OVERVIEW:") }, "\(help.stdout)")
    }
}
