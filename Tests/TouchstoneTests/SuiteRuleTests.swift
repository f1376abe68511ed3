import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// A case's `rule:` (its rule in words) is checked against its verdict rules when it loads.
@Suite("Suite rules in words")
struct SuiteRuleTests {
    func errors(_ text: String) -> [SuiteError] {
        SuiteText.errors(text, file: "rules.yaml")
    }

    @Test func aCaseThatDecidesAFeatureWithoutARuleIsAnErrorAtItsLine() {
        let e = errors("""
        cases:
          - feature: a.fine
            rule: {sends: "`GET /x`.", supported: a 2xx.}
            steps: [{id: s, request: {path: /x}}]
            verdicts: [{verdict: supported, detail: ok}]
          - feature: a.silent
            steps: [{id: s, request: {path: /x}}]
            verdicts: [{verdict: supported, detail: ok}]
        """)
        #expect(e.count == 1, "\(e)")
        #expect(e.first?.location.file == "rules.yaml" && e.first?.location.line == 6, "\(e)")
        #expect(e.first?.message.contains("`a.silent` decides a feature but has no `rule:`") == true, "\(e)")
    }

    @Test func theRuleNamesEveryVerdictTheCaseGivesAndNoOther() {
        let e = errors("""
        cases:
          - feature: a.b
            rule:
              sends: "`GET /x`."
              supported: a 2xx.
              ignored: never given by the rules below.
              untested: always allowed (prerequisites, cut bodies).
            steps: [{id: s, request: {path: /x}}]
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: ok
              - verdict: broken
                detail: no
        """)
        let messages = e.map(\.message)
        #expect(e.count == 2, "\(e)")
        #expect(messages.contains { $0.contains("does not say when it is `broken`") })
        #expect(e.contains { $0.message.contains("`rule.ignored` describes a verdict no rule of `a.b` gives") && $0.location.line == 6 })
    }

    @Test func ruleKeysAreCheckedLikeEveryOtherKey() {
        let e = errors("""
        cases:
          - feature: a.b
            rule: {sendz: x, supported: x}
            verdicts: [{verdict: supported, detail: ok}]
          - feature: a.c
            rule: just words
            verdicts: [{verdict: supported, detail: ok}]
        """)
        #expect(e.contains { $0.message.contains("unknown key `sendz`") && $0.message.contains("did you mean `sends`") && $0.location.line == 3 }, "\(e)")
        #expect(e.contains { $0.message.contains("`rule` needs `sends`") && $0.location.line == 3 }, "\(e)")
        #expect(e.contains { $0.message.contains("`rule` must be a mapping") && $0.location.line == 6 }, "\(e)")
    }

    @Test func quirkOnlyCasesSayWhatTheyRecord() {
        let e = errors("""
        cases:
          - id: quirks.a
            rule: {sends: x, supported: x}
            steps: [{id: s, request: {path: /x}}]
            verdicts: [{verdict: untested, detail: quirk only}]
            quirks: [{when: {status: 2xx}, set: {a: yes}}]
          - id: quirks.b
            steps: [{id: s, request: {path: /x}}]
            verdicts: [{verdict: untested, detail: quirk only}]
        """)
        #expect(e.count == 2, "\(e)")
        #expect(e.contains { $0.message.contains("quirk-only case `quirks.a` gives no verdict") })
        #expect(e.contains { $0.message.contains("needs `records:`") && $0.location.line == 3 })
    }

    @Test func theRuleIsKeptAsWritten() throws {
        let suite = try SuiteLoader.load(text: """
        cases:
          - feature: a.b
            rule:
              sends: >-
                `GET /x`, folded
                over two lines.
              supported: a 2xx.
              broken: anything else.
            steps: [{id: s, request: {path: /x}}]
            verdicts:
              - when: {status: 2xx}
                verdict: supported
                detail: ok
              - verdict: broken
                detail: no
        """, file: "ok.yaml")
        let rule = try #require(suite.cases.first?.rule)
        #expect(rule.sends == "`GET /x`, folded over two lines.")
        #expect(rule.verdicts == [.supported: "a 2xx.", .broken: "anything else."])
        #expect(rule.location.line == 4)
    }
}
