import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// `when:` (and a step's `if:`) conditions, read by the suite loader and evaluated over a case's
/// step outcomes, the features decided so far and the target's log.
@Suite("Evaluator")
struct EvaluatorTests {
    /// Steps `control` and `main` (the default), made from fixtures; `nil` for a step not sent.
    func evaluator(main: ExchangeFixture? = .chat(), control: ExchangeFixture? = .chat(),
                   features: [String: Verdict] = [:], log: [ExchangeFixture] = [],
                   variables: [String: JSONValue] = [:]) -> Evaluator {
        var outcomes: [String: StepOutcome] = [:]
        outcomes["main"] = main.map { .ran($0.exchange()) } ?? .skipped("the control failed")
        outcomes["control"] = control.map { .ran($0.exchange()) } ?? .skipped("needs the variable `model`")
        return Evaluator(outcomes: outcomes, defaultStep: "main", features: features, log: log.map { $0.exchange() },
                         variables: variables)
    }

    func holds(_ yaml: String, _ e: inout Evaluator) throws -> Bool {
        e.holds(try SuiteConditions.when(yaml))
    }

    @Test func status() throws {
        var e = evaluator()
        #expect(try holds("{status: 2xx}", &e))
        #expect(try holds("{status: 200}", &e))
        #expect(try holds("{status: [400, 2xx]}", &e))
        #expect(try !holds("{status: 4xx}", &e))
        #expect(e.failures.last == "HTTP 200, expected 4xx")
        #expect(try !holds("{status: [400, 5xx]}", &e))
        #expect(e.failures.last == "HTTP 200, expected 400 or 5xx")
        // A 2xx whose body broke is not a clean 2xx; a 4xx keeps its status.
        var cut = evaluator(main: ExchangeFixture.chat().cut())
        #expect(try !holds("{status: 2xx}", &cut))
        #expect(cut.failures.last == "connection reset after headers (HTTP 200, reset)")
        var refused = evaluator(main: ExchangeFixture.json(#"{"error":{"message":"no"}}"#, status: 400).cut())
        #expect(try holds("{status: 4xx}", &refused))
    }

    /// Expected values may name variables (captures, the target's): comparisons between steps
    /// are written in the suite, not in Swift.
    @Test func assertionsReadVariables() throws {
        let sameModel = #"{assert: [{path: $.body.model, equals: "${model}"}]}"#
        var e = evaluator(main: .json(#"{"model":"m-1","n":2}"#), variables: ["model": "m-1"])
        #expect(try holds(sameModel, &e))
        #expect(try holds(#"{assert: [{path: $.body.model, in: [x, "${model}"]}, {path: $.body.model, not_equals: "${target}"}]}"#, &e)
                == false, "`${target}` is not set here")
        #expect(e.failures.last == "`$.body.model`: `${target}` is not set")
        #expect(e.undecided == "`$.body.model`: `${target}` is not set", "a value not set decides nothing")
        var other = evaluator(main: .json(#"{"model":"m-2"}"#), variables: ["model": "m-1"])
        #expect(try !holds(sameModel, &other))
        #expect(other.failures.last == #"`$.body.model` is "m-2", expected "m-1""#)
        // An exact `${name}` keeps the value's type: 2 is not "2".
        var typed = evaluator(main: .json(#"{"model":2}"#), variables: ["model": 2])
        #expect(try holds(sameModel, &typed))
        var text = evaluator(main: .json(#"{"model":"2"}"#), variables: ["model": 2])
        #expect(try !holds(sameModel, &text))
        // A pattern is taken as written: a value never becomes a regular expression.
        var pattern = evaluator(main: .json(#"{"model":"${model}"}"#), variables: ["model": ".*"])
        #expect(try holds(#"{assert: [{path: $.body.model, matches: "^\\$\\{model\\}$"}]}"#, &pattern))
        // A name no step captures and the target does not set is a load error at its line.
        let suite = """
            cases:
              - feature: t.vars
                rule: {sends: "`GET /x`.", supported: when the id is the one captured., broken: otherwise.}
                steps:
                  - {id: first, request: {path: /x}, capture: {id: {path: $.body.id}}}
                  - {id: main, request: {path: /x}}
                verdicts:
                  - when: {assert: [{path: $.body.id, equals: "${id}"}, {path: $.body.x, in: ["${idd}"]}]}
                    verdict: supported
                    detail: ok
                  - verdict: broken
                    detail: "no"
            """
        #expect {
            _ = try SuiteLoader.load(sources: [(text: suite, file: "vars.yaml")])
        } throws: { error in
            let messages = (error as? SuiteErrors)?.errors.map { "\($0.location.line): \($0.message)" } ?? []
            return messages.count == 1 && messages[0].hasPrefix("8: unknown variable `${idd}` in the assertion on `$.body.x`")
        }
    }

    @Test func aStepNotSentHoldsNoStatusAndSaysWhy() throws {
        var e = evaluator(control: nil)
        #expect(try !holds("{step: control, status: 2xx}", &e))
        #expect(e.failures.last == "step `control` not sent: needs the variable `model`")
        #expect(try holds("{step: control, ran: false}", &e))
        #expect(try holds("{ran: true}", &e))
    }

    @Test func transportJSONAndContentType() throws {
        var e = evaluator()
        #expect(try holds("{transport: ok}", &e))
        #expect(try !holds("{transport: error}", &e))
        #expect(try holds("{json: true}", &e))
        #expect(try holds("{content_type: application/json}", &e))
        #expect(try !holds("{content_type: text/event-stream}", &e))
        var cut = evaluator(main: ExchangeFixture.chatStream().cut())
        #expect(try holds("{transport: error}", &cut))
        #expect(try holds("{transport: reset}", &cut))
        #expect(try !holds("{transport: timeout_idle}", &cut))
        #expect(try holds("{json: false, content_type: text/event-stream}", &cut))
    }

    @Test func checksCollectTheirMessagesAndFailures() throws {
        var e = evaluator(main: .chat("Hello there", usage: #"{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}"#))
        #expect(try holds("{check: [chat_completion, usage_consistent]}", &e))
        #expect(e.messages == ["chat.completion shape with finish_reason stop", "usage 5+2=7"])
        #expect(try holds("{fails: {name: content_contains, text: Paris}}", &e))
        #expect(e.failures.last == #"content does not contain "Paris""#)
        #expect(try !holds("{check: {name: content_contains, text: Paris}}", &e))
    }

    /// Check arguments take variables: `${word}` is the captured value, its type kept.
    @Test func checkArgumentsAreSubstituted() throws {
        var e = evaluator(variables: ["word": "there", "rows": 1])
        #expect(try holds("{check: {name: content_contains, text: \"${word}\"}}", &e))
        #expect(e.messages.last == #"content contains "there""#)
        var models = evaluator(main: .json(#"{"object":"list","data":[{"id":"m","context_length":4096}]}"#, path: "/models"),
                               variables: ["model": "m"])
        #expect(try holds("{check: {name: context_length, model: \"${model}\"}}", &models))
        #expect(models.quirks["context_length"] == 4096, "the quirks a check records are collected")
    }

    /// A failed check on a 2xx says what the exchange shows beyond the check's own message.
    @Test func failedChecksAreDiagnosed() throws {
        var inside = evaluator(main: .json(#"{"error":{"message":"model overloaded"}}"#))
        #expect(try !holds("{check: chat_completion}", &inside))
        #expect(inside.failures.last == "HTTP 200 with an error object inside (model overloaded): an error object inside a 2xx response")
        var text = evaluator(main: .text("Hello", status: 200))
        #expect(try !holds("{check: chat_completion}", &text))
        #expect(text.failures.last == "body is not JSON (content-type text/plain, expected application/json)")
    }

    @Test func anUndecidableCheckMakesTheCaseUndecided() throws {
        let huge = "[" + Array(repeating: "[]", count: 100_001).joined(separator: ",") + "]"
        var e = evaluator(main: .chat(huge))
        #expect(try !holds("{check: json_content}", &e))
        #expect(e.undecided?.contains("the message content is JSON holding") == true, "\(e.undecided ?? "nil")")
        // `fails:` of a check that did not decide is not a failure either: whatever it returns, the
        // evaluator keeps the reason, and the runner makes the feature `untested` with it.
        var other = evaluator(main: .chat(huge))
        _ = try holds("{fails: json_content}", &other)
        #expect(other.undecided?.contains("the message content is JSON holding") == true)
        #expect(other.messages.isEmpty)
    }

    @Test func assertionsReadTheStepDocument() throws {
        var e = evaluator(main: .chatStream(["Hel", "lo"]))
        #expect(try holds(#"{assert: [{path: $.stream.content, equals: Hello}, {path: $.stream.done, equals: true}]}"#, &e))
        #expect(try holds(#"{assert: [{path: $.stream.finish_reasons, equals: [stop]}, {path: $.stream.event_count, equals: 5}]}"#, &e))
        #expect(try !holds(#"{assert: [{path: $.status, equals: 200}, {path: "$.headers['content-type']", equals: application/json}]}"#, &e))
        #expect(e.failures.last == #"`$.headers['content-type']` is "text/event-stream", expected "application/json""#)
        var missing = evaluator(control: nil)
        #expect(try !holds("{step: control, assert: [{path: $.status, exists: true}]}", &missing))
        #expect(missing.failures.last == "step `control` not sent: needs the variable `model`")
    }

    /// Reading the body of an error response whose transfer broke: what it says is not judged.
    @Test func aCutErrorBodyIsNoted() throws {
        var e = evaluator(main: ExchangeFixture.json(#"{"error":{"message":"bad"}}"#, status: 400).cut())
        #expect(try holds("{status: 4xx}", &e))
        #expect(e.cutBody == nil, "the status alone reads no body")
        _ = try holds(#"{assert: [{path: $.body.error.message, equals: bad}]}"#, &e)
        #expect(e.cutBody?.contains("step `main` got HTTP 400 but its body was cut") == true, "\(e.cutBody ?? "nil")")
    }

    @Test func featuresAndCombinators() throws {
        var e = evaluator(features: ["chat.basic": .supported, "stream.basic": .broken])
        #expect(try holds("{feature: {chat.basic: supported}}", &e))
        #expect(try holds("{feature: {stream.basic: [broken, unsupported]}}", &e))
        #expect(try !holds("{feature: {stream.basic: supported}}", &e))
        #expect(try !holds("{feature: {chat.tools: supported}}", &e), "a feature not decided holds no verdict")
        #expect(try holds("{any: [{status: 4xx}, {status: 2xx}]}", &e))
        #expect(try !holds("{all: [{status: 2xx}, {status: 4xx}]}", &e))
        #expect(try holds("{not: {status: 4xx}}", &e))
        #expect(try !holds("{not: {any: [{status: 2xx}, {json: false}]}}", &e))
    }

    /// `step:` names the step for the other keys and the nested conditions.
    @Test func stepIsInheritedByNestedConditions() throws {
        var e = evaluator(main: .json(#"{"error":{"message":"no"}}"#, status: 400), control: .chat())
        #expect(try holds("{step: control, all: [{status: 2xx}, {check: chat_completion}]}", &e))
        #expect(try holds("{status: 4xx, any: [{step: control, status: 2xx}]}", &e))
        #expect(try !holds("{step: control, not: {status: 2xx}}", &e))
    }

    /// A step's `if:` is a condition over the steps before it, evaluated the same way.
    @Test func aStepsIfCondition() throws {
        let suite = try SuiteConditions.suite(when: "{status: 2xx}")
        let runIf = try #require(suite.cases[0].steps.first { $0.id == "main" }?.runIf)
        var sent = evaluator(control: .chat())
        let sends = sent.holds(runIf)
        #expect(sends)
        var refused = evaluator(control: .json(#"{"error":{"message":"no"}}"#, status: 404))
        let refusedSends = refused.holds(runIf)
        #expect(!refusedSends)
        #expect(refused.failures.last == "HTTP 404: no, expected 2xx")
    }

    /// Checks of a case without steps read the target's log.
    @Test func checksWithoutAStepReadTheLog() throws {
        let errorsSeen = try #require(try SuiteLoader.load(text: """
            cases:
              - feature: t.errors
                rule: {sends: nothing of its own., supported: OpenAI-shaped errors., broken: others.}
                verdicts:
                  - when: {check: error_envelope}
                    verdict: supported
                    detail: "${message}"
                  - verdict: broken
                    detail: "${failure}"
            """, file: "log.yaml").cases[0].verdicts[0].condition)
        var e = Evaluator(outcomes: [:], defaultStep: nil, features: [:],
                          log: [ExchangeFixture.chat().exchange(), ExchangeFixture.json(#"{"detail":"bad"}"#, status: 422).exchange()],
                          variables: [:])
        let held = e.holds(errorsSeen)
        #expect(!held)
        #expect(e.quirks["error_envelope"] == "detail")
        #expect(e.failures.last == "HTTP 422 body is `detail`, not {\"error\": {\"message\": ...}}")
    }
}
