import Foundation
import Testing
import TouchstoneCore

@Suite struct JSONPathTests {
    static let doc: JSONValue = try! JSONParser.parse(#"""
        {"id": "chatcmpl-1", "object": "chat.completion",
         "choices": [
           {"index": 0, "message": {"role": "assistant", "content": "hi", "tool_calls": [
              {"id": "a", "function": {"name": "f", "arguments": "{}"}},
              {"id": "b", "function": {"name": "g", "arguments": "{\"x\":1}"}}]},
            "finish_reason": "tool_calls"},
           {"index": 1, "message": {"role": "assistant", "content": null}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 5, "completion_tokens": 7},
         "x.y": {"a-b": 1}, "it's": 2, "": 3}
        """#)

    private func eval(_ path: String) throws -> [JSONValue] {
        try JSONPath(path).evaluate(Self.doc)
    }

    @Test func rootAndNames() throws {
        #expect(try eval("$") == [Self.doc])
        #expect(try eval("$.id") == ["chatcmpl-1"])
        #expect(try eval("$.usage.completion_tokens") == [7])
        #expect(try eval("$['usage']['prompt_tokens']") == [5])
        #expect(try eval(#"$["usage"].prompt_tokens"#) == [5])
    }

    @Test func namesWithDotsDashesQuotesAndEmpty() throws {
        #expect(try eval("$['x.y']['a-b']") == [1])
        #expect(try eval("$['x.y'].a-b") == [1])
        #expect(try eval(#"$['it\'s']"#) == [2])
        #expect(try eval(#"$["it's"]"#) == [2])
        #expect(try eval("$['']") == [3])
        #expect(try eval("$.x.y") == [])  // dot notation splits on '.'
    }

    @Test func indexesNegativeAndWildcards() throws {
        #expect(try eval("$.choices[0].finish_reason") == ["tool_calls"])
        #expect(try eval("$.choices[-1].finish_reason") == ["stop"])
        #expect(try eval("$.choices[1].message.content") == [.null])
        #expect(try eval("$.choices[2]") == [])
        #expect(try eval("$.choices[-3]") == [])
        #expect(try eval("$.choices[*].index") == [0, 1])
        #expect(try eval("$.choices.*.finish_reason") == ["tool_calls", "stop"])
        #expect(try eval("$.choices[0].message.tool_calls[*].function.name") == ["f", "g"])
        #expect(try eval("$.usage[*]") == [7, 5])  // object wildcard: values in key order
        #expect(try eval("$.choices[ 0 ].index") == [0])
    }

    @Test func absentAndTypeMismatchSelectNothing() throws {
        #expect(try eval("$.missing") == [])
        #expect(try eval("$.id.length") == [])
        #expect(try eval("$.id[0]") == [])
        #expect(try eval("$.choices.index") == [])
        #expect(try eval("$.usage[0]") == [])
        #expect(try JSONPath("$.a").first(in: ["a": nil]) == .null)
        #expect(try JSONPath("$.a").first(in: [:]) == nil)
    }

    @Test func invalidPathsReportColumns() {
        let cases: [(String, Int, String)] = [
            ("", 1, "starts with '$'"),
            ("choices", 1, "starts with '$'"),
            ("$.", 3, "expected a name"),
            ("$..a", 2, "recursive descent"),
            ("$.a[", 4, "unclosed"),
            ("$.a[0", 6, "expected ']'"),
            ("$.a['b", 5, "unterminated"),
            ("$.a[x]", 5, "expected a quoted name"),
            ("$.a b", 4, "expected '.' or '['"),
            ("$[01]", 3, "leading zeros"),
            ("$[-]", 4, "expected digits"),
            ("$[?(@.a)]", 3, "not supported"),
            ("$['a\\n']", 6, "unknown escape"),
            ("$[99999999999999999999]", 3, "too large"),
        ]
        for (text, column, fragment) in cases {
            do {
                _ = try JSONPath(text)
                Issue.record("\(text.debugDescription) should be invalid")
            } catch {
                #expect(error.column == column, "\(text): \(error)")
                #expect(error.message.contains(fragment), "\(text): \(error)")
                #expect(error.description.contains("column \(error.column)"))
            }
        }
    }

    @Test func canonicalDescriptionAndHashing() throws {
        let p = try JSONPath(#"$["choices"][0]['x.y'].*[-1]['it\'s']"#)
        #expect(p.description == #"$.choices[0]['x.y'][*][-1]['it\'s']"#)
        #expect(try JSONPath(p.description) == p)
        #expect(try JSONPath("$.a") == JSONPath("$['a']"))
        #expect(Set([try JSONPath("$.a"), try JSONPath("$['a']")]).count == 1)
        #expect(p.segments == [.name("choices"), .index(0), .name("x.y"), .wildcard, .index(-1), .name("it's")])
        #expect(JSONPath.root.description == "$")
    }

    @Test func codableAsString() throws {
        let p = try JSONPath("$.choices[0]")
        let data = try JSONEncoder().encode([p])
        #expect(String(decoding: data, as: UTF8.self) == #"["$.choices[0]"]"#)
        #expect(try JSONDecoder().decode([JSONPath].self, from: data) == [p])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([JSONPath].self, from: Data(#"["x"]"#.utf8)) }
    }
}
