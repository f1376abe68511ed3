import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// Every assertion operator (`assert: [{path: …, OPERATOR: …}]`), read by the suite loader from
/// YAML and evaluated on a step document: a value that satisfies it, one that does not and the
/// failure message a detail shows.
@Suite("Assertions")
struct AssertionTests {
    static let doc: JSONValue = [
        "status": 200,
        "body": [
            "id": "chatcmpl-1", "n": 3, "half": 2.5, "whole": 3.0, "flag": true, "none": nil,
            "tags": ["a", "b"], "obj": ["k": 1, "l": 2], "args": #"{"city":"Paris"}"#, "text": "Hello there",
        ],
    ]

    /// Why the assertion fails on `doc`, nil when it holds.
    func failure(_ yaml: String, in doc: JSONValue = AssertionTests.doc) throws -> String? {
        var budget = RegexBudget()
        return try Assertions.failure(of: try SuiteConditions.assertion(yaml), in: doc, budget: &budget)
    }

    @Test func exists() throws {
        #expect(try failure("{path: $.body.id, exists: true}") == nil)
        #expect(try failure("{path: $.body.none, exists: true}") == nil, "a null is present")
        #expect(try failure("{path: $.body.nope, exists: true}") == "`$.body.nope` is missing")
        #expect(try failure("{path: $.body.nope, exists: false}") == nil)
        #expect(try failure("{path: $.body.id, exists: false}") == "`$.body.id` is present")
    }

    @Test func everyOtherOperatorNeedsTheValue() throws {
        #expect(try failure("{path: $.body.nope, equals: 1}") == "`$.body.nope` is missing")
        #expect(try failure("{path: $.body.nope, type: string}") == "`$.body.nope` is missing")
    }

    @Test func equalsAndNotEquals() throws {
        #expect(try failure("{path: $.body.id, equals: chatcmpl-1}") == nil)
        #expect(try failure("{path: $.body.n, equals: 3.0}") == nil, "1 == 1.0")
        #expect(try failure("{path: $.body.obj, equals: {l: 2, k: 1}}") == nil)
        #expect(try failure("{path: $.body.id, equals: other}") == #"`$.body.id` is "chatcmpl-1", expected "other""#)
        #expect(try failure("{path: $.body.n, equals: \"3\"}") == #"`$.body.n` is 3, expected "3""#, "a number is not its text")
        #expect(try failure("{path: $.body.id, not_equals: other}") == nil)
        #expect(try failure("{path: $.body.whole, not_equals: 3}") == "`$.body.whole` is 3.0")
    }

    @Test func isIn() throws {
        #expect(try failure("{path: $.body.id, in: [x, chatcmpl-1]}") == nil)
        #expect(try failure("{path: $.body.n, in: [1, 2]}") == "`$.body.n` is 3, expected one of [1,2]")
    }

    @Test func type() throws {
        #expect(try failure("{path: $.body.n, type: integer}") == nil)
        #expect(try failure("{path: $.body.n, type: number}") == nil, "an integer is a number")
        #expect(try failure("{path: $.body.whole, type: integer}") == nil, "3.0 is an integer")
        #expect(try failure("{path: $.body.half, type: integer}") == "`$.body.half` is number, expected integer")
        #expect(try failure("{path: $.body.none, type: [string, \"null\"]}") == nil)
        #expect(try failure("{path: $.body.flag, type: [string, object]}") == "`$.body.flag` is boolean, expected string or object")
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, type: int}]}")?.contains("unknown type `int`") == true)
    }

    @Test func matches() throws {
        #expect(try failure("{path: $.body.text, matches: \"^Hello\"}") == nil)
        #expect(try failure("{path: $.body.text, matches: \"^there\"}") == "`$.body.text` does not match /^there/")
        #expect(try failure("{path: $.body.n, matches: \"3\"}") == "`$.body.n` is integer, expected a string matching /3/")
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, matches: \"(\"}]}")?.contains("invalid regular expression") == true)
    }

    /// A pattern that backtracks past the budget decides nothing: the assertion throws, it
    /// neither holds nor fails.
    @Test func aCostlyPatternIsUndecided() throws {
        let doc: JSONValue = ["text": .string(String(repeating: "a", count: 30) + "!")]
        var budget = RegexBudget()
        let a = try SuiteConditions.assertion(#"{path: $.text, matches: "(a|a)*!Z"}"#)
        #expect(throws: Assertions.Undecided.self) { try Assertions.failure(of: a, in: doc, budget: &budget) }
    }

    @Test func contains() throws {
        #expect(try failure("{path: $.body.text, contains: there}") == nil)
        #expect(try failure("{path: $.body.text, contains: There}") == #"`$.body.text` does not contain "There""#)
        #expect(try failure("{path: $.body.tags, contains: b}") == nil)
        #expect(try failure("{path: $.body.tags, contains: c}") == #"`$.body.tags` does not contain "c""#)
        #expect(try failure("{path: $.body.text, contains: 3}") == "`$.body.text` is a string; `contains` needs a string")
        #expect(try failure("{path: $.body.n, contains: 3}") == "`$.body.n` is integer; `contains` needs a string or array")
    }

    @Test func length() throws {
        #expect(try failure("{path: $.body.tags, length: 2}") == nil)
        #expect(try failure("{path: $.body.obj, length: 2}") == nil, "an object's length is its member count")
        #expect(try failure("{path: $.body.text, length: 11}") == nil, "a string's length is in characters")
        #expect(try failure("{path: $.body.tags, length: 3}") == "`$.body.tags` has length 2, expected 3")
        #expect(try failure("{path: $.body.tags, min_length: 1, max_length: 2}") == nil)
        #expect(try failure("{path: $.body.tags, min_length: 3}") == "`$.body.tags` has length 2, expected at least 3")
        #expect(try failure("{path: $.body.tags, max_length: 1}") == "`$.body.tags` has length 2, expected at most 1")
        #expect(try failure("{path: $.body.n, length: 1}") == "`$.body.n` is integer; length needs a string, array or object")
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, length: two}]}")?.contains("`length` must be an integer") == true)
    }

    @Test func parsesAsJSON() throws {
        #expect(try failure("{path: $.body.args, parses_as_json: true}") == nil)
        #expect(try failure("{path: $.body.text, parses_as_json: true}") == "`$.body.text` does not parse as JSON")
        #expect(try failure("{path: $.body.text, parses_as_json: false}") == nil)
        #expect(try failure("{path: $.body.args, parses_as_json: false}") == "`$.body.args` parses as JSON")
        #expect(try failure("{path: $.body.n, parses_as_json: true}") == "`$.body.n` is integer, not a JSON string")
        // More JSON than a run builds a tree for is not called "not JSON": it is undecided.
        let huge: JSONValue = ["s": .string("[" + Array(repeating: "[]", count: 100_001).joined(separator: ",") + "]")]
        var budget = RegexBudget()
        let a = try SuiteConditions.assertion("{path: $.s, parses_as_json: true}")
        #expect(throws: Assertions.Undecided.self) { try Assertions.failure(of: a, in: huge, budget: &budget) }
    }

    @Test func validates() throws {
        let schema = "{type: object, required: [city], properties: {city: {type: string}}}"
        #expect(try failure("{path: $.body.args, validates: \(schema)}") == nil, "a string holding JSON is validated as that JSON")
        #expect(try failure("{path: $.body.obj, validates: {type: object, required: [k]}}") == nil)
        let why = try #require(try failure("{path: $.body.obj, validates: \(schema)}"))
        #expect(why.hasPrefix("`$.body.obj` does not validate: ") && why.contains("city"), "\(why)")
        #expect(try failure("{path: $.body.text, validates: {type: string, minLength: 20}}")?.contains("does not validate") == true)
    }

    @Test func comparisons() throws {
        #expect(try failure("{path: $.body.n, lt: 4}") == nil)
        #expect(try failure("{path: $.body.n, lt: 3}") == "`$.body.n` is 3, expected lt 3.0")
        #expect(try failure("{path: $.body.n, lte: 3}") == nil)
        #expect(try failure("{path: $.body.n, lte: 2.5}") == "`$.body.n` is 3, expected lte 2.5")
        #expect(try failure("{path: $.body.half, gt: 2}") == nil)
        #expect(try failure("{path: $.body.half, gt: 2.5}") == "`$.body.half` is 2.5, expected gt 2.5")
        #expect(try failure("{path: $.body.n, gte: 3}") == nil)
        #expect(try failure("{path: $.body.n, gte: 3.5}") == "`$.body.n` is 3, expected gte 3.5")
        #expect(try failure("{path: $.body.id, gt: 0}") == "`$.body.id` is string, expected a number")
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, gt: many}]}")?.contains("`gt` needs a number") == true)
    }

    /// A path that yields several values: every one must satisfy the operator.
    @Test func everyValueAPathYieldsMustHold() throws {
        #expect(try failure("{path: \"$.body.tags[*]\", type: string}") == nil)
        #expect(try failure("{path: \"$.body.tags[*]\", equals: a}") == #"`$.body.tags[*]` is "b", expected "a""#)
        #expect(try failure("{path: \"$.body.tags[-1]\", equals: b}") == nil)
    }

    @Test func oneOperatorPerAssertion() {
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, equals: 1, type: integer}]}")?.contains("one operator per assertion") == true)
        #expect(SuiteConditions.loadError("{assert: [{path: $.x}]}")?.contains("assertion needs an operator") == true)
        #expect(SuiteConditions.loadError("{assert: [{path: $.x, min_length: 1, max_length: 2}]}") == nil)
    }
}
