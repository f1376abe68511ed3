import TouchstoneCore

/// A `curl` command line that sends the same request again, for evidence (`Evidence.curl`).
///
/// - The key never appears: wherever the request carried it (an `Authorization: Bearer`
///   header, an `api-key` header, …) the command reads it from the environment variable it came
///   from, `"${OPENAI_API_KEY}"`, or `${TOUCHSTONE_API_KEY}` when the key did not come from a
///   variable (the emulator's). Every other secret is masked by the redactor, as everywhere.
/// - One line for POSIX shells: words in single quotes (double quotes where the key variable
///   is expanded). A body with control characters or bytes that are not UTF-8 (a NUL cannot be
///   a command-line argument) is piped in: `printf '{\000\377}' | curl … --data-binary @-`.
///   Method, URL, every header and the body exactly as sent; `-N` for streams, `-k` with
///   `--insecure`.
/// - A body longer than `bodyLimit` bytes is cut at a UTF-8 boundary and the command ends
///   with a `# body cut …` comment: shape only, not runnable as is.
public enum CurlCommand {
    /// The variable named when the key did not come from one.
    public static let placeholderVariable = "TOUCHSTONE_API_KEY"
    public static let bodyLimit = 4096

    /// What the command needs to know about the target besides the request.
    public struct Context: Sendable {
        public var key: String?
        /// The environment variable the key was read from (a shell identifier).
        public var keyVariable: String
        public var insecure: Bool

        public init(key: String?, keyVariable: String?, insecure: Bool) {
            self.key = key
            if let v = keyVariable, CurlCommand.isIdentifier(v) {
                self.keyVariable = v
            } else {
                self.keyVariable = CurlCommand.placeholderVariable
            }
            self.insecure = insecure
        }
    }

    public static func render(_ request: PreparedRequest, context: Context, redactor: Redactor,
                              bodyLimit: Int = CurlCommand.bodyLimit) -> String {
        var words = ["curl", "-sS", "-i"]
        let hasBody = request.body != nil
        switch request.method.uppercased() {
        case "GET" where !hasBody, "POST" where hasBody: break
        case "HEAD" where !hasBody: words.append("--head")
        default: words += ["-X", singleQuoted(request.method)]
        }
        if request.headers.contains(where: { $0.name.lowercased() == "accept" && $0.value.contains("text/event-stream") }) {
            words.append("-N")
        }
        if context.insecure { words.append("-k") }
        words.append(secretAware("\(request.url)", context, redactor))
        for h in request.headers {
            words += ["-H", secretAware("\(h.name): \(h.value)", context, redactor)]
        }
        var note = ""
        var pipe = ""
        if let body = request.body {
            var shown = body[...]
            if body.count > bodyLimit {
                var cut = bodyLimit
                while cut > 0 && (body[cut] & 0xC0) == 0x80 { cut -= 1 }  // not inside a UTF-8 sequence
                shown = body[..<cut]
                note = " # body cut at \(cut) of \(body.count) bytes"
            }
            if let text = String(validating: shown, as: UTF8.self), !needsEscapes(text) {
                words += ["--data-raw", secretAware(text, context, redactor)]
            } else {
                // Exact bytes through printf (octal escapes); secrets (the key among them) masked.
                pipe = "printf " + printfFormat(redactor.redact(bytes: Array(shown))) + " | "
                words += ["--data-binary", "@-"]
            }
        }
        return pipe + words.joined(separator: " ") + note
    }

    /// A printf format that prints exactly `bytes`: printable ASCII and valid UTF-8 as is,
    /// `%%`, `\\`, and `\NNN` (octal) for every other byte; single-quoted.
    static func printfFormat(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                out += "%%"
                i += 1
            } else if b == UInt8(ascii: "\\") {
                out += "\\\\"
                i += 1
            } else if b >= 0x20 && b < 0x7F {
                out.unicodeScalars.append(UnicodeScalar(b))
                i += 1
            } else if b >= 0x80, let (scalar, n) = decodeOne(bytes, at: i) {
                out.unicodeScalars.append(scalar)
                i += n
            } else {
                let octal = String(b, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
                i += 1
            }
        }
        return singleQuoted(out)
    }

    /// A word in which the key becomes `${VARIABLE}` and other secrets are masked.
    static func secretAware(_ text: String, _ context: Context, _ redactor: Redactor) -> String {
        guard let key = context.key, !key.isEmpty, text.contains(key) else {
            return quoted(redactor.redact(text))
        }
        // A key too short to be a secret (`x`, `none`) would be replaced inside ordinary
        // words: only the header that carries it names the variable.
        if key.utf8.count < Redactor.minimumLength {
            guard text.hasSuffix(": \(key)") || text.hasSuffix(" \(key)") else { return quoted(redactor.redact(text)) }
            let head = String(text.dropLast(key.count))
            return "\"" + doubleQuotedContent(redactor.redact(head)) + "${\(context.keyVariable)}\""
        }
        let pieces = text.components(separatedBy: key).map { redactor.redact($0) }
        return "\"" + pieces.map(doubleQuotedContent).joined(separator: "${\(context.keyVariable)}") + "\""
    }

    static func quoted(_ text: String) -> String {
        needsEscapes(text) ? ansiC(Array(text.utf8)) : singleQuoted(text)
    }

    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Inside double quotes `\`, `"`, `$` and backquote are special; control characters are
    /// written as `$'…'` pieces glued to the quoted text.
    static func doubleQuotedContent(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "\"", "$", "`": out += "\\" + String(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\"" + ansiC(Array(String(scalar).utf8)) + "\""
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Control characters (a newline included): they would break the one-line command.
    static func needsEscapes(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `$'…'`: printable ASCII and valid UTF-8 as is, `\\`, `\'`, and `\xHH` for the rest.
    static func ansiC(_ bytes: [UInt8]) -> String {
        var out = "$'"
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") || b == UInt8(ascii: "'") {
                out += "\\" + String(UnicodeScalar(b))
                i += 1
            } else if b >= 0x20 && b < 0x7F {
                out.unicodeScalars.append(UnicodeScalar(b))
                i += 1
            } else if b >= 0x80, let (scalar, n) = decodeOne(bytes, at: i) {
                out.unicodeScalars.append(scalar)
                i += n
            } else {
                out += "\\x" + String(b, radix: 16, uppercase: false).leftPadded(to: 2)
                i += 1
            }
        }
        return out + "'"
    }

    /// One valid UTF-8 sequence of 2–4 bytes at `i`.
    private static func decodeOne(_ bytes: [UInt8], at i: Int) -> (UnicodeScalar, Int)? {
        let b = bytes[i]
        let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
        guard n > 0, i + n <= bytes.count,
              let s = String(validating: bytes[i..<i + n], as: UTF8.self), s.unicodeScalars.count == 1 else { return nil }
        return (s.unicodeScalars.first!, n)
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else {
            return false
        }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

private extension String {
    func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
