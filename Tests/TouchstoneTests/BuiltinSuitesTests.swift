import Foundation
import Testing
import TouchstoneKit

/// The suites compiled into the binary are exactly the files under suites/.
@Suite("Built-in suites")
struct BuiltinSuitesTests {
    @Test func generatedFileMatchesTheSuitesFolder() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Paths.suites)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        #expect(BuiltinSuites.files.map(\.name) == names,
                "run python3 scripts/embed-suites.py: the built-in suites are stale")
        for file in BuiltinSuites.files {
            var text = try String(contentsOfFile: Paths.suites + "/" + file.name, encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            #expect(file.text == text, "\(file.name) differs from its built-in copy: run python3 scripts/embed-suites.py")
        }
    }

    @Test func builtInSuitesLoadAsTheFolderDoes() throws {
        let builtin = try BuiltinSuites.load()
        let folder = try SuiteLoader.load(directory: Paths.suites)
        #expect(builtin.map(\.name) == folder.map(\.name))
        #expect(builtin.flatMap(\.cases).map(\.id) == folder.flatMap(\.cases).map(\.id))
    }

    @Test func aFolderAddsSuitesAndReplacesOnlyTheOnesItNames() throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let extra = """
        suite: mine
        cases:
          - feature: mine.models
            steps:
              - id: list
                request: {extends: models.list/list}
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: listed
              - verdict: broken
                detail: "${summary}"
            rule: {sends: x, supported: x, broken: x}
        """
        try extra.write(to: dir.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        let added = try BuiltinSuites.load(adding: dir.path)
        #expect(added.count == BuiltinSuites.files.count + 1)
        #expect(added.contains { $0.name == "mine" } && added.contains { $0.name == "chat" })

        // A file naming a built-in suite replaces it (and only it).
        let embeddings = """
        suite: embeddings
        cases:
          - feature: embeddings.basic
            steps:
              - id: one
                request: {path: /embeddings, body: {model: "${model}", input: hi}}
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: listed
              - verdict: broken
                detail: "${summary}"
            rule: {sends: x, supported: x, broken: x}
        """
        try embeddings.write(to: dir.appendingPathComponent("embeddings.yaml"), atomically: true, encoding: .utf8)
        let replaced = try BuiltinSuites.load(adding: dir.path)
        #expect(replaced.count == BuiltinSuites.files.count + 1)
        let mine = try #require(replaced.first { $0.name == "embeddings" })
        #expect(mine.file.hasPrefix(dir.path) && mine.cases.map(\.feature) == ["embeddings.basic"])
        try FileManager.default.removeItem(at: dir.appendingPathComponent("embeddings.yaml"))

        // Only the folder's suites.
        do {
            _ = try BuiltinSuites.load(adding: dir.path, replacing: true)
            Issue.record("mine.yaml extends models.list/list, which is not loaded alone: expected an error")
        } catch let e as SuiteErrors {
            #expect(e.description.contains("models.list/list"), "\(e)")
        }
    }
}

extension BuiltinSuitesTests {
    /// Errors in one case never hide the errors of the others, nor those found across files.
    @Test func validationReportsEveryErrorInOnePass() throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = """
        suite: mine
        cases:
          - feature: mine.one
            stepz: []
            verdicts:
              - verdict: supported
                detail: x
            rule: {sends: x, supported: x}
          - feature: mine.two
            steps:
              - id: a
                request: {path: /models, method: GET}
            verdicts:
              - when: {check: no_such_check}
                verdict: supported
                detail: x
              - verdict: broken
                detail: x
            rule: {sends: x, supported: x, broken: x}
          - feature: mine.three
            steps:
              - id: a
                request: {path: "/x/${nope}", method: GET}
            verdicts:
              - verdict: supported
                detail: "${alsonope}"
            rule: {sends: x, supported: x}
        """
        try text.write(to: dir.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try BuiltinSuites.load(adding: dir.path)
            Issue.record("expected errors")
        } catch let e as SuiteErrors {
            let all = e.description
            for needle in ["`stepz`", "`no_such_check`", "`${nope}`", "`${alsonope}`"] {
                #expect(all.contains(needle), "\(needle) missing from: \(all)")
            }
        }
    }
}
