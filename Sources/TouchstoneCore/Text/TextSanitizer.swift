/// Turns untrusted bytes (response bodies, SSE lines, model output) into short, printable,
/// unambiguous evidence text.
public enum TextSanitizer {
    /// Decodes `bytes` as UTF-8 and makes every hazard visible:
    /// - a byte that does not belong to a well-formed sequence → `\xFF` (uppercase hex);
    /// - C0 controls other than `\n` and `\t` (NUL, CR and ESC included), DEL, C1 controls
    ///   (U+0080–U+009F) and the noncharacters U+FFFE/U+FFFF → `\u001B`-style escapes.
    ///
    /// When there are more than `limit` bytes, the first and last ~`limit/2` bytes are kept
    /// (cut on character boundaries) around the marker `…[N bytes omitted]…`. The limit
    /// counts input bytes; escapes can make the output longer.
    public static func excerpt(_ bytes: some Collection<UInt8>, limit: Int = 2048) -> String {
        UTF8Scan.withBytes(bytes) { p in excerpt(buffer: p, limit: limit) }
    }

    public static func excerpt(_ text: String, limit: Int = 2048) -> String {
        excerpt(text.utf8, limit: limit)
    }

    static func excerpt(buffer p: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(min(p.count, max(limit, 0)) + 32)
        if let (headEnd, tailStart) = headAndTail(p, limit: limit) {
            render(p, 0, headEnd, into: &out)
            out.append(contentsOf: omissionMarker(tailStart - headEnd).utf8)
            render(p, tailStart, p.count, into: &out)
        } else {
            render(p, 0, p.count, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One line for details and messages: line breaks, tabs and runs of spaces become a
    /// single space, the result is trimmed, other control characters become `\u001B`-style
    /// escapes, and text longer than `limit` characters is cut and ends with `…`.
    public static func oneLine(_ s: String, limit: Int = 200) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                pendingSpace = !out.isEmpty
                continue
            default:
                break
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            if isHazard(scalar.value) {
                var bytes = [UInt8]()
                UTF8Scan.appendScalarEscape(scalar.value, to: &bytes)
                out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        let line = String(out)
        guard limit > 0 else { return "" }
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }

    static func omissionMarker(_ omitted: Int) -> String {
        "…[\(omitted) bytes omitted]…"
    }

    /// Where to cut a buffer longer than `limit`: the end of the kept head and the start of
    /// the kept tail, moved so that no UTF-8 sequence is split. Nil when no cut is needed.
    static func headAndTail(_ p: UnsafeBufferPointer<UInt8>, limit: Int) -> (Int, Int)? {
        let n = p.count
        let limit = max(0, limit)
        guard n > limit else { return nil }
        var headEnd = limit / 2
        var steps = 0
        while headEnd > 0 && steps < 3 && p[headEnd] & 0xC0 == 0x80 {
            headEnd -= 1
            steps += 1
        }
        var tailStart = n - (limit - limit / 2)
        steps = 0
        while tailStart < n && steps < 3 && p[tailStart] & 0xC0 == 0x80 {
            tailStart += 1
            steps += 1
        }
        return (headEnd, tailStart)
    }

    /// Controls (C0 but `\n` `\t`, DEL, C1) and U+FFFE/U+FFFF.
    @inline(__always)
    static func isHazard(_ v: UInt32) -> Bool {
        (v < 0x20 && v != 0x0A && v != 0x09) || (v >= 0x7F && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF
    }

    static func render(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, into out: inout [UInt8]) {
        var i = from
        while i < to {
            let b = p[i]
            if b >= 0x20 && b < 0x7F || b == 0x0A || b == 0x09 {
                out.append(b)
                i += 1
                continue
            }
            if b < 0x80 {
                UTF8Scan.appendScalarEscape(UInt32(b), to: &out)
                i += 1
                continue
            }
            let len = UTF8Scan.sequenceLength(p, i, to)
            if len == 0 {
                UTF8Scan.appendByteEscape(b, to: &out)
                i += 1
                continue
            }
            let v = UTF8Scan.decode(p, i, len)
            if isHazard(v) {
                UTF8Scan.appendScalarEscape(v, to: &out)
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + len)]))
            }
            i += len
        }
    }
}

/// Makes text safe for XML 1.0 (JUnit reports): libxml2 escapes `& < > "` but writes other
/// forbidden characters raw, which makes the file unparseable.
public enum XMLText {
    /// Replaces every character outside XML 1.0 `Char` (allowed: U+0009, U+000A, U+000D,
    /// U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF) with a visible `\u001B`-style escape.
    /// With a `limit`, text longer than `limit` UTF-8 bytes keeps its first and last
    /// ~`limit/2` bytes around `…[N bytes omitted]…` (the cut happens before escaping).
    public static func filter(_ s: String, limit: Int? = nil) -> String {
        if isClean(s) && (limit == nil || s.utf8.count <= limit!) { return s }
        var capped = s
        if let limit {
            capped = capped.withUTF8 { p -> String in
                guard let (headEnd, tailStart) = TextSanitizer.headAndTail(p, limit: limit) else { return s }
                return String(decoding: UnsafeBufferPointer(rebasing: p[0..<headEnd]), as: UTF8.self)
                    + TextSanitizer.omissionMarker(tailStart - headEnd)
                    + String(decoding: UnsafeBufferPointer(rebasing: p[tailStart...]), as: UTF8.self)
            }
        }
        var out = String.UnicodeScalarView()
        for scalar in capped.unicodeScalars {
            if isAllowed(scalar.value) {
                out.append(scalar)
            } else {
                var bytes = [UInt8]()
                UTF8Scan.appendScalarEscape(scalar.value, to: &bytes)
                out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            }
        }
        return String(out)
    }

    /// Decodes `bytes` as UTF-8 (invalid sequences become U+FFFD), then filters.
    public static func filter(_ bytes: some Collection<UInt8>, limit: Int? = nil) -> String {
        let text = UTF8Scan.withBytes(bytes) { String(decoding: $0, as: UTF8.self) }
        return filter(text, limit: limit)
    }

    /// Is `v` an XML 1.0 `Char`?
    public static func isAllowed(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// True when every character of `s` is an XML 1.0 `Char`.
    public static func isClean(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { p in
            let n = p.count
            var i = 0
            while i < n {
                let b = p[i]
                if b < 0x20 {
                    if b != 0x09 && b != 0x0A && b != 0x0D { return false }
                } else if b == 0xEF && i + 2 < n && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF) {
                    return false
                }
                i += 1
            }
            return true
        }
    }
}
