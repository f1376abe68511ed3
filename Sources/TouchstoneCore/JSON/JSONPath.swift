import Foundation

/// Why a path expression is invalid: a reason and the 1-based column (in Unicode scalars).
public struct JSONPathError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    public var path: String
    public var column: Int
    public var message: String

    public init(path: String, column: Int, message: String) {
        self.path = path
        self.column = column
        self.message = message
    }

    public var description: String { "invalid JSONPath '\(path)' at column \(column): \(message)" }
    public var errorDescription: String? { description }
}

/// A JSONPath subset: `$`, `.name`, `['name']` / `["name"]` (names may hold any character;
/// `\\`, `\'`, `\"` escape), `[N]`, `[-N]` (from the end), `.*` and `[*]` (every element of an
/// array, or every member value of an object in key order). Dot names may contain letters,
/// digits, `_`, `-` and `$`. No filters, slices or recursive descent.
///
/// Selecting a name on a non-object, an index on a non-array or a missing member yields
/// nothing, so `evaluate` returns `[]` for "absent".
public struct JSONPath: Sendable, Hashable, CustomStringConvertible, Codable {
    public enum Segment: Sendable, Hashable {
        case name(String)
        case index(Int)
        case wildcard
    }

    public let segments: [Segment]

    public static let root = JSONPath(segments: [])

    public init(segments: [Segment]) {
        self.segments = segments
    }

    public init(_ text: String) throws(JSONPathError) {
        var parser = PathParser(text: text)
        segments = try parser.parse()
    }

    /// Every value the path selects, in document order.
    public func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for segment in segments {
            var next: [JSONValue] = []
            for value in current {
                switch (segment, value) {
                case (.name(let name), .object(let o)):
                    if let v = o[name] { next.append(v) }
                case (.index(let k), .array(let a)):
                    let index = k < 0 ? a.count + k : k
                    if index >= 0 && index < a.count { next.append(a[index]) }
                case (.wildcard, .array(let a)):
                    next.append(contentsOf: a)
                case (.wildcard, .object(let o)):
                    for key in o.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                        next.append(o[key]!)
                    }
                default:
                    break
                }
            }
            if next.isEmpty { return [] }
            current = next
        }
        return current
    }

    /// The first selected value, or nil when the path selects nothing.
    public func first(in root: JSONValue) -> JSONValue? {
        evaluate(root).first
    }

    public func appending(_ segment: Segment) -> JSONPath {
        JSONPath(segments: segments + [segment])
    }

    /// The canonical text: `$.a['b.c'][0][*]`.
    public var description: String {
        JSONPath.render(segments)
    }

    static func render(_ segments: some Sequence<Segment>) -> String {
        var out = "$"
        for segment in segments {
            switch segment {
            case .name(let name): appendName(name, to: &out)
            case .index(let k): out += "[\(k)]"
            case .wildcard: out += "[*]"
            }
        }
        return out
    }

    static func appendName(_ name: String, to out: inout String) {
        if isPlainName(name) {
            out += "."
            out += name
            return
        }
        out += "['"
        for ch in name.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            default: out.unicodeScalars.append(ch)
            }
        }
        out += "']"
    }

    /// Names written with a dot when rendering: an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        guard isIdentStart(first) else { return false }
        return name.utf8.allSatisfy { isIdentStart($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    private static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

private struct PathParser {
    let text: String
    let s: [Unicode.Scalar]
    var i = 0

    init(text: String) {
        self.text = text
        self.s = Array(text.unicodeScalars)
    }

    func fail(_ message: String, at k: Int? = nil) -> JSONPathError {
        JSONPathError(path: text, column: (k ?? i) + 1, message: message)
    }

    func describe(_ k: Int) -> String {
        k < s.count ? "'\(s[k])'" : "end of path"
    }

    static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", "$": return true
        default: return c.value >= 0x80 && !c.properties.isWhitespace
        }
    }

    mutating func skipSpaces() {
        while i < s.count && (s[i] == " " || s[i] == "\t") { i += 1 }
    }

    mutating func parse() throws(JSONPathError) -> [JSONPath.Segment] {
        guard !s.isEmpty else { throw fail("empty path; a path starts with '$'") }
        guard s[0] == "$" else { throw fail("a path starts with '$', found \(describe(0))") }
        i = 1
        var segments: [JSONPath.Segment] = []
        while i < s.count {
            switch s[i] {
            case ".":
                i += 1
                guard i < s.count else { throw fail("expected a name or '*' after '.'") }
                if s[i] == "." { throw fail("recursive descent '..' is not supported", at: i - 1) }
                if s[i] == "*" {
                    i += 1
                    segments.append(.wildcard)
                    continue
                }
                let start = i
                while i < s.count && PathParser.isNameScalar(s[i]) { i += 1 }
                guard i > start else {
                    throw fail("expected a name or '*' after '.', found \(describe(i)); use ['...'] for other names")
                }
                var name = ""
                name.unicodeScalars.append(contentsOf: s[start..<i])
                segments.append(.name(name))
            case "[":
                let open = i
                i += 1
                skipSpaces()
                guard i < s.count else { throw fail("unclosed '['", at: open) }
                let c = s[i]
                if c == "*" {
                    i += 1
                    segments.append(.wildcard)
                } else if c == "'" || c == "\"" {
                    segments.append(.name(try parseQuoted(c)))
                } else if c == "-" || ("0"..."9").contains(c) {
                    segments.append(.index(try parseIndex()))
                } else if c == "?" || c == ":" {
                    throw fail("filters and slices are not supported")
                } else {
                    throw fail("expected a quoted name, an index or '*' inside [], found \(describe(i))")
                }
                skipSpaces()
                guard i < s.count, s[i] == "]" else {
                    throw fail("expected ']' to close the '[' at column \(open + 1), found \(describe(i))")
                }
                i += 1
            default:
                throw fail("expected '.' or '[', found \(describe(i))")
            }
        }
        return segments
    }

    mutating func parseQuoted(_ q: Unicode.Scalar) throws(JSONPathError) -> String {
        let open = i
        i += 1
        var name = ""
        while i < s.count {
            let c = s[i]
            if c == q {
                i += 1
                return name
            }
            if c == "\\" {
                i += 1
                guard i < s.count else { break }
                let e = s[i]
                guard e == "\\" || e == "'" || e == "\"" else {
                    throw fail("unknown escape '\\\(e)' in quoted name; only \\\\, \\' and \\\" are allowed")
                }
                name.unicodeScalars.append(e)
                i += 1
                continue
            }
            name.unicodeScalars.append(c)
            i += 1
        }
        throw fail("unterminated quoted name", at: open)
    }

    mutating func parseIndex() throws(JSONPathError) -> Int {
        let start = i
        var negative = false
        if s[i] == "-" {
            negative = true
            i += 1
        }
        var value = 0
        let digitsStart = i
        while i < s.count, let d = s[i].properties.numericType == .decimal && s[i].isASCII
            ? Int(s[i].value - 0x30) : nil
        {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { throw fail("index is too large", at: start) }
            value = a
            i += 1
        }
        guard i > digitsStart else { throw fail("expected digits after '-'") }
        if i - digitsStart > 1 && s[digitsStart] == "0" { throw fail("leading zeros in index", at: start) }
        if negative && value == 0 { throw fail("'-0' is not a valid index", at: start) }
        return negative ? -value : value
    }
}
