import Foundation
import Testing
import TouchstoneCore

/// The parser's fast paths: strings scanned eight bytes at a time, shared well-known strings,
/// object members moved into place, the outermost array handed over. Each is checked at every
/// position a word boundary can fall on.
@Suite("JSON parser fast paths")
struct JSONFastPathTests {
    /// Strings of 0…40 characters with one special character at every position round-trip.
    @Test func specialCharactersAtEveryPosition() throws {
        let specials: [String] = ["\"", "\\", "\n", "\t", "\u{1}", "é", "🙂", "/", "\u{7F}"]
        for length in 0...40 {
            for position in 0...length {
                for special in specials {
                    var s = String(repeating: "a", count: length)
                    s.insert(contentsOf: special, at: s.index(s.startIndex, offsetBy: position))
                    let doc = "{\"k\":" + JSONValue.string(s).serialized() + ",\"n\":[\"" + s.replacingOccurrences(of: "\\", with: "\\\\")
                        .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
                        .replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\u{1}", with: "\\u0001") + "\"]}"
                    let v = try JSONParser.parse(doc)
                    #expect(v["k"] == .string(s), "length \(length), position \(position), special \(special.debugDescription)")
                    #expect(v["n"]?[0] == .string(s))
                }
            }
        }
    }

    /// A raw control character, or an invalid UTF-8 byte, is found wherever it sits in the word.
    @Test func rawControlAndInvalidBytesAtEveryPosition() {
        for length in 1...24 {
            for position in 0..<length {
                for bad: UInt8 in [0x00, 0x0A, 0x1F, 0xFF, 0xC3] {
                    var bytes = Array("[\"".utf8) + [UInt8](repeating: UInt8(ascii: "b"), count: length) + Array("\"]".utf8)
                    bytes[2 + position] = bad
                    #expect(throws: JSONParseError.self, "length \(length), position \(position), byte \(bad)") {
                        try JSONParser.parse(bytes)
                    }
                    if bad < 0x20 {
                        do {
                            _ = try JSONParser.parse(bytes)
                        } catch {
                            #expect(error.offset == 2 + position)
                            #expect(error.message.contains("control character"))
                        }
                    }
                }
            }
        }
    }

    /// Strings near the well-known ones (prefixes, suffixes, other cases) stay themselves.
    @Test func wellKnownStringsAndTheirNeighbours() throws {
        let words = ["id", "ids", "i", "object", "objects", "Object", "chat.completion.chunk", "chat.completion.chunks",
                     "finish_reason", "finish_reasoN", "content", "contenT", "", "x", "role", "rolé", "usage", "usag"]
        var members: [String: JSONValue] = [:]
        for (k, w) in words.enumerated() { members[w] = .string(words[(k + 1) % words.count]) }
        let text = JSONValue.object(members).serialized()
        let v = try JSONParser.parse(text)
        #expect(v == .object(members))
        for w in words { #expect(v[w]?.stringValue != nil, "\(w)") }
    }

    /// Duplicate keys keep the last value at every depth; nested arrays and empty containers
    /// come back as written.
    @Test func nestedContainersAndDuplicates() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":{"a":2,"c":[1,[2,{"a":3,"a":4}],[]],"a":5},"a":6,"e":{}}"#)
        #expect(v["a"] == .int(6))
        #expect(v["b"]?["a"] == .int(5))
        #expect(v["b"]?["c"] == .array([.int(1), .array([.int(2), .object(["a": .int(4)])]), .array([])]))
        #expect(v["e"] == .object([:]))
        let a = try JSONParser.parse("[[1,2],[3,[4,[]]],5,{\"x\":[6]}]")
        #expect(a == .array([.array([.int(1), .int(2)]), .array([.int(3), .array([.int(4), .array([])])]), .int(5),
                             .object(["x": .array([.int(6)])])]))
        // Two documents in a row: the handed-over array of the first does not leak into the second.
        #expect(try JSONParser.parse("[1,2]") == .array([.int(1), .int(2)]))
        #expect(try JSONParser.parse("[3]") == .array([.int(3)]))
    }
}
