import Foundation
import Testing
import TouchstoneCore

@Suite struct RedactorTests {
    static let key = "sk-proj-Ab3/De+F9_gh=Zz~xY"

    private func expectMasked(_ text: String, _ redactor: Redactor, sourceLocation: SourceLocation = #_sourceLocation) {
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
        #expect(!Redactor(secrets: ["abcd"]).isEmpty)
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
}
