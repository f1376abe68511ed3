import Foundation

/// Why a document is not JSON: the byte offset where parsing stopped and a reason.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// Zero-based byte offset into the input.
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
    public var errorDescription: String? { description }
}

/// A strict RFC 8259 parser working on UTF-8 bytes.
///
/// Decisions:
/// - A number without fraction or exponent that fits in `Int` is `.int`; every other number
///   is `.double`. A number whose magnitude overflows `Double` (e.g. `1e400`) is rejected.
/// - Duplicate object keys: the last one wins (like `JSONSerialization`).
/// - `\u` escapes of lone surrogates (`"\uD800"`, a high surrogate not followed by a low
///   one, a lone low surrogate) are grammatical JSON, but Swift strings cannot hold them:
///   each becomes U+FFFD. Raw invalid UTF-8 inside a string is rejected.
/// - Rejected: trailing non-whitespace, a byte-order mark, unescaped control characters
///   (U+0000–U+001F) in strings, leading zeros, `NaN`/`Infinity`, `+1`, `.5`, `1.`,
///   comments, trailing commas, single quotes, and nesting deeper than `maxDepth` (512)
///   containers. Parsing is iterative, so hostile nesting cannot overflow the stack.
public enum JSONParser {
    public static let maxDepth = 512

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = UTF8Scan.withBytes(bytes) { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer) }
        }
        return try result.get()
    }

    public static func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        try parse(string.utf8)
    }

    public static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = Reader(buffer)
        return try reader.parseDocument()
    }
}

extension JSONValue {
    /// Parses a JSON document (see `JSONParser`).
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        self = try JSONParser.parse(bytes)
    }

    public init(parsing string: String) throws(JSONParseError) {
        self = try JSONParser.parse(string)
    }
}

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

private struct Reader {
    let p: UnsafeBufferPointer<UInt8>
    let n: Int
    var i = 0

    init(_ p: UnsafeBufferPointer<UInt8>) {
        self.p = p
        self.n = p.count
    }

    func fail(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? i, message: message)
    }

    func describeByte(at k: Int) -> String {
        guard k < n else { return "end of input" }
        let b = p[k]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == 0x20 { return "' '" }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw fail("byte-order mark is not allowed", at: 0)
        }
        // Explicit stacks instead of recursion. Elements and members of every open container
        // live on two shared stacks; a container is built once, with its final size, when it
        // closes (so dictionaries never rehash while growing).
        var frames: [Int] = []  // start index in `elements` (arrays) or `members` (objects)
        var isObject: [Bool] = []
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        var keys: [String] = []
        frames.reserveCapacity(8)
        isObject.reserveCapacity(8)
        elements.reserveCapacity(16)
        members.reserveCapacity(16)
        keys.reserveCapacity(8)
        var value: JSONValue
        skipWhitespace()
        valueLoop: while true {
            // Here: whitespace skipped, a value is expected at i.
            guard i < n else { throw fail("unexpected end of input, expected a value") }
            switch p[i] {
            case UInt8(ascii: "{"):
                if frames.count >= JSONParser.maxDepth {
                    throw fail("nesting deeper than \(JSONParser.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                if i < n && p[i] == UInt8(ascii: "}") {
                    i += 1
                    value = .object([:])
                } else {
                    frames.append(members.count)
                    isObject.append(true)
                    keys.append(try parseKey())
                    continue valueLoop
                }
            case UInt8(ascii: "["):
                if frames.count >= JSONParser.maxDepth {
                    throw fail("nesting deeper than \(JSONParser.maxDepth) levels")
                }
                i += 1
                skipWhitespace()
                if i < n && p[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    frames.append(elements.count)
                    isObject.append(false)
                    continue valueLoop
                }
            case quote:
                i += 1
                value = .string(try parseStringBody())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            default:
                throw fail("unexpected \(describeByte(at: i)), expected a value")
            }
            // A value is complete: attach it to the open containers, closing as many as end here.
            while true {
                skipWhitespace()
                guard let inObject = isObject.last else {
                    guard i == n else { throw fail("unexpected \(describeByte(at: i)) after the JSON value") }
                    return value
                }
                if inObject {
                    members.append((keys.removeLast(), value))
                    guard i < n else { throw fail("unexpected end of input, expected ',' or '}'") }
                    if p[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        keys.append(try parseKey())
                        continue valueLoop
                    }
                    guard p[i] == UInt8(ascii: "}") else {
                        throw fail("unexpected \(describeByte(at: i)), expected ',' or '}'")
                    }
                    i += 1
                    let start = frames.removeLast()
                    isObject.removeLast()
                    var object = [String: JSONValue](minimumCapacity: members.count - start)
                    for k in start..<members.count {
                        object[members[k].key] = members[k].value  // duplicate keys: the last wins
                    }
                    members.removeSubrange(start...)
                    value = .object(object)
                } else {
                    elements.append(value)
                    guard i < n else { throw fail("unexpected end of input, expected ',' or ']'") }
                    if p[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        continue valueLoop
                    }
                    guard p[i] == UInt8(ascii: "]") else {
                        throw fail("unexpected \(describeByte(at: i)), expected ',' or ']'")
                    }
                    i += 1
                    let start = frames.removeLast()
                    isObject.removeLast()
                    value = .array(Array(elements[start...]))
                    elements.removeSubrange(start...)
                }
            }
        }
    }

    /// Parses `"key"` `:` and the whitespace after it.
    mutating func parseKey() throws(JSONParseError) -> String {
        guard i < n else { throw fail("unexpected end of input, expected a string key") }
        guard p[i] == quote else { throw fail("unexpected \(describeByte(at: i)), expected a string key") }
        i += 1
        let key = try parseStringBody()
        skipWhitespace()
        guard i < n, p[i] == UInt8(ascii: ":") else {
            throw fail("unexpected \(describeByte(at: i)), expected ':' after object key")
        }
        i += 1
        skipWhitespace()
        return key
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = i
        let count = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<count {
            guard i < n, p[i] == w[k] else {
                throw fail("invalid literal, expected '\(word)'", at: start)
            }
            i += 1
        }
    }

    /// Parses a string after its opening quote, consuming the closing quote.
    mutating func parseStringBody() throws(JSONParseError) -> String {
        let start = i
        var nonASCII = false
        while i < n {
            let c = p[i]
            if c == quote {
                if nonASCII, let bad = UTF8Scan.firstInvalid(p, from: start, to: i) {
                    throw fail("invalid UTF-8 in string", at: bad)
                }
                let s = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == backslash { break }
            if c < 0x20 { throw fail("unescaped control character U+\(hex4(UInt32(c))) in string") }
            if c >= 0x80 { nonASCII = true }
            i += 1
        }
        guard i < n else { throw fail("unterminated string", at: start - 1) }

        // Slow path: the string has escapes.
        if nonASCII, let bad = UTF8Scan.firstInvalid(p, from: start, to: i) {
            throw fail("invalid UTF-8 in string", at: bad)
        }
        var out = [UInt8]()
        out.reserveCapacity(i - start + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
        while i < n {
            let c = p[i]
            if c == quote {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == backslash {
                try parseEscape(into: &out)
            } else if c < 0x20 {
                throw fail("unescaped control character U+\(hex4(UInt32(c))) in string")
            } else if c < 0x80 {
                out.append(c)
                i += 1
            } else {
                let len = UTF8Scan.sequenceLength(p, i, n)
                guard len > 0 else { throw fail("invalid UTF-8 in string") }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + len)]))
                i += len
            }
        }
        throw fail("unterminated string", at: start - 1)
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = i
        i += 1
        guard i < n else { throw fail("unterminated string", at: escapeStart) }
        let e = p[i]
        i += 1
        switch e {
        case quote: out.append(quote)
        case backslash: out.append(backslash)
        case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let u = try parseHex4(escapeStart)
            if u >= 0xD800 && u <= 0xDBFF {
                // A high surrogate: pair it with an immediately following low surrogate escape.
                if i + 1 < n && p[i] == backslash && p[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try parseHex4(save)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        UTF8Scan.append(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), to: &out)
                    } else {
                        // Lone high surrogate; reparse the second escape on its own.
                        UTF8Scan.append(0xFFFD, to: &out)
                        i = save
                    }
                } else {
                    UTF8Scan.append(0xFFFD, to: &out)
                }
            } else if u >= 0xDC00 && u <= 0xDFFF {
                UTF8Scan.append(0xFFFD, to: &out)
            } else {
                UTF8Scan.append(u, to: &out)
            }
        default:
            throw fail("invalid escape '\\\(describeByte(at: i - 1))' in string", at: escapeStart)
        }
    }

    mutating func parseHex4(_ escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < n else { throw fail("unterminated \\u escape", at: escapeStart) }
            let c = p[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape: expected four hex digits", at: escapeStart)
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    @inline(__always)
    func isDigit(_ k: Int) -> Bool {
        k < n && p[k] >= UInt8(ascii: "0") && p[k] <= UInt8(ascii: "9")
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        let negative = p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard isDigit(i) else { throw fail("expected a digit after '-'") }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw fail("leading zeros are not allowed", at: start) }
        } else {
            while isDigit(i) { i += 1 }
        }
        var integral = true
        if i < n && p[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard isDigit(i) else { throw fail("expected a digit after the decimal point") }
            while isDigit(i) { i += 1 }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            integral = false
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw fail("expected a digit in the exponent") }
            while isDigit(i) { i += 1 }
        }
        if integral {
            // Accumulate negatively so that Int.min fits.
            var v = 0
            var overflow = false
            var k = negative ? start + 1 : start
            while k < i {
                let d = Int(p[k] &- UInt8(ascii: "0"))
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(d)
                if o1 || o2 { overflow = true; break }
                v = s
                k += 1
            }
            if !overflow {
                if negative { return .int(v) }
                if v != Int.min { return .int(-v) }
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw fail("number out of range", at: start)
        }
        return .double(d)
    }
}

@inline(__always)
fileprivate func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
