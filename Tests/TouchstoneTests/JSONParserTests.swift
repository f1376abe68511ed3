import Foundation
import Testing
import TouchstoneCore

@Suite struct JSONParserTests {
    // MARK: Conformance lists (in the spirit of JSONTestSuite's y_/n_ cases)

    static let accepted: [String] = [
        "{}", "[]", "0", "-0", "1", "-1", "1.5", "-1.5e-3", "1E10", "1e+2", "0.0", "0e0", "123456789",
        "true", "false", "null", "\"\"", "\"abc\"", " \t\r\n[ 1 , 2 ]\n ", "[[]]", "[{}]", "{\"a\":[]}",
        "{\"\":0}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\"", "\"\\u00e9\"", "\"\\uD83D\\uDE00\"",
        "\"é😀\"", "[1,\"a\",true,null,{\"k\":[1.0]}]", "\"\u{7F}\"", "{\"a\":1,\"a\":2}",
        "[-9223372036854775808]", "[9223372036854775807]", "1e-400",
    ]

    static let rejected: [String] = [
        "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{,}", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}",
        "{'a':1}", "['a']", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "1.e5", "0x10", "NaN",
        "Infinity", "-Infinity", "nul", "tru", "True", "nulls", "[1 2]", "{} {}", "[] x", "1 2",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\t\"", "\"\n\"", "\"a\u{1}b\"", "// c\n1",
        "/* c */ 1", "[1]]", "{\"a\":1}}", "1e400", "-1e400", "\u{FEFF}{}", "\u{A0}1",
    ]

    @Test func acceptsValidDocuments() throws {
        for text in Self.accepted {
            #expect(throws: Never.self, "should accept \(text.debugDescription)") { try JSONParser.parse(text) }
        }
    }

    @Test func rejectsInvalidDocuments() {
        for text in Self.rejected {
            #expect(throws: JSONParseError.self, "should reject \(text.debugDescription)") { try JSONParser.parse(text) }
        }
    }

    @Test func rejectsInvalidUTF8InStrings() throws {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],  // invalid byte
            [0x22, 0xC3, 0x22],  // truncated 2-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22],  // after an escape, truncated
        ]
        for bytes in cases {
            #expect(throws: JSONParseError.self, "\(bytes)") { try JSONParser.parse(bytes) }
        }
        #expect(try JSONParser.parse([0x22, 0xE2, 0x82, 0xAC, 0x22]) == .string("€"))
    }

    @Test func errorCarriesOffsetAndMessage() {
        do {
            _ = try JSONParser.parse("{\"a\": [1, 2,, 3]}")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 12)
            #expect(error.message.contains("expected a value"))
        }
        do {
            _ = try JSONParser.parse("[1] x")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 4)
            #expect(error.description.contains("byte 4"))
        }
        do {
            _ = try JSONParser.parse("[012]")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("leading zeros"))
        }
    }

    // MARK: Types

    @Test func keepsIntegersDoublesAndBooleansApart() throws {
        let v = try JSONParser.parse("[1, 1.0, 1e0, true, 0, false, -0, 1.5, null]")
        #expect(v == .array([.int(1), .double(1), .double(1), .bool(true), .int(0), .bool(false), .int(0),
                             .double(1.5), .null]))
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSONParser.parse("-9223372036854775809") == .double(-9223372036854775809.0))
        #expect(try JSONParser.parse("-0.0") == .double(-0.0))
        #expect(try JSONParser.parse("0.1") == .double(0.1))
        #expect(try JSONParser.parse("2.5E-3") == .double(0.0025))
        #expect(try JSONParser.parse("1e-400") == .double(0))
    }

    @Test func parsesObjectsAndDuplicateKeysLastWins() throws {
        let v = try JSONParser.parse(#"{"a": {"b": [1, {"c": "d"}]}, "e": null, "a2": 1, "a2": 2}"#)
        #expect(v["a"]?["b"]?[1]?["c"] == .string("d"))
        #expect(v["e"] == .null)
        #expect(v["a2"] == .int(2))
        #expect(v.objectValue?.count == 3)
    }

    // MARK: Strings

    @Test func decodesEscapesAndUnicode() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u00C9\u4e2d""#) == .string("éÉ中"))
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""x\u0000y""#) == .string("x\u{0}y"))
        #expect(try JSONParser.parse("\"héllo wörld 😀\"") == .string("héllo wörld 😀"))
        // Escapes mixed with raw non-ASCII after them.
        #expect(try JSONParser.parse("\"\\n中文\\t😀\"") == .string("\n中文\t😀"))
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try JSONParser.parse(#""\uD800""#) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse(#""\uDC00x""#) == .string("\u{FFFD}x"))
        #expect(try JSONParser.parse(#""\uD800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try JSONParser.parse(#""\uD800\uD83D\uDE00""#) == .string("\u{FFFD}😀"))
        #expect(try JSONParser.parse(#""\uD800\n""#) == .string("\u{FFFD}\n"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\uD800\u00""#) }
    }

    // MARK: Depth

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(tooDeep) }
        let objects = String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
    }

    @Test func hostileNestingDoesNotOverflowTheStack() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        do {
            _ = try JSONParser.parse(hostile)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("nesting"))
            #expect(error.offset == 512)
        }
        let mixed = Array(String(repeating: "{\"k\":[", count: 50_000).utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(mixed) }
    }

    @Test func parsesFromNonContiguousCollections() throws {
        let bytes = Array(#"{"a":[1,2,3]}"#.utf8)
        let v = try JSONParser.parse(bytes.lazy.map { $0 })
        #expect(v == ["a": [1, 2, 3]])
        #expect(try JSONParser.parse(bytes[...]) == v)
        #expect(try JSONValue(parsing: #"{"a":[1,2,3]}"#) == v)
    }

    // MARK: Serialization

    @Test func serializesCompactWithSortedKeys() {
        let v: JSONValue = ["b": 1, "a": [true, nil, 1.5, "x"], "c": ["z": 0, "y": -2]]
        #expect(v.serialized() == #"{"a":[true,null,1.5,"x"],"b":1,"c":{"y":-2,"z":0}}"#)
        #expect(v.serializedBytes() == Array(v.serialized().utf8))
        #expect(JSONValue.object([:]).serialized() == "{}")
        #expect(JSONValue.array([]).serialized() == "[]")
    }

    @Test func serializesStringsWithEscapes() {
        let s = JSONValue.string("q\"b\\n\n\r\t\u{8}\u{C}\u{0}\u{1B}\u{1F}/é😀\u{7F}")
        #expect(s.serialized() == #""q\"b\\n\n\r\t\b\f\u0000\u001B\u001F/é😀"# + "\u{7F}\"")
    }

    @Test func serializesNumbersRoundTrippably() throws {
        let doubles: [Double] = [0.1, 1.0 / 3.0, 5.0, -0.0, 1e-7, 1e21, 123456789.125, .pi, 2.2250738585072014e-308,
                                 1.7976931348623157e308, .leastNonzeroMagnitude, 9007199254740992]
        for d in doubles {
            let text = JSONValue.double(d).serialized()
            let back = try JSONParser.parse(text)
            guard case .double(let r) = back else {
                Issue.record("\(d) serialized as \(text) did not read back as a double")
                continue
            }
            #expect(r == d && r.sign == d.sign, "\(d) → \(text)")
        }
        #expect(JSONValue.int(-42).serialized() == "-42")
        #expect(JSONValue.int(Int.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.double(5).serialized() == "5.0")
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(.infinity).serialized() == "null")
    }

    @Test func roundTripsParsedDocuments() throws {
        let texts = [
            #"{"a":[1,2.5,"x",{"b":null}],"c":true,"d":"\u001B\n","e":-0.0}"#,
            #"[[[[[]]]],{},"",0,-1,1e+100]"#,
        ]
        for text in texts {
            let v = try JSONParser.parse(text)
            #expect(try JSONParser.parse(v.serialized()) == v)
            #expect(try JSONParser.parse(v.serialized(sortedKeys: false)) == v)
        }
    }

    @Test func agreesWithFoundationOnManyNumbers() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let mantissa = Int(truncatingIfNeeded: rng.next() % 10_000_000)
            let exponent = Int(rng.next() % 40) - 20
            let text = "\(mantissa)e\(exponent)"
            guard case .double(let d) = try JSONParser.parse(text) else {
                Issue.record("\(text) is not a double")
                continue
            }
            #expect(d == Double(text)!, "\(text)")
        }
    }
}

