import Foundation
import Testing
import TouchstoneCore

@Suite struct RedactorTests {
    static let key = "sk-proj-Ab3/De+F9_gh=Zz~xY"

    private func expectMasked(_ text: String, _ redactor: Redactor, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let out = redactor.redact(text)
        #expect(out.contains(Redactor.mask), "\(text) → \(out)", sourceLocation: sourceLocation)
        #expect(!out.contains("Ab3"), "\(text) → \(out)", sourceLocation: sourceLocation)
    }

    @Test func plainForm() {
        let r = Redactor(secrets: [Self.key])
        #expect(r.redact("Authorization: Bearer \(Self.key)\n") == "Authorization: Bearer [REDACTED]\n")
        #expect(r.redact("\(Self.key)\(Self.key)") == "[REDACTED][REDACTED]")
        #expect(r.redact("no secret here") == "no secret here")
    }

    @Test func jsonEscapedForms() throws {
        let r = Redactor(secrets: [Self.key])
        // Serializers that escape '/' and those that do not.
        expectMasked(#"{"api_key":"sk-proj-Ab3\/De+F9_gh=Zz~xY"}"#, r)
        let ours = JSONValue.object(["k": .string(Self.key)]).serialized()
        expectMasked(ours, r)
        let foundation = String(decoding: try JSONSerialization.data(withJSONObject: ["k": Self.key]), as: UTF8.self)
        expectMasked(foundation, r)
        // A secret with quotes, backslashes and non-ASCII, as Python's ensure_ascii writes it.
        let odd = Redactor(secrets: ["pa\"ss\\wörd-1234"])
        #expect(odd.redact(#"{"p":"pa\"ss\\wörd-1234"}"#) == #"{"p":"[REDACTED]"}"#)
        #expect(odd.redact(#"{"p":"pa\"ss\\w\u00f6rd-1234"}"#) == #"{"p":"[REDACTED]"}"#)
        #expect(odd.redact(#"{"p":"pa\"ss\\w\u00F6rd-1234"}"#) == #"{"p":"[REDACTED]"}"#)
    }

    @Test func urlEncodedForms() {
        let r = Redactor(secrets: [Self.key])
        expectMasked("https://x.test/v1?key=sk-proj-Ab3%2FDe%2BF9_gh%3DZz~xY", r)
        expectMasked("https://x.test/v1?key=sk-proj-Ab3%2fDe%2bF9_gh%3dZz~xY", r)  // lowercase hex
        expectMasked("key=sk%2Dproj%2DAb3%2FDe%2BF9%5Fgh%3DZz%7ExY", r)  // everything but alphanumerics
        expectMasked("https://x.test/v1?key=sk-proj-Ab3/De+F9_gh=Zz~xY&b=1", r)
        let spaced = Redactor(secrets: ["my secret pass"])
        #expect(spaced.redact("p=my+secret+pass") == "p=[REDACTED]")
        #expect(spaced.redact("p=my%20secret%20pass") == "p=[REDACTED]")
    }

    @Test func base64Forms() {
        let r = Redactor(secrets: [Self.key])
        let b64 = Data(Self.key.utf8).base64EncodedString()
        #expect(r.redact("X-Key: \(b64)") == "X-Key: [REDACTED]")
        // Basic auth: "user:key" encoded as a whole, for users of every length mod 3.
        for user in ["u", "us", "usr", "user", "alice", ""] {
            let basic = Data("\(user):\(Self.key)".utf8).base64EncodedString()
            let out = r.redact("Authorization: Basic \(basic)")
            #expect(out.contains(Redactor.mask), "user \(user): \(out)")
            // What is left of the encoding cannot hold more than a few bits of the key.
            let leftover = out.replacingOccurrences(of: "Authorization: Basic ", with: "")
                .replacingOccurrences(of: Redactor.mask, with: "")
            #expect(leftover.count <= 8 + (user.count + 1) * 4 / 3, "user \(user): \(out)")
        }
        // Base64url alphabet.
        let url = b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(r.redact("token=\(url)") == "token=[REDACTED]")
    }

    @Test func secretFollowedByACombiningMarkIsStillMasked() {
        let r = Redactor(secrets: ["sk-SECRET"])
        #expect(r.redact("key=sk-SECRET\u{301} end") == "key=[REDACTED]\u{301} end")
        #expect(r.redact("\u{301}sk-SECRET") == "\u{301}[REDACTED]")
    }

    @Test func shortSecretsAndEmptyRedactor() {
        let r = Redactor(secrets: ["abc", ""])
        #expect(r.isEmpty)
        #expect(r.redact("abc") == "abc")
        #expect(Redactor(secrets: ["abcdefg"]).isEmpty)
        #expect(!Redactor(secrets: ["abcdefgh"]).isEmpty)
        #expect(Redactor(secrets: []).redact("x") == "x")
    }

    @Test func severalSecretsAndOverlaps() {
        let r = Redactor(secrets: ["token-1234", "token-123456789"])
        #expect(r.redact("a token-123456789 b token-1234 c") == "a [REDACTED] b [REDACTED] c")
        #expect(!r.redact("token-123456789").contains("56789"))
    }

    @Test func redactsInsideSanitizedEvidence() {
        let r = Redactor(secrets: [Self.key])
        let body: [UInt8] = Array("{\"error\":\"bad key \(Self.key)\"}\u{1B}".utf8) + [0xFF]
        let evidence = r.redact(TextSanitizer.excerpt(body))
        #expect(evidence == "{\"error\":\"bad key [REDACTED]\"}\\u001B\\xFF")
    }

    /// Every byte as hex (either case), every character as `\\uXXXX`, every byte as `%XX`:
    /// encodings a server may echo a key in, whole or cut by a length limit.
    @Test func hexAndFullyEscapedForms() {
        let key = "sk-live-7f3a9c2e-Q/+=é-51d0b8"
        let r = Redactor(secrets: [key])
        let bytes = Array(key.utf8)
        let hexLower = bytes.map { String(format: "%02x", $0) }.joined()
        let hexUpper = hexLower.uppercased()
        let percentAll = bytes.map { String(format: "%%%02X", $0) }.joined()
        let percentAllLower = bytes.map { String(format: "%%%02x", $0) }.joined()
        let unicodeAll = key.utf16.map { String(format: "\\u%04x", $0) }.joined()
        let unicodeAllUpper = key.utf16.map { String(format: "\\u%04X", $0) }.joined()
        for (form, text) in [("hex", hexLower), ("HEX", hexUpper), ("%XX every byte", percentAll),
                             ("%xx every byte", percentAllLower), ("\\u every character", unicodeAll),
                             ("\\U every character", unicodeAllUpper)] {
            let out = r.redact("key=\(text)!")
            #expect(out == "key=[REDACTED]!", "\(form): \(out)")
            // A piece of the encoding (a cut excerpt: 12 bytes of the key, encoded) is masked too.
            let piece = String(text.dropFirst(text.count / 4).prefix(text.count / 2))
            let cut = r.redact("echo: " + piece + "…")
            #expect(cut.contains(Redactor.mask) && !cut.contains(piece), "\(form) piece: \(cut)")
        }
        // Ordinary hex (an id) is left alone.
        #expect(r.redact("chatcmpl-9f8e7d6c5b4a39281706") == "chatcmpl-9f8e7d6c5b4a39281706")
    }

    /// A key under 8 bytes (`none`, `x`, `EMPTY`) is not a secret worth masking: masking it
    /// inside ordinary words would mangle the evidence.
    @Test func shortKeysAreNotMaskedInsideWords() {
        for key in ["none", "x", "EMPTY", "sk-1234"] {
            let r = Redactor(secrets: [key])
            let text = #"{"tool_choice":"none","text":"EMPTY sk-1234 x"}"#
            #expect(r.redact(text) == text, "\(key): \(r.redact(text))")
            #expect(r.isEmpty)
        }
        #expect(Redactor.tooShort(["none", "sk-long-enough-key"]) == 1)
    }
}
