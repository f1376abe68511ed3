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
        SuiteText.errors(text, file: "bad.yaml")
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
            rule: {sends: x, supported: x}
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
            rule: {sends: x, supported: x, broken: x}
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
            rule: {sends: x, supported: x}
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
            rule: {sends: x, supported: x}
          - feature: a.two
            requires: [a.one]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
          - feature: a.four
            requires: [a.tow]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
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
            rule: {sends: x, supported: x}
          - feature: a.two
            requires: [a.one]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
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
            rule: {sends: x, supported: x, broken: x}
          - feature: a.c
            steps: [{id: s, request: {path: /x, body: {<<: *b, n: 2}}}]
            verdicts: *rules
            rule: {sends: x, supported: x, broken: x}
        """, file: "ok.yaml")
        #expect(suite.cases.count == 2)
        #expect(suite.cases[1].verdicts.count == 2)
        #expect(suite.cases[1].steps[0].variants[0].request.body == ["model": "m", "n": 2])
    }

    // MARK: - References checked at load time (issue 7): each error names file, line and a fix.

    /// Loads several files' texts as one set and returns the errors.
    func setErrors(_ files: [(String, String)]) -> [SuiteError] {
        SuiteText.errors { _ = try SuiteLoader.load(sources: files.map { (text: $0.1, file: $0.0) }) }
    }

    @Test func unknownVariablesInRequestsAreRejected() {
        let e = setErrors([("v.yaml", """
        cases:
          - feature: a.b
            steps:
              - id: first
                request: {path: /x, body: {model: "${modle}", stop: ["${piece}"]}}
                capture: {piece: {path: "$.body.x"}}
              - id: second
                request:
                  path: /y/${piece}
                  headers: {X-Thing: "${nope}"}
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)])
        #expect(e.contains { $0.message.contains("unknown variable `${modle}`") && $0.message.contains("did you mean `model`")
            && $0.location == SourceLocation(file: "v.yaml", line: 5, column: 18) }, "\(e)")
        // Captured by this very step: not set yet when it is sent.
        #expect(e.contains { $0.message.contains("`${piece}`") && $0.message.contains("captured by a later step") && $0.location.line == 5 })
        #expect(e.contains { $0.message.contains("unknown variable `${nope}`") && $0.location.line == 9 })
        // `${piece}` in the second step is fine: the first step captured it.
        #expect(!e.contains { $0.message.contains("`${piece}`") && $0.location.line == 9 })
        #expect(e.count == 3, "\(e)")
    }

    @Test func unknownVariablesReachedThroughExtendsAreRejected() {
        let e = setErrors([("x.yaml", """
        cases:
          - feature: a.base
            steps:
              - id: s
                request: {path: /x, body: {stop: ["${piece}"]}}
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
          - feature: a.child
            steps:
              - id: t
                request: {extends: a.base/s, merge: {n: 1}}
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)])
        #expect(e.contains { $0.message.contains("`${piece}` in step `t` of `a.child` (through `extends: a.base/s`)") && $0.location.line == 11 })
    }

    @Test func unknownVariablesInDetailsChecksAndQuirksAreRejected() {
        let e = setErrors([("bad.yaml", """
        cases:
          - feature: a.b
            steps: [{id: control, request: {path: /x}, capture: {piece: {path: "$.body"}}}]
            verdicts:
              - when: {check: {name: stop_honoured, control: control, piece: "${peice}"}}
                verdict: supported
                detail: "${control.status} ${control.summary} ${piece} ${message}"
              - verdict: broken
                detail: "${sumary} ${probe.status}"
                quirks: {some_quirk: "${failur}"}
            rule: {sends: x, supported: x, broken: x}
        """)])
        let m = e.map(\.message)
        #expect(m.contains { $0.contains("`${peice}` in argument `piece` of check `stop_honoured`") && $0.contains("did you mean `piece`") })
        #expect(m.contains { $0.contains("`${sumary}` in the detail") && $0.contains("did you mean `summary`") })
        #expect(m.contains { $0.contains("`${probe.status}` in the detail") })
        #expect(m.contains { $0.contains("`${failur}` in the quirk `some_quirk`") && $0.contains("did you mean `failure`") })
        #expect(!m.contains { $0.hasPrefix("unknown variable `${control.status}`") || $0.hasPrefix("unknown variable `${message}`")
            || $0.hasPrefix("unknown variable `${piece}`") }, "\(m)")
        // Check arguments see the built-in variables and the captures, not the detail-only names.
        #expect(m.contains { $0.contains("`${peice}`") && $0.hasSuffix("known here: ${base_url}, ${bogus_key}, ${embedding_model}, ${model}, ${piece}, ${target}") }, "\(m)")
        #expect(e.allSatisfy { $0.location.line >= 5 })
    }

    @Test func unknownRequiredVariablesAndStepsInConditionsAreRejected() {
        let vars = setErrors([("vars.yaml", """
        cases:
          - feature: a.b
            requires_vars: [embeding_model]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)])
        #expect(vars.count == 1)
        #expect(vars.contains { $0.message.contains("unknown variable `embeding_model`") && $0.message.contains("did you mean `embedding_model`")
            && $0.location.line == 2 }, "\(vars)")
        let e = setErrors([("bad.yaml", """
        cases:
          - feature: a.b
            steps:
              - id: first
                if: {step: second, status: 2xx}
                request: {path: /x}
              - id: second
                if: {step: first, status: 2xx}
                request: {path: /y}
            verdicts:
              - when: {step: thrid, status: 2xx}
                verdict: supported
                detail: ok
              - verdict: broken
                detail: no
            rule: {sends: x, supported: x, broken: x}
        """)])
        // A step's `if:` may name only earlier steps.
        #expect(e.contains { $0.message.contains("unknown step `second`") && $0.location.line == 5 })
        #expect(!e.contains { $0.message.contains("unknown step `first`") })
        #expect(e.contains { $0.message.contains("unknown step `thrid`") && $0.message.contains("known here: first, second")
            && $0.location.line == 11 })
        #expect(e.count == 2, "\(e)")
    }

    @Test func unknownFeaturesInConditionsAreRejected() {
        let e = setErrors([("f.yaml", """
        cases:
          - feature: a.b
            steps: [{id: s, request: {path: /x}}]
            verdicts:
              - when: {feature: {a.cc: supported}}
                verdict: supported
                detail: ok
              - verdict: broken
                detail: no
            rule: {sends: x, supported: x, broken: x}
          - feature: a.c
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)])
        #expect(e.contains { $0.message.contains("unknown feature `a.cc`") && $0.message.contains("did you mean `a.c`") && $0.location.line == 2 })
    }

    @Test func extendsCyclesAreRejected() {
        let e = setErrors([("c.yaml", """
        cases:
          - feature: a.one
            steps: [{id: s, request: {extends: a.two/s}}]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
          - feature: a.two
            steps: [{id: s, request: {extends: a.one/s}}]
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)])
        #expect(e.contains { $0.message.contains("`extends` cycle: a.two/s → a.one/s → a.two/s") && $0.location.line == 3 }, "\(e)")
    }

    /// `after:` is a wait too: a case that waits for everything, required by another case,
    /// would leave both waiting forever. Rejected at load time, across files.
    @Test func waitCyclesThroughAfterAreRejected() throws {
        let e = setErrors([
            ("one.yaml", """
            cases:
              - feature: a.summary
                after: ["*"]
                verdicts: [{verdict: supported, detail: ok}]
                rule: {sends: x, supported: x}
            """),
            ("two.yaml", """
            cases:
              - feature: b.uses
                requires: [a.summary]
                verdicts: [{verdict: supported, detail: ok}]
                rule: {sends: x, supported: x}
            """),
        ])
        #expect(e.count == 1)
        #expect(e.first?.message.contains("prerequisite cycle") == true && e.first?.message.contains("after:") == true, "\(e)")
        #expect(e.first?.location.file == "one.yaml" || e.first?.location.file == "two.yaml")
        #expect((e.first?.location.line ?? 0) == 2)
        // The same files without the link load.
        let ok = try SuiteLoader.load(sources: [
            (text: "cases:\n  - feature: a.summary\n    after: [\"*\"]\n    verdicts: [{verdict: supported, detail: ok}]\n    rule: {sends: x, supported: x}\n", file: "one.yaml"),
            (text: "cases:\n  - feature: b.uses\n    verdicts: [{verdict: supported, detail: ok}]\n    rule: {sends: x, supported: x}\n", file: "two.yaml"),
        ])
        #expect(ok.count == 2)
    }

    /// Every built-in suite file still loads on its own terms and as a set: the new checks
    /// reject nothing that works.
    @Test func builtinSuitesPassTheReferenceChecks() throws {
        let suites = try SuiteLoader.load(directory: Paths.suites)
        #expect(SuiteReferences.errors(suites.flatMap(\.cases)).isEmpty)
        #expect(SuiteReferences.waitCycle(suites.flatMap(\.cases)) == nil)
    }
}
