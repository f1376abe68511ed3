/// Byte-level UTF-8 helpers shared by the JSON parser, the SSE parser and the text filters.
/// Validation follows RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF).
enum UTF8Scan {
    /// Length of the well-formed UTF-8 sequence starting at `p[i]` (1...4), or 0 when the
    /// bytes at `i` do not start one (invalid lead byte, bad or missing continuation byte).
    @inline(__always)
    static func sequenceLength(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let b0 = p[i]
        if b0 < 0x80 { return 1 }
        if b0 < 0xC2 { return 0 }
        if b0 < 0xE0 {
            return i + 1 < end && p[i + 1] & 0xC0 == 0x80 ? 2 : 0
        }
        if b0 < 0xF0 {
            guard i + 2 < end else { return 0 }
            let b1 = p[i + 1]
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            return b1 >= lo && b1 <= hi && p[i + 2] & 0xC0 == 0x80 ? 3 : 0
        }
        if b0 < 0xF5 {
            guard i + 3 < end else { return 0 }
            let b1 = p[i + 1]
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            return b1 >= lo && b1 <= hi && p[i + 2] & 0xC0 == 0x80 && p[i + 3] & 0xC0 == 0x80 ? 4 : 0
        }
        return 0
    }

    /// Offset of the first byte in `from..<to` that does not start a well-formed sequence
    /// (a sequence may not run past `to`), or nil when the whole range is valid UTF-8.
    static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            // ASCII fast path, eight bytes at a time.
            if let base = p.baseAddress {
                while i + 8 <= to {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    i += 8
                }
            }
            guard i < to else { break }
            if p[i] < 0x80 { i += 1; continue }
            let n = sequenceLength(p, i, to)
            if n == 0 { return i }
            i += n
        }
        return nil
    }

    /// Decodes the scalar of a well-formed sequence of length `n` at `i`.
    @inline(__always)
    static func decode(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> UInt32 {
        switch n {
        case 1: return UInt32(p[i])
        case 2: return UInt32(p[i] & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F)
        case 3: return UInt32(p[i] & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
        default:
            return UInt32(p[i] & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12
                | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
        }
    }

    /// Appends the UTF-8 encoding of a scalar value (assumed valid) to `out`.
    @inline(__always)
    static func append(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends `\xHH` (uppercase hex) for a byte that could not be decoded.
    @inline(__always)
    static func appendByteEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "x"))
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0xF)])
    }

    /// Appends `\uHHHH` (at least four uppercase hex digits) for a scalar shown as an escape.
    static func appendScalarEscape(_ v: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        var digits = 4
        while digits < 6 && v >> (4 * UInt32(digits)) != 0 { digits += 1 }
        for k in stride(from: digits - 1, through: 0, by: -1) {
            out.append(hexDigits[Int((v >> (4 * UInt32(k))) & 0xF)])
        }
    }

    /// Runs `body` over the bytes of a collection, contiguously (copying only when needed).
    @inline(__always)
    static func withBytes<C: Collection<UInt8>, R>(
        _ bytes: C, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        if let r = bytes.withContiguousStorageIfAvailable(body) { return r }
        return Array(bytes).withUnsafeBufferPointer(body)
    }
}
