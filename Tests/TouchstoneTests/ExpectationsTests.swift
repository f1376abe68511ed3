import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneReports

/// Expectations files, baselines, and how CI reads verdicts against them.
@Suite("Expectations")
struct ExpectationsTests {
    static func result(_ v: Verdict, _ detail: String = "d") -> FeatureResult {
        FeatureResult(verdict: v, detail: detail, suite: "s", caseID: "c")
    }

    static let file = """
    # what our gateway needs
    schema: touchstone.expectations/v1
    targets:
      '*':
        features:
          '*': unsupported
          chat.basic: supported
      ollama:
        features:
          'stream.*': supported
          tools.parallel: [supported, ignored]
      'vllm-*':
        features:
          'tool_choice.*': supported
    """

    @Test func mostSpecificRuleWins() throws {
        let e = try Expectations.parse(Self.file, file: "expect.yaml")
        func rule(_ t: String, _ f: String) -> String? { e.rule(target: t, feature: f).map { "\($0.target) \($0.feature)" } }
        #expect(rule("anything", "chat.basic") == "* chat.basic")        // exact feature beats '*'
        #expect(rule("anything", "chat.n") == "* *")
        #expect(rule("ollama", "stream.basic") == "ollama stream.*")      // the target's own block first
        #expect(rule("ollama", "chat.basic") == "* chat.basic")           // falls back to the defaults
        #expect(rule("vllm-a", "tool_choice.named") == "vllm-* tool_choice.*")
        #expect(e.rule(target: "ollama", feature: "stream.basic")?.origin == "expect.yaml:10")
    }

    @Test func outcomesAgainstExpectations() throws {
        let e = try Expectations.parse(Self.file, file: "expect.yaml")
        // Minimum: equal or better passes (supported) or is skipped (as expected); worse fails.
        #expect(e.outcome(target: "x", feature: "chat.basic", result: Self.result(.supported)) == .passed)
        #expect(e.outcome(target: "x", feature: "chat.basic", result: Self.result(.unsupported)) == .failed)
        #expect(e.outcome(target: "x", feature: "chat.n", result: Self.result(.unsupported)) == .skipped)
        #expect(e.outcome(target: "x", feature: "chat.n", result: Self.result(.untested)) == .failed)
        #expect(e.outcome(target: "x", feature: "chat.n", result: Self.result(.ignored)) == .failed)
        // An allowed set: ignored is fine for the model-dependent feature, broken and unsupported are not.
        #expect(e.outcome(target: "ollama", feature: "tools.parallel", result: Self.result(.ignored)) == .skipped)
        #expect(e.outcome(target: "ollama", feature: "tools.parallel", result: Self.result(.supported)) == .passed)
        #expect(e.outcome(target: "ollama", feature: "tools.parallel", result: Self.result(.unsupported)) == .failed)
        // No rule: the documented defaults.
        let none = Expectations()
        #expect(none.outcome(target: "x", feature: "f", result: Self.result(.supported)) == .passed)
        #expect(none.outcome(target: "x", feature: "f", result: Self.result(.unsupported)) == .skipped)
        #expect(none.outcome(target: "x", feature: "f", result: Self.result(.untested)) == .skipped)
        #expect(none.outcome(target: "x", feature: "f", result: Self.result(.ignored)) == .failed)
        #expect(none.outcome(target: "x", feature: "f", result: Self.result(.broken)) == .failed)
    }

    @Test func failuresNameTargetFeatureExpectedAndActual() throws {
        let e = try Expectations.parse(Self.file, file: "expect.yaml")
        let report = Report(tool: ToolInfo(version: "t"), startedAt: "s", finishedAt: "f", targets: [
            TargetReport(name: "ollama", baseURL: "http://h/v1", model: "m", embeddingModel: nil, features: [
                "chat.basic": Self.result(.supported),
                "stream.basic": Self.result(.broken, "500 mid-stream"),
                "tools.parallel": Self.result(.ignored),
            ], quirks: [:], stats: TargetStats()),
        ])
        let failures = e.failures(in: report)
        #expect(failures == [ExpectationFailure(target: "ollama", feature: "stream.basic", expected: [.supported],
                                                actual: .broken, detail: "500 mid-stream", origin: "expect.yaml:10")])
        #expect(failures[0].description == "ollama stream.basic: broken, expected supported (expect.yaml:10)")
    }

    @Test func jsonFilesReadTheSame() throws {
        let json = #"{"targets": {"*": {"features": {"chat.basic": "supported", "tools.parallel": ["supported", "ignored"]}}}}"#
        let e = try Expectations.parse(json, file: "expect.json")
        #expect(e.rules.count == 2)
        #expect(e.rule(target: "t", feature: "tools.parallel")?.expectation == .oneOf([.supported, .ignored]))
    }

    @Test func everyProblemIsReportedWithItsLineAndAFix() throws {
        let bad = """
        targets:
          ollama:
            features:
              chat.basic: maybe
              tools.parallel: []
              stream.basic: [supported, sometimes]
              'bad feature!': supported
            feature: {}
          vllm: supported
        extra: 1
        """
        let error = #expect(throws: ExpectationsError.self) { try Expectations.parse(bad, file: "e.yaml") }
        let text = error?.description ?? ""
        #expect(text.contains("e.yaml:4:") && text.contains("unknown verdict `maybe`") && text.contains("use supported, unsupported"))
        #expect(text.contains("e.yaml:5:") && text.contains("empty list"))
        #expect(text.contains("e.yaml:6:") && text.contains("`sometimes`"))
        #expect(text.contains("e.yaml:7:") && text.contains("not a feature id"))
        #expect(text.contains("e.yaml:8:") && text.contains("unknown key `feature`"))
        #expect(text.contains("e.yaml:9:") && text.contains("must be a mapping"))
        #expect(text.contains("e.yaml:10:") && text.contains("unknown key `extra`"))
        #expect(error?.problems.count == 7)

        let syntax = #expect(throws: ExpectationsError.self) { try Expectations.parse("targets:\n  a: [unclosed\n", file: "s.yaml") }
        #expect(syntax?.description.contains("s.yaml:") == true && syntax?.description.contains("invalid YAML") == true)
        let empty = #expect(throws: ExpectationsError.self) { try Expectations.parse("", file: "empty.yaml") }
        #expect(empty?.description.contains("targets") == true)
        let dup = #expect(throws: ExpectationsError.self) {
            try Expectations.parse("targets:\n  a: {features: {x.y: supported}}\n  a: {features: {}}\n", file: "d.yaml")
        }
        #expect(dup?.description.contains("d.yaml:2:") == true && dup?.description.contains("duplicate key `a`") == true,
                "\(dup?.description ?? "")")
        let missing = #expect(throws: ExpectationsError.self) { try Expectations.load(file: "/nonexistent/expect.yaml") }
        #expect(missing?.description.contains("/nonexistent/expect.yaml") == true)
    }

    @Test func aBaselineMakesEachPreviousVerdictTheMinimum() async throws {
        let old = try await EmulatorReports.report(["ollama"])
        let baseline = Expectations.baseline(old)
        #expect(baseline.failures(in: old).isEmpty, "a report always meets its own baseline")
        var worse = old
        worse.targets[0].features["chat.basic"]!.verdict = .broken
        worse.targets[0].features["chat.n"]!.verdict = .supported  // better is fine
        let failures = baseline.failures(in: worse)
        #expect(failures.map(\.feature) == ["chat.basic"])
        #expect(failures.first?.expected == [.supported])
        #expect(baseline.outcome(target: "ollama", feature: "chat.n", result: old.targets[0].features["chat.n"]!) == .skipped,
                "ignored as before is not a failure against a baseline")
    }

    @Test func junitAgainstExpectationsValidatesAndNamesTheExpectation() async throws {
        let report = try await EmulatorReports.report(["ollama"])
        let e = try Expectations.parse("""
        targets:
          ollama:
            features:
              chat.n: supported
              'tools.*': [supported, ignored]
        """, file: "ci/expect.yaml")
        let data = try JUnitWriter.data(report, hostname: "ci", expectations: e)
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(data, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors)")
        }
        let root = try XMLSchemaValidation.tree(data)
        let cases = root.all("testsuite").flatMap { $0.all("testcase") }
        let chatN = try #require(cases.first { $0["name"] == "chat.n" })
        let failure = try #require(chatN.first("failure"))
        #expect(failure["message"]?.hasPrefix("ignored, expected supported (ci/expect.yaml:4)") == true, "\(failure["message"] ?? "")")
        let failed = cases.filter { $0.first("failure") != nil }.map { $0["name"]! }
        #expect(Set(failed) == Set(e.failures(in: report).map(\.feature)).union(
            report.targets[0].features.filter { e.rule(target: "ollama", feature: $0.key) == nil && $0.value.verdict.outcome == .failed }.map(\.key)))
    }
}
