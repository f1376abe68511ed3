import Foundation
import Testing
import TouchstoneCore

@Suite struct JSONPrefixTests {
    static let objects: [String] = [
        #"{}"#,
        #"{"zq": "XK-7731", "n": 42}"#,
        #" {"a": [1, -2.5e+10, 0, -0.0, 1E-3, true, false, null, {}, [], [[]]], "b": {"c": {"d": "e"}}} "#,
        #"{"s": "esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 end", "é": "中文 😀", "": ""}"#,
        "{\n\t\"k\" :\r\n [ 1 ,2 ] }\n",
        #"{"deep": [[[[{"x": [0.5, {"y": "z"}]}]]]], "num": 12345678901234567890}"#,
    ]

    @Test func everyPrefixOfValidObjectsIsAccepted() {
        for text in Self.objects {
            let bytes = Array(text.utf8)
            for cut in 0...bytes.count {
                var checker = JSONPrefixChecker()
                checker.feed(bytes[0..<cut])
                #expect(checker.isValidPrefix, "prefix \(cut) of \(text.debugDescription): \(String(describing: checker.failure))")
                let trimmedEnd = String(decoding: bytes[0..<cut], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let complete = trimmedEnd == text.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(checker.isComplete == complete, "prefix \(cut) of \(text.debugDescription)")
            }
            #expect(JSONPrefixChecker.isCompleteObject(text))
            #expect(JSONPrefixChecker.isValidObjectPrefix(text))
        }
    }

    @Test func byteByByteFeedingMatchesWholeFeeding() {
        for text in Self.objects + Self.invalid {
            var whole = JSONPrefixChecker()
            whole.feed(text)
            var pieces = JSONPrefixChecker()
            for b in text.utf8 { pieces.feed(CollectionOfOne(b)) }
            #expect(whole.isValidPrefix == pieces.isValidPrefix, "\(text.debugDescription)")
            #expect(whole.isComplete == pieces.isComplete, "\(text.debugDescription)")
            #expect(whole.failure?.offset == pieces.failure?.offset, "\(text.debugDescription)")
        }
    }

    static let invalid: [String] = [
        "[", "\"a\"", "1", "x", "{,", "{\"a\",", "{\"a\":1,}", "{\"a\" 1", "{\"a\"::", "{1:2}", "{'a'",
        "{\"a\":01", "{\"a\":-a", "{\"a\":1.e", "{\"a\":1.5.", "{\"a\":1e5e", "{\"a\":tx", "{\"a\":nul}",
        "{\"a\":[1,]", "{\"a\":[,", "{\"a\":]", "{\"a\":\"\\x", "{\"a\":\"\\u12G", "{\"a\":\"\t",
        "{\"a\":1}}", "{\"a\":1} x", "{} {}", "{\"a\":[1}", "{\"a\":{]", "{\"a\":+1", "{\"a\":.5",
        "{\"a\": True", "{\"a\": NaN",
    ]

    @Test func classicInvalidPrefixesAreRejected() {
        for text in Self.invalid {
            #expect(!JSONPrefixChecker.isValidPrefix(text), "\(text.debugDescription)")
            #expect(!JSONPrefixChecker.isValidObjectPrefix(text), "\(text.debugDescription)")
        }
    }

    @Test func truncatedValuesAreValidButIncomplete() {
        let truncated = [
            "{", "{\"", "{\"ke", "{\"key\"", "{\"key\":", "{\"k\":\"val", "{\"k\":\"a\\", "{\"k\":\"\\u", "{\"k\":\"\\u00",
            "{\"k\":\"\\uD83D\\u", "{\"k\":-", "{\"k\":1.", "{\"k\":1e", "{\"k\":1e-", "{\"k\":0", "{\"k\":12",
            "{\"k\":t", "{\"k\":tr", "{\"k\":fals", "{\"k\":n", "{\"k\":[", "{\"k\":[1,", "{\"k\":[{\"a\":[",
            "  {  ", "{\"k\":true", "{\"k\":{}",
        ]
        for text in truncated {
            var c = JSONPrefixChecker()
            c.feed(text)
            #expect(c.isValidPrefix, "\(text.debugDescription)")
            #expect(!c.isComplete, "\(text.debugDescription)")
            #expect(c.started)
        }
    }

    @Test func multiByteCharactersSplitAnywhere() {
        let bytes = Array("{\"k\":\"é中😀\"}".utf8)
        for cut in 0...bytes.count {
            var c = JSONPrefixChecker()
            c.feed(bytes[0..<cut])
            c.feed(bytes[cut...])
            #expect(c.isComplete, "cut at \(cut)")
        }
        // Invalid UTF-8 inside a string is rejected even when split.
        var bad = JSONPrefixChecker()
        bad.feed([0x7B, 0x22, 0x6B, 0x22, 0x3A, 0x22, 0xE2])
        #expect(bad.isValidPrefix)
        bad.feed([0x41])
        #expect(!bad.isValidPrefix)
        #expect(bad.failure?.offset == 7)
        #expect(!JSONPrefixChecker.isValidPrefix("{\"k\":\"\u{1}"))
        var overlong = JSONPrefixChecker()
        overlong.feed([0x7B, 0x22, 0xC0, 0xAF])
        #expect(!overlong.isValidPrefix)
    }

    @Test func emptyAndTopLevelRules() {
        #expect(JSONPrefixChecker.isValidPrefix(""))
        #expect(JSONPrefixChecker.isValidPrefix("  \n"))
        #expect(!JSONPrefixChecker.isValidObjectPrefix(""))  // needs at least the opening brace
        #expect(!JSONPrefixChecker.isValidObjectPrefix("   "))
        #expect(!JSONPrefixChecker.isCompleteObject(""))
        #expect(!JSONPrefixChecker.isCompleteObject("[]"))
        #expect(!JSONPrefixChecker.isCompleteObject("{\"a\":1"))
        #expect(JSONPrefixChecker.isCompleteObject("  {\"a\":1}\n\n"))
        #expect(JSONPrefixChecker.isValidPrefix("[1, \"a\"", topLevel: .any))
        #expect(JSONPrefixChecker.isValidPrefix("-1", topLevel: .any))
        var number = JSONPrefixChecker(topLevel: .any)
        number.feed("12")
        #expect(number.isComplete)
        number.feed(".")
        #expect(!number.isComplete)
        #expect(number.isValidPrefix)
    }

    @Test func failureStopsFurtherInput() {
        var c = JSONPrefixChecker()
        c.feed("{\"a\":1,}")
        #expect(c.failure?.offset == 7)
        c.feed("\"b\":2}")
        #expect(!c.isValidPrefix)
        #expect(c.failure?.offset == 7)
    }

    @Test func depthLimit() {
        var c = JSONPrefixChecker()
        c.feed("{\"a\":" + String(repeating: "[", count: 511))
        #expect(c.isValidPrefix)
        c.feed("[")
        #expect(!c.isValidPrefix)
    }

    @Test func agreesWithTheParserOnCompleteDocuments() {
        for text in JSONParserTests.accepted + JSONParserTests.rejected {
            var c = JSONPrefixChecker(topLevel: .any)
            c.feed(text)
            let parses = (try? JSONParser.parse(text)) != nil
            if text == "1e400" || text == "-1e400" { continue }  // grammatical, but out of Double's range
            #expect(c.isComplete == parses, "\(text.debugDescription)")
        }
    }
}
