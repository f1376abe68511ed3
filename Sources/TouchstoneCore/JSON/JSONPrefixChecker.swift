/// An incremental check of "is the text so far a prefix of some valid JSON document?"
/// (by default: of some JSON *object*). Used for output cut by `finish_reason:"length"`.
///
/// A small state machine over bytes: feed any chunking, byte by byte if need be; strings
/// with escapes, `\u` escapes, UTF-8 sequences, numbers (`-`, `1.`, `1e`, `1e+`) and literals
/// (`tr`) may be cut anywhere. Leading and trailing whitespace are allowed. Empty (or
/// whitespace-only) input is a valid prefix but not complete; `started` says whether the
/// first `{` has been seen. Rules match `JSONParser` (leading zeros, control characters and
/// invalid UTF-8 in strings are errors; lone surrogate escapes are accepted; depth ≤ 512).
/// Once a byte fails, `failure` holds its offset and the checker ignores further input.
public struct JSONPrefixChecker: Sendable {
    public enum TopLevel: Sendable, Hashable {
        /// The document must be an object.
        case object
        /// Any JSON value.
        case any
    }

    public let topLevel: TopLevel
    public let maxDepth: Int
    /// Set at the first byte that no valid document could contain; nothing changes after.
    public private(set) var failure: JSONParseError?
    public private(set) var bytesConsumed = 0
    /// True once the first non-whitespace byte of a valid value has been seen.
    public private(set) var started = false

    private var mode: Mode = .value
    private var allowClose = false  // in `.value`: a `]` may close an empty array
    private var stack: [Bool] = []  // true: object, false: array
    private var inKey = false
    private var hexLeft = 0
    private var utf8Left = 0
    private var utf8Low: UInt8 = 0x80
    private var utf8High: UInt8 = 0xBF
    private var literal: Literal = .true
    private var literalPos = 0

    private enum Mode: UInt8 {
        case value, keyOrClose, key, colon, afterValue, done
        case string, escape, unicode
        case minus, zero, intDigits, dot, fracDigits, exp, expSign, expDigits
        case literal
    }

    private enum Literal {
        case `true`, `false`, null
        var bytes: StaticString {
            switch self {
            case .true: "true"
            case .false: "false"
            case .null: "null"
            }
        }
    }

    public init(topLevel: TopLevel = .object, maxDepth: Int = JSONParser.maxDepth) {
        self.topLevel = topLevel
        self.maxDepth = maxDepth
    }

    /// True while everything fed so far can still be extended into a valid document.
    public var isValidPrefix: Bool { failure == nil }

    /// True when what was fed is a whole valid document (plus optional whitespace).
    public var isComplete: Bool {
        guard failure == nil else { return false }
        switch mode {
        case .done: return true
        case .zero, .intDigits, .fracDigits, .expDigits: return stack.isEmpty  // a bare number at the top
        default: return false
        }
    }

    public mutating func feed(_ string: String) {
        feed(string.utf8)
    }

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        UTF8Scan.withBytes(bytes) { p in feed(buffer: p) }
    }

    public static func isValidPrefix(_ text: String, topLevel: TopLevel = .object) -> Bool {
        var c = JSONPrefixChecker(topLevel: topLevel)
        c.feed(text)
        return c.isValidPrefix
    }

    /// Is `text` a non-empty prefix of some JSON object: at least the opening `{` (after
    /// optional whitespace), and nothing no object could continue with? Empty or
    /// whitespace-only text is NOT accepted here (use `isValidPrefix` for the bare property).
    public static func isValidObjectPrefix(_ text: String) -> Bool {
        var c = JSONPrefixChecker(topLevel: .object)
        c.feed(text)
        return c.isValidPrefix && c.started
    }

    /// Is `text` exactly one JSON object (with optional surrounding whitespace)?
    public static func isCompleteObject(_ text: String) -> Bool {
        var c = JSONPrefixChecker(topLevel: .object)
        c.feed(text)
        return c.isComplete
    }

    private mutating func fail(_ message: String, _ k: Int) {
        failure = JSONParseError(offset: bytesConsumed + k, message: message)
    }

    private mutating func valueCompleted() {
        mode = stack.isEmpty ? .done : .afterValue
    }

    @inline(__always)
    private static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    private mutating func feed(buffer p: UnsafeBufferPointer<UInt8>) {
        var k = 0
        let n = p.count
        while k < n {
            let c = p[k]
            switch mode {
            case .string:
                // Fast scan of plain string bytes.
                if utf8Left > 0 {
                    guard c >= utf8Low && c <= utf8High else { return fail("invalid UTF-8 in string", k) }
                    utf8Left -= 1
                    utf8Low = 0x80
                    utf8High = 0xBF
                } else if c == UInt8(ascii: "\"") {
                    if inKey { mode = .colon } else { valueCompleted() }
                } else if c == UInt8(ascii: "\\") {
                    mode = .escape
                } else if c < 0x20 {
                    return fail("unescaped control character in string", k)
                } else if c >= 0x80 {
                    switch c {
                    case 0xC2...0xDF: utf8Left = 1
                    case 0xE0: utf8Left = 2; utf8Low = 0xA0
                    case 0xED: utf8Left = 2; utf8High = 0x9F
                    case 0xE1...0xEF: utf8Left = 2
                    case 0xF0: utf8Left = 3; utf8Low = 0x90
                    case 0xF4: utf8Left = 3; utf8High = 0x8F
                    case 0xF1...0xF3: utf8Left = 3
                    default: return fail("invalid UTF-8 in string", k)
                    }
                }
                k += 1
            case .escape:
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    mode = .string
                case UInt8(ascii: "u"):
                    mode = .unicode
                    hexLeft = 4
                default:
                    return fail("invalid escape in string", k)
                }
                k += 1
            case .unicode:
                let isHex = JSONPrefixChecker.isDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
                guard isHex else { return fail("invalid \\u escape: expected four hex digits", k) }
                hexLeft -= 1
                if hexLeft == 0 { mode = .string }
                k += 1
            case .value:
                if JSONPrefixChecker.isWhitespace(c) { k += 1; continue }
                if stack.isEmpty && topLevel == .object && c != UInt8(ascii: "{") {
                    return fail("expected '{' to start a JSON object", k)
                }
                started = true
                switch c {
                case UInt8(ascii: "{"):
                    guard stack.count < maxDepth else { return fail("nesting deeper than \(maxDepth) levels", k) }
                    stack.append(true)
                    mode = .keyOrClose
                case UInt8(ascii: "["):
                    guard stack.count < maxDepth else { return fail("nesting deeper than \(maxDepth) levels", k) }
                    stack.append(false)
                    mode = .value
                    allowClose = true
                    k += 1
                    continue
                case UInt8(ascii: "]") where allowClose:
                    stack.removeLast()
                    valueCompleted()
                case UInt8(ascii: "\""):
                    inKey = false
                    mode = .string
                case UInt8(ascii: "-"): mode = .minus
                case UInt8(ascii: "0"): mode = .zero
                case UInt8(ascii: "1")...UInt8(ascii: "9"): mode = .intDigits
                case UInt8(ascii: "t"): startLiteral(.true)
                case UInt8(ascii: "f"): startLiteral(.false)
                case UInt8(ascii: "n"): startLiteral(.null)
                default: return fail("expected a value", k)
                }
                allowClose = false
                k += 1
            case .keyOrClose, .key:
                if JSONPrefixChecker.isWhitespace(c) { k += 1; continue }
                if c == UInt8(ascii: "\"") {
                    inKey = true
                    mode = .string
                } else if c == UInt8(ascii: "}") && mode == .keyOrClose {
                    stack.removeLast()
                    valueCompleted()
                } else {
                    return fail("expected a string key", k)
                }
                k += 1
            case .colon:
                if JSONPrefixChecker.isWhitespace(c) { k += 1; continue }
                guard c == UInt8(ascii: ":") else { return fail("expected ':' after object key", k) }
                mode = .value
                allowClose = false
                k += 1
            case .afterValue:
                if JSONPrefixChecker.isWhitespace(c) { k += 1; continue }
                let inObject = stack.last!
                if c == UInt8(ascii: ",") {
                    if inObject {
                        mode = .key
                    } else {
                        mode = .value
                        allowClose = false
                    }
                } else if c == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    stack.removeLast()
                    valueCompleted()
                } else {
                    return fail(inObject ? "expected ',' or '}'" : "expected ',' or ']'", k)
                }
                k += 1
            case .done:
                guard JSONPrefixChecker.isWhitespace(c) else { return fail("unexpected data after the JSON value", k) }
                k += 1
            case .literal:
                let word = literal.bytes
                guard c == word.utf8Start[literalPos] else { return fail("invalid literal, expected '\(word)'", k) }
                literalPos += 1
                if literalPos == word.utf8CodeUnitCount { valueCompleted() }
                k += 1
            case .minus:
                if c == UInt8(ascii: "0") { mode = .zero }
                else if JSONPrefixChecker.isDigit(c) { mode = .intDigits }
                else { return fail("expected a digit after '-'", k) }
                k += 1
            case .zero, .intDigits, .fracDigits, .expDigits:
                if JSONPrefixChecker.isDigit(c) {
                    if mode == .zero { return fail("leading zeros are not allowed", k) }
                    k += 1
                } else if c == UInt8(ascii: ".") && (mode == .zero || mode == .intDigits) {
                    mode = .dot
                    k += 1
                } else if (c == UInt8(ascii: "e") || c == UInt8(ascii: "E")) && mode != .expDigits {
                    mode = .exp
                    k += 1
                } else {
                    valueCompleted()  // the number ends; reprocess c
                }
            case .dot:
                guard JSONPrefixChecker.isDigit(c) else { return fail("expected a digit after the decimal point", k) }
                mode = .fracDigits
                k += 1
            case .exp:
                if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { mode = .expSign }
                else if JSONPrefixChecker.isDigit(c) { mode = .expDigits }
                else { return fail("expected a digit in the exponent", k) }
                k += 1
            case .expSign:
                guard JSONPrefixChecker.isDigit(c) else { return fail("expected a digit in the exponent", k) }
                mode = .expDigits
                k += 1
            }
        }
        bytesConsumed += n
    }

    private mutating func startLiteral(_ l: Literal) {
        mode = .literal
        literal = l
        literalPos = 1
    }
}
