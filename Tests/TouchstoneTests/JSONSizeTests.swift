import Testing
import TouchstoneCore

/// `JSONSize.measure` counts what a parse would build without building it: never fewer values
/// or containers than the parser makes (more only where an object repeats a key, whose earlier
/// values the parse drops), and nothing inside strings.
@Suite("JSON size")
struct JSONSizeTests {
    /// Values and containers of a parsed tree, counted exactly.
    static func built(_ v: JSONValue) -> JSONSize {
        switch v {
        case .array(let a): a.reduce(JSONSize(values: 1, containers: 1)) { $0 + built($1) }
        case .object(let o): o.values.reduce(JSONSize(values: 1, containers: 1)) { $0 + built($1) }
        default: JSONSize(values: 1, containers: 0)
        }
    }

    @Test("the measure bounds the parsed tree from above, containers exactly", arguments: [
        #"42"#, #""a string""#, #"[]"#, #"{}"#, #"[1,2,3]"#, #"{"a":1,"b":[true,null,{"c":"d"}]}"#,
        #"[[],[[]],{"x":[]}]"#, #"{"s":"[{,,,}]\"]{","t":"\\"}"#, #"  [ 1 , "two" , { "3" : [ 4 ] } ]  "#,
        #"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi, there: [x]"},"finish_reason":"stop"}]}"#,
    ])
    func boundsTheTree(text: String) throws {
        let measured = JSONSize.measure(Array(text.utf8))
        let tree = Self.built(try JSONParser.parse(text))
        #expect(measured.containers == tree.containers, "\(measured) vs \(tree)")
        #expect(measured.values >= tree.values, "\(measured) vs \(tree)")
    }

    @Test("a repeated key: the parse keeps the last value, the measure counts both")
    func repeatedKeys() throws {
        let text = #"{"a":[[1]],"a":2}"#
        #expect(JSONSize.measure(Array(text.utf8)) == JSONSize(values: 5, containers: 3))
        #expect(Self.built(try JSONParser.parse(text)) == JSONSize(values: 2, containers: 1))
    }

    @Test("brackets and commas inside strings, escaped quotes included, are not counted")
    func stringsAreSkipped() {
        let text = #"["[[[,,,{{{", "\"[,{", "\\", "]"]"#
        #expect(JSONSize.measure(Array(text.utf8)) == JSONSize(values: 5, containers: 1))
    }

    @Test("a padded body is over the limit, and the measure stops as soon as it is")
    func paddedIsOver() {
        let padded = "[" + String(repeating: #"{"a":[]},"#, count: 150_000) + "1]"
        let size = JSONSize.measure(Array(padded.utf8))
        #expect(size.exceeds(.limit))
        #expect(size.containers == JSONSize.limit.containers + 1, "stopped at the first container over")
        #expect(size.excess() == "more than 100,000 objects or arrays")
        let numbers = "[" + String(repeating: "0,", count: 2_100_000) + "0]"
        #expect(JSONSize.measure(Array(numbers.utf8)).excess() == "more than 2,000,000 values")
        // A real answer of the largest kind a probe meets is far under it.
        let models = #"{"object":"list","data":["# + Array(repeating: #"{"id":"vendor/model-name","object":"model","created":1700000000,"owned_by":"vendor","architecture":{"modality":"text->text","input_modalities":["text","image"]},"pricing":{"prompt":"0.000001"}}"#, count: 400).joined(separator: ",") + "]}"
        #expect(!JSONSize.measure(Array(models.utf8)).exceeds(.limit))
    }
}
