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
        // A frame is the start index of its container's items in `elements` (arrays) or
        // `members` (objects), shifted left once, with the low bit set for objects. An object's
        // member is appended with its key as soon as the key is read, its value set when done.
        var frames: [Int] = []
        var elements: [JSONValue] = []
        var members: [(key: String, value: JSONValue)] = []
        frames.reserveCapacity(8)
        members.reserveCapacity(16)
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
                    frames.append(members.count << 1 | 1)
                    members.append((try parseKey(), .null))
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
                    frames.append(elements.count << 1)
                    continue valueLoop
                }
            case quote:
                i += 1
                value = .string(try parseStringBody(intern: true))
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
                guard let frame = frames.last else {
                    guard i == n else { throw fail("unexpected \(describeByte(at: i)) after the JSON value") }
                    return value
                }
                if frame & 1 == 1 {
                    members[members.count - 1].value = value
                    guard i < n else { throw fail("unexpected end of input, expected ',' or '}'") }
                    if p[i] == UInt8(ascii: ",") {
                        i += 1
                        skipWhitespace()
                        members.append((try parseKey(), .null))
                        continue valueLoop
                    }
                    guard p[i] == UInt8(ascii: "}") else {
                        throw fail("unexpected \(describeByte(at: i)), expected ',' or '}'")
                    }
                    i += 1
                    let start = frames.removeLast() >> 1
                    var object = [String: JSONValue](minimumCapacity: members.count - start)
                    // Members are moved out from the last one, so a duplicate key met later here
                    // was written earlier in the document: the one already stored (the last) wins.
                    while members.count > start {
                        let m = members.removeLast()
                        if let later = object.updateValue(m.value, forKey: m.key) { object[m.key] = later }
                    }
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
                    let start = frames.removeLast() >> 1
                    if start == 0 {
                        // The outermost open array: hand over the stack itself.
                        var all: [JSONValue] = []
                        swap(&all, &elements)
                        value = .array(all)
                    } else {
                        value = .array(Array(elements[start...]))
                        elements.removeSubrange(start...)
                    }
                }
            }
        }
    }

    /// Parses `"key"` `:` and the whitespace after it.
    mutating func parseKey() throws(JSONParseError) -> String {
        guard i < n else { throw fail("unexpected end of input, expected a string key") }
        guard p[i] == quote else { throw fail("unexpected \(describeByte(at: i)), expected a string key") }
        i += 1
        let key = try parseStringBody(intern: true)
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

    /// Parses a string after its opening quote, consuming the closing quote. With `intern`, an
    /// ASCII string without escapes that is one of `WellKnownStrings` is shared, not built.
    mutating func parseStringBody(intern: Bool = false) throws(JSONParseError) -> String {
        let start = i
        var nonASCII = false
        let raw = UnsafeRawPointer(p.baseAddress)
        scan: while true {
            // Eight bytes at a time up to the first quote, backslash or control character.
            if let raw {
                while i &+ 8 <= n {
                    let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let special = SWAR.quoteBackslashOrControl(w)
                    if special == 0 {
                        if w & SWAR.high != 0 { nonASCII = true }
                        i &+= 8
                        continue
                    }
                    let k = special.trailingZeroBitCount >> 3
                    if k > 0 && w & SWAR.high & (UInt64.max >> (64 - 8 * k)) != 0 { nonASCII = true }
                    i &+= k
                    break
                }
            }
            guard i < n else { break scan }
            let c = p[i]
            if c == quote {
                if nonASCII, let bad = UTF8Scan.firstInvalid(p, from: start, to: i) {
                    throw fail("invalid UTF-8 in string", at: bad)
                }
                let bytes = UnsafeBufferPointer(rebasing: p[start..<i])
                i += 1
                if intern && !nonASCII, let known = WellKnownStrings.lookup(bytes) { return known }
                return String(decoding: bytes, as: UTF8.self)
            }
            if c == backslash { break scan }
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

/// Word-at-a-time byte tests on eight bytes in a UInt64 (little-endian: the first byte lowest).
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// The high bit set in each byte of `w` that is `"` (0x22), `\` (0x5C) or below 0x20; zero
    /// when there is none. The lowest set bit is always exact (bits above it may be false
    /// positives from a borrow); bytes of 0x80 and more never match.
    @inline(__always)
    static func quoteBackslashOrControl(_ w: UInt64) -> UInt64 {
        let q = w ^ (ones &* 0x22)
        let b = w ^ (ones &* 0x5C)
        let zeroQ = (q &- ones) & ~q
        let zeroB = (b &- ones) & ~b
        let control = (w &- ones &* 0x20) & ~w
        return (zeroQ | zeroB | control) & high
    }
}

/// Keys and values that OpenAI-style responses repeat in every chunk: parsed strings equal to
/// one of these share its storage instead of being built again (same value, less work).
enum WellKnownStrings {
    static let words: [String] = [
        "id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "index",
        "delta", "message", "role", "content", "refusal", "logprobs", "top_logprobs", "finish_reason",
        "usage", "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details",
        "completion_tokens_details", "cached_tokens", "audio_tokens", "reasoning_tokens",
        "accepted_prediction_tokens", "rejected_prediction_tokens", "tool_calls", "function", "name",
        "arguments", "type", "text", "error", "code", "param", "data", "embedding", "reasoning",
        "reasoning_content", "annotations", "obfuscation", "token", "bytes", "stop", "status", "output",
        "chat.completion.chunk", "chat.completion", "assistant", "user", "system", "tool", "length",
        "list", "default", "text_completion",
    ]

    /// An open-addressed table of `words`, built once and never freed: slot → word index + 1
    /// (0: empty), probed from a hash of the length and the first and last bytes.
    struct Table {
        let slots: UnsafeMutablePointer<UInt8>
        let bytes: UnsafeMutablePointer<UInt8>
        let starts: UnsafeMutablePointer<Int>
        let counts: UnsafeMutablePointer<Int>
        let strings: [String]
    }

    nonisolated(unsafe) static let table: Table = {
        let utf8 = words.map { Array($0.utf8) }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: utf8.reduce(0) { $0 + $1.count })
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: words.count)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: words.count)
        let slots = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        slots.initialize(repeating: 0, count: 256)
        var offset = 0
        for (k, w) in utf8.enumerated() {
            (bytes + offset).initialize(from: w, count: w.count)
            starts[k] = offset
            counts[k] = w.count
            offset += w.count
            var slot = hash(w.count, w[0], w[w.count - 1])
            while slots[slot] != 0 { slot = (slot + 1) & 255 }
            slots[slot] = UInt8(k + 1)
        }
        return Table(slots: slots, bytes: bytes, starts: starts, counts: counts, strings: words)
    }()

    @inline(__always)
    static func hash(_ count: Int, _ first: UInt8, _ last: UInt8) -> Int {
        (count &* 29 &+ Int(first) &* 7 &+ Int(last) &* 3) & 255
    }

    @inline(__always)
    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        guard count > 1, count < 32, let base = bytes.baseAddress else { return nil }
        let t = table
        var slot = hash(count, base[0], base[count - 1])
        while true {
            let k = Int(t.slots[slot])
            if k == 0 { return nil }
            if t.counts[k - 1] == count && memcmp(t.bytes + t.starts[k - 1], base, count) == 0 {
                return t.strings[k - 1]
            }
            slot = (slot + 1) & 255
        }
    }
}
