import Foundation
import Testing
import TouchstoneCore

@Suite struct TextFilterTests {
    // MARK: TextSanitizer.excerpt

    @Test func excerptKeepsPrintableTextNewlinesAndTabs() {
        #expect(TextSanitizer.excerpt("hello\n\tworld é中😀") == "hello\n\tworld é中😀")
        #expect(TextSanitizer.excerpt([UInt8]()) == "")
    }

    @Test func excerptEscapesControlsNulDelAndNoncharacters() {
        #expect(TextSanitizer.excerpt("a\u{1B}[31mb") == "a\\u001B[31mb")
        #expect(TextSanitizer.excerpt("x\u{0}y") == "x\\u0000y")
        #expect(TextSanitizer.excerpt("cr\r\nlf") == "cr\\u000D\nlf")
        #expect(TextSanitizer.excerpt("del\u{7F}") == "del\\u007F")
        #expect(TextSanitizer.excerpt("c1\u{9B}") == "c1\\u009B")
        #expect(TextSanitizer.excerpt("nc\u{FFFE}\u{FFFF}") == "nc\\uFFFE\\uFFFF")
        #expect(TextSanitizer.excerpt("ok\u{FFFD}") == "ok\u{FFFD}")
    }

    @Test func excerptShowsInvalidBytes() {
        #expect(TextSanitizer.excerpt([0x61, 0xFF, 0x62]) == "a\\xFFb")
        #expect(TextSanitizer.excerpt([0xC3]) == "\\xC3")  // truncated sequence
        #expect(TextSanitizer.excerpt([0xE2, 0x82, 0x41]) == "\\xE2\\x82A")
        #expect(TextSanitizer.excerpt([0xC0, 0xAF]) == "\\xC0\\xAF")  // overlong
        #expect(TextSanitizer.excerpt([0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")  // surrogate
        #expect(TextSanitizer.excerpt([0xE2, 0x82, 0xAC]) == "€")
        let mixed: [UInt8] = [0x00, 0xFF, 0x1B] + Array("ok".utf8)
        #expect(TextSanitizer.excerpt(mixed) == "\\u0000\\xFF\\u001Bok")
    }

    @Test func excerptCapsKeepingHeadAndTail() {
        let text = String(repeating: "a", count: 100) + String(repeating: "m", count: 800) + String(repeating: "z", count: 100)
        let e = TextSanitizer.excerpt(text, limit: 200)
        #expect(e == String(repeating: "a", count: 100) + "…[800 bytes omitted]…" + String(repeating: "z", count: 100))
        #expect(TextSanitizer.excerpt(text, limit: 1000) == text)
        #expect(TextSanitizer.excerpt(text, limit: 999).contains("…[1 bytes omitted]…"))
        // Cuts never split a multi-byte character.
        let wide = String(repeating: "é", count: 50) + String(repeating: "😀", count: 50)
        for limit in 1..<40 {
            let cut = TextSanitizer.excerpt(wide, limit: limit)
            #expect(!cut.contains("\\x"), "limit \(limit): \(cut)")
            #expect(cut.contains("bytes omitted"))
        }
        // Default limit.
        let big = [UInt8](repeating: 0x41, count: 10_000)
        let d = TextSanitizer.excerpt(big)
        #expect(d.utf8.count < 2048 + 40)
        #expect(d.contains("…[7952 bytes omitted]…"))
    }

    // MARK: TextSanitizer.oneLine

    @Test func oneLineFoldsBreaksAndCaps() {
        #expect(TextSanitizer.oneLine("  a\nb\r\nc\rd\te  \u{2028} f \n") == "a b c d e f")
        #expect(TextSanitizer.oneLine("esc\u{1B}x\u{0}") == "esc\\u001Bx\\u0000")
        let long = String(repeating: "x", count: 300)
        let cut = TextSanitizer.oneLine(long)
        #expect(cut.count == 200)
        #expect(cut.hasSuffix("…"))
        #expect(TextSanitizer.oneLine(long, limit: 10) == "xxxxxxxxx…")
        #expect(TextSanitizer.oneLine("short", limit: 10) == "short")
        #expect(TextSanitizer.oneLine("😀😀😀", limit: 2) == "😀…")
    }

    // MARK: XMLText

    @Test func xmlFilterEscapesEverythingOutsideXMLChar() {
        #expect(XMLText.filter("plain <&> \"text\" é中😀\t\n\r") == "plain <&> \"text\" é中😀\t\n\r")
        #expect(XMLText.filter("a\u{0}b") == "a\\u0000b")
        #expect(XMLText.filter("\u{1B}[0m\u{8}\u{B}\u{C}\u{1F}") == "\\u001B[0m\\u0008\\u000B\\u000C\\u001F")
        #expect(XMLText.filter("x\u{FFFE}y\u{FFFF}") == "x\\uFFFEy\\uFFFF")
        #expect(XMLText.filter("\u{7F}\u{85}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}") == "\u{7F}\u{85}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}")
        for v in UInt32(0)..<0x20 {
            let s = String(Unicode.Scalar(v)!)
            let allowed = v == 0x09 || v == 0x0A || v == 0x0D
            #expect((XMLText.filter(s) == s) == allowed, "U+\(v)")
            #expect(XMLText.isAllowed(v) == allowed)
        }
        #expect(!XMLText.isAllowed(0xD800) && !XMLText.isAllowed(0x110000) && XMLText.isAllowed(0x20))
    }

    @Test func xmlFilterOutputIsAlwaysClean() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<200 {
            let bytes = (0..<64).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let filtered = XMLText.filter(bytes)
            #expect(XMLText.isClean(filtered))
            #expect(filtered.unicodeScalars.allSatisfy { XMLText.isAllowed($0.value) })
        }
    }

    @Test func xmlFilterBytesDecodeWithReplacement() {
        #expect(XMLText.filter([0x61, 0xFF, 0x00, 0x62]) == "a\u{FFFD}\\u0000b")
        #expect(XMLText.filter(Array("ok".utf8)) == "ok")
    }

    @Test func xmlFilterCapsKeepingHeadAndTail() {
        let text = String(repeating: "h", count: 10) + String(repeating: "\u{1}", count: 100) + String(repeating: "t", count: 10)
        let capped = XMLText.filter(text, limit: 20)
        #expect(capped == String(repeating: "h", count: 10) + "…[100 bytes omitted]…" + String(repeating: "t", count: 10))
        #expect(XMLText.filter("short", limit: 20) == "short")
        let dirtyShort = XMLText.filter("a\u{1}b", limit: 20)
        #expect(dirtyShort == "a\\u0001b")
        let emoji = String(repeating: "😀", count: 100)
        let e = XMLText.filter(emoji, limit: 30)
        #expect(e.hasPrefix("😀😀😀"))
        #expect(!e.contains("\u{FFFD}"))
    }
}

