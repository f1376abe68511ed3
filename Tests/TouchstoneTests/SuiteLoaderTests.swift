import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

@Suite("Suite loader")
struct SuiteLoaderTests {
    @Test func builtinSuitesLoadAndCoverTheTaxonomy() throws {
        let suites = try SuiteLoader.load(directory: Paths.suites)
        let features = Set(suites.flatMap(\.cases).compactMap(\.feature))
        #expect(features == Set(FeatureCatalog.ids), "missing: \(Set(FeatureCatalog.ids).subtracting(features).sorted())")
    }

    /// Loads `text` as a suite file and returns the errors it reports.
    func errors(_ text: String) -> [SuiteError] {
        do {
            _ = try SuiteLoader.load(text: text, file: "bad.yaml")
            return []
        } catch let e as SuiteErrors {
            return e.errors
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func invalidYAMLNamesLine() {
        let e = errors("suite: x\ncases:\n  - feature: a.b\n    steps: [\n")
        #expect(e.count == 1)
        #expect(e.first?.location.file == "bad.yaml")
        #expect((e.first?.location.line ?? 0) >= 4)
        #expect(e.first?.message.contains("invalid YAML") == true)
    }

    @Test func unknownKeySuggestsTheRightOne() {
        let e = errors("""
        cases:
          - feature: a.b
            stepz: []
            verdicts:
              - verdict: supported
                detail: ok
        """)
        #expect(e.contains { $0.message.contains("unknown key `stepz`") && $0.message.contains("did you mean `steps`") && $0.location.line == 3 })
    }

    @Test func wrongTypesUnknownChecksAndVerdicts() {
        let e = errors("""
        cases:
          - feature: a.b
            steps:
              - id: s
                request: {path: /x, method: FETCH}
            verdicts:
              - when: {status: 2xx, check: chat_completoin}
                verdict: supported
                detail: ok
              - when: {status: banana}
                verdict: sort-of
                detail: ok
              - verdict: broken
                detail: no
        """)
        let messages = e.map(\.message)
        #expect(messages.contains { $0.contains("unknown HTTP method `FETCH`") })
        #expect(messages.contains { $0.contains("unknown check `chat_completoin`") && $0.contains("did you mean `chat_completion`") })
        #expect(messages.contains { $0.contains("status must be") })
        #expect(messages.contains { $0.contains("unknown verdict `sort-of`") })
        #expect(e.allSatisfy { $0.location.line > 0 })
    }

    @Test func lastRuleMustBeUnconditional() {
        let e = errors("""
        cases:
          - feature: a.b
            steps: [{id: s, request: {path: /x}}]
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: ok
        """)
        #expect(e.contains { $0.message.contains("must have no `when:`") && $0.location.line == 5 })
    }

    @Test func crossFileErrors() throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        cases:
          - feature: a.one
            requires: [a.two]
            steps: [{id: s, request: {extends: a.three/s}}]
            verdicts: [{verdict: supported, detail: ok}]
          - feature: a.two
            requires: [a.one]
            verdicts: [{verdict: supported, detail: ok}]
          - feature: a.four
            requires: [a.tow]
            verdicts: [{verdict: supported, detail: ok}]
        """.write(to: dir.appendingPathComponent("x.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: SuiteErrors.self) { try SuiteLoader.load(directory: dir.path) }
        do {
            _ = try SuiteLoader.load(directory: dir.path)
        } catch let e as SuiteErrors {
            let m = e.errors.map(\.message)
            #expect(m.contains { $0.contains("`extends: a.three/s` names no step") })
            #expect(m.contains { $0.contains("unknown feature `a.tow`") && $0.contains("did you mean `a.two`") })
        }
        // With the typos fixed, the cycle remains and is reported.
        try """
        cases:
          - feature: a.one
            requires: [a.two]
            verdicts: [{verdict: supported, detail: ok}]
          - feature: a.two
            requires: [a.one]
            verdicts: [{verdict: supported, detail: ok}]
        """.write(to: dir.appendingPathComponent("x.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try SuiteLoader.load(directory: dir.path)
            Issue.record("a prerequisite cycle was accepted")
        } catch let e as SuiteErrors {
            #expect(e.errors.contains { $0.message.contains("prerequisite cycle") })
        }
    }

    @Test func anchorsAndMergeKeysResolve() throws {
        let suite = try SuiteLoader.load(text: """
        cases:
          - feature: a.b
            steps: [{id: s, request: {path: /x, body: &b {model: m, n: 1}}}]
            verdicts: &rules
              - when: {status: 2xx}
                verdict: supported
                detail: ok
              - verdict: broken
                detail: no
          - feature: a.c
            steps: [{id: s, request: {path: /x, body: {<<: *b, n: 2}}}]
            verdicts: *rules
        """, file: "ok.yaml")
        #expect(suite.cases.count == 2)
        #expect(suite.cases[1].verdicts.count == 2)
        #expect(suite.cases[1].steps[0].variants[0].request.body == ["model": "m", "n": 2])
    }
}
