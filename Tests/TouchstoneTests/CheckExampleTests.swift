import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// Every named check runs its own examples (part of its definition, listed in docs/checks.md):
/// the outcome and a piece of the message are as the example says.
@Suite("Check examples")
struct CheckExampleTests {
    /// One example of one check, named for the test report.
    struct Example: Sendable, CustomTestStringConvertible {
        let check: String
        let index: Int
        var example: CheckExample { BuiltinChecks.all[check]!.examples[index] }
        var testDescription: String { "\(check) #\(index + 1) (\(example.outcome.rawValue): \(example.message))" }
    }

    static let examples: [Example] = BuiltinChecks.all.keys.sorted().flatMap { name in
        BuiltinChecks.all[name]!.examples.indices.map { Example(check: name, index: $0) }
    }

    @Test(arguments: examples)
    func example(_ e: Example) {
        let check = BuiltinChecks.all[e.check]!
        let example = e.example
        let result = check.run(example.input())
        let outcome = CheckExample.outcome(of: result)
        #expect(outcome == example.outcome, "\(e.check): \(outcome.rawValue) with “\(result.message)”")
        #expect(result.message.contains(example.message), "\(e.check): the message is “\(result.message)”")
        for (key, value) in example.quirks {
            #expect(result.quirks[key] == value, "\(e.check): quirk \(key) is \(result.quirks[key].map { $0.serialized() } ?? "not recorded")")
        }
        // What a check records, it declares (the feature reference lists the quirks per check).
        #expect(Set(result.quirks.keys).isSubset(of: check.records), "\(e.check) records undeclared quirks \(result.quirks.keys.sorted())")
    }

    /// Each example is one a suite could write: the arguments are the check's, the required ones given.
    @Test(arguments: examples)
    func exampleArgumentsAreTheChecks(_ e: Example) {
        let check = BuiltinChecks.all[e.check]!
        let keys = Set(e.example.args.keys)
        #expect(keys.isSubset(of: check.arguments), "\(e.check) takes no \(keys.subtracting(check.arguments).sorted())")
        #expect(Set(check.requiredArguments).isSubset(of: keys), "\(e.check) needs \(check.requiredArguments)")
        // A JSON fixture is JSON: a typo would test "body is not JSON" by accident.
        for f in [e.example.exchange].compactMap({ $0 }) + Array(e.example.steps.values) + e.example.log
        where f.contentType == "application/json" {
            #expect((try? JSONParser.parse(f.body)) != nil, "\(e.check): fixture body is not JSON: \(f.body.prefix(80))")
        }
    }

    @Test func everyCheckHasAPassingAndAFailingExample() {
        #expect(BuiltinChecks.all.count >= 20)
        for (name, check) in BuiltinChecks.all.sorted(by: { $0.key < $1.key }) {
            let outcomes = Set(check.examples.map(\.outcome))
            #expect(outcomes.contains(.pass), "\(name) has no passing example")
            #expect(outcomes.contains(.fail), "\(name) has no failing example")
        }
        // Checks that parse JSON written inside an answer show what they do with too much of it.
        for name in ["json_content", "tool_calls", "responses_function_call"] {
            #expect(BuiltinChecks.all[name]!.examples.contains { $0.outcome == .undecided }, "\(name) has no undecided example")
        }
    }

    /// The fixtures go through the real parsers: a stream's events, violations and comments are
    /// what `SSEParser` makes of the text.
    @Test func streamFixturesAreParsedAsOnTheWire() {
        let ex = ExchangeFixture.stream([": keep-alive", #"{"a":1}"#, "error: overloaded", "[DONE]", "{}"]).exchange()
        let s = try! #require(ex.stream)
        #expect(s.comments == 1)
        #expect(s.sawDone && s.afterDone == 1)
        #expect(s.events.first?.json == ["a": 1])
        #expect(s.violations.map(\.kind).contains("error_field"))
        #expect(ex.contentType == "text/event-stream" && ex.json == nil)
        let cut = ExchangeFixture.chat().cut().exchange()
        #expect(cut.error == .reset && cut.json?["object"] == "chat.completion")
    }

    static let regenerate = "run `swift run touchstone suites checks > docs/checks.md`"

    @Test func checkedInChecksMdIsTheGeneratorsOutput() throws {
        let generated = CheckReference().markdown()
        let file = try String(contentsOf: Paths.root.appendingPathComponent("docs/checks.md"), encoding: .utf8)
        if file != generated {
            let a = file.split(separator: "\n", omittingEmptySubsequences: false)
            let b = generated.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("docs/checks.md is stale from line \(line + 1) (\(a.count) lines, generated \(b.count)): \(Self.regenerate)")
        }
    }

    /// The reference lists every check with its examples, and its links resolve.
    @Test func referenceListsEveryCheckAndItsExamples() throws {
        let markdown = CheckReference().markdown()
        for (name, check) in BuiltinChecks.all {
            #expect(markdown.contains("\n## `\(name)`\n"), "no section for \(name)")
            for e in check.examples { #expect(markdown.contains(e.message), "\(name): example “\(e.message)” not listed") }
        }
        let features = try String(contentsOf: Paths.root.appendingPathComponent("docs/features.md"), encoding: .utf8)
        for m in markdown.matches(of: /\(features\.md#([a-z_]+)\)/) {
            #expect(features.contains("\n### `\(m.1)`\n"), "docs/checks.md links to features.md#\(m.1), which has no such heading")
        }
        let suites = try String(contentsOf: Paths.root.appendingPathComponent("docs/suites.md"), encoding: .utf8)
        #expect(suites.contains("\n## Conditions (`when:`, `if:`)\n"), "docs/checks.md links to suites.md#conditions-when-if")
        #expect(suites.contains("(checks.md)"), "docs/suites.md does not link to docs/checks.md")
        for name in BuiltinChecks.all.keys { #expect(suites.contains("`\(name)`"), "docs/suites.md does not name \(name)") }
    }
}
