import Foundation

/// Replaces every known secret in a string — in plain, JSON-escaped, URL-encoded, base64 and
/// hex forms, and with every character `\uXXXX`-escaped or every byte `%XX`-encoded — with
/// `[REDACTED]`. Every string that leaves the engine passes through one.
///
/// Encoded forms are also masked when written inside JSON (a URL- or base64-encoded secret in
/// a JSON string has its `/` escaped as `\/`). And any run of at least `fragmentLength` bytes
/// of a secret is masked too — plain, or in hex, `%XX` or `\uXXXX` for every byte or
/// character (a run that long of the encoding) — so a secret that reaches an output in
/// pieces — cut by a length limit before it could be masked, or echoed split across stream
/// events — leaves no piece longer than that.
///
/// A secret shorter than `minimumLength` bytes (`none`, `x`, `EMPTY`: what local servers take
/// as a key) is not masked at all: it would mask ordinary words and mangle the evidence, and
/// it protects nothing. `tooShort` counts them, for a warning.
///
/// Matching is on UTF-8 bytes, not on Characters: a secret followed by a combining mark
/// (which Swift's `String.contains` and Foundation's `replacingOccurrences` would not find,
/// since the last character of the secret then forms one Character with the mark) is still
/// masked.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"
    /// Secrets shorter than this (bytes) are not redacted: they would mask ordinary text.
    public static let minimumLength = 8

    /// How many of `secrets` are too short to be masked (empty ones are not counted).
    public static func tooShort(_ secrets: [String]) -> Int {
        Set(secrets).filter { !$0.isEmpty && $0.utf8.count < minimumLength }.count
    }

    /// Pieces of a secret this long (bytes) or longer are masked wherever they appear.
    public static let fragmentLength = 12

    /// Encoded forms, as UTF-8, longest first so a longer form is masked before a shorter one
    /// inside it.
    private let needles: [[UInt8]]
    /// The plain secrets long enough for fragment masking, and their `fragmentLength`-byte
    /// windows by their first 8 bytes (a fast first test of every position of a text).
    private let fragmentSources: [[UInt8]]
    /// The shortest run of each source that is masked: `fragmentLength` bytes of the secret,
    /// as long as that many bytes are once encoded (24 hex digits, 36 for `%XX`, …).
    private let fragmentRuns: [Int]
    private let windows: [UInt64: [(source: Int, offset: Int)]]
    /// Which byte pairs start some window: most positions of a text are passed over with one
    /// table look-up.
    private let windowStarts: [Bool]

    public init(secrets: [String]) {
        var forms = Set<String>()
        let secrets = secrets.filter { $0.utf8.count >= Redactor.minimumLength }
        for secret in secrets {
            forms.insert(secret)
            // Every byte or character encoded: hex (either case), `%XX` (either case), `\uXXXX`.
            for form in Redactor.fullyEncoded(secret) { forms.insert(form) }
            // JSON: with and without `\/`, and with non-ASCII as `\u` escapes (ensure_ascii).
            forms.insert(Redactor.jsonEscaped(secret))
            forms.insert(Redactor.jsonEscaped(secret, escapeSlash: false))
            forms.insert(Redactor.jsonEscaped(secret, escapeSlash: false, asciiOnly: true))
            forms.insert(Redactor.jsonEscaped(secret, escapeSlash: false, asciiOnly: true).uppercasedHexEscapes())
            // URL: several allowed sets (encodeURIComponent-like, RFC 3986 unreserved, query),
            // with upper- and lowercase hex.
            for allowed in [CharacterSet.alphanumerics, Redactor.unreserved, .urlQueryAllowed] {
                if let url = secret.addingPercentEncoding(withAllowedCharacters: allowed) {
                    forms.insert(url)
                    forms.insert(url.lowercasedPercentEscapes())
                }
            }
            // Form encoding writes spaces as '+'.
            if let form = secret.addingPercentEncoding(withAllowedCharacters: Redactor.unreserved.union(.init(charactersIn: " "))) {
                forms.insert(form.replacingOccurrences(of: " ", with: "+"))
            }
            // Base64 (standard and URL alphabets) of the secret alone, padded and not, and the
            // part of the encoding that does not depend on surrounding bytes for each of the
            // three alignments the secret can have inside a longer encoded text
            // (e.g. Basic auth "user:key").
            let b64 = Data(secret.utf8).base64EncodedString()
            forms.insert(b64)
            forms.insert(b64.trimmingCharacters(in: CharacterSet(charactersIn: "=")))
            for alignment in 0..<3 {
                let core = Redactor.base64Core(Array(secret.utf8), alignment: alignment)
                if core.count >= 8 {
                    forms.insert(core)
                    forms.insert(Redactor.base64URL(core))
                }
            }
            forms.insert(Redactor.base64URL(b64.trimmingCharacters(in: CharacterSet(charactersIn: "="))))
        }
        // Every form as a JSON string holds it: `/` escaped (base64, URL-encoded with `/` kept).
        for form in Array(forms) where form.contains("/") || form.contains("\"") || form.contains("\\") {
            forms.insert(Redactor.jsonEscaped(form))
            forms.insert(Redactor.jsonEscaped(form, escapeSlash: false))
        }
        var sources: [[UInt8]] = []
        var runs: [Int] = []
        var windows: [UInt64: [(source: Int, offset: Int)]] = [:]
        for secret in Set(secrets) where secret.utf8.count > Redactor.fragmentLength {
            let plain = secret.utf8.count
            for form in [secret] + Redactor.fullyEncoded(secret) {
                let bytes = Array(form.utf8)
                // fragmentLength bytes of the secret, as long as they are in this encoding.
                let run = (Redactor.fragmentLength * bytes.count + plain - 1) / plain
                guard bytes.count > run else { continue }
                for offset in 0...(bytes.count - run) {
                    windows[Redactor.word(bytes, offset), default: []].append((sources.count, offset))
                }
                sources.append(bytes)
                runs.append(run)
            }
        }
        self.fragmentSources = sources
        self.fragmentRuns = runs
        self.windows = windows
        var starts = [Bool](repeating: false, count: 1 << 16)
        for (source, run) in zip(sources, runs) {
            for k in 0...(source.count - run) { starts[Int(source[k]) << 8 | Int(source[k + 1])] = true }
        }
        self.windowStarts = starts
        needles = forms.filter { $0.count >= Redactor.minimumLength }
            .map { Array($0.utf8) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    public var isEmpty: Bool { needles.isEmpty && windows.isEmpty }

    public func redact(_ text: String) -> String {
        guard !isEmpty else { return text }
        var bytes = Array(text.utf8)
        return redact(bytes: &bytes) ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// Masks raw bytes (a body that may not be UTF-8) before they are cut to an excerpt, so a
    /// cut never leaves a piece of a secret that the masking of the excerpt would not find.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        _ = redact(bytes: &out)
        return out
    }

    private func redact(bytes: inout [UInt8]) -> Bool {
        var changed = false
        let mask = Array(Redactor.mask.utf8)
        for needle in needles {
            if Redactor.replace(needle, with: mask, in: &bytes) { changed = true }
        }
        if !windows.isEmpty && maskFragments(&bytes, mask) { changed = true }
        return changed
    }

    /// Masks every run of bytes that is a piece (at least `fragmentLength` bytes) of a secret.
    /// One pass: a rolling 8-byte word is looked up at every position, and only positions
    /// whose word starts some window of a secret are compared further.
    private func maskFragments(_ bytes: inout [UInt8], _ mask: [UInt8]) -> Bool {
        let n = Redactor.fragmentLength
        guard bytes.count >= n else { return false }
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { p in
            var w: UInt64 = 0
            for k in 0..<7 { w = w << 8 | UInt64(p[k]) }
            var i = 0
            while i + n <= p.count {
                w = w << 8 | UInt64(p[i + 7])
                if windowStarts[Int(w >> 48)], let candidates = windows[w] {
                    var end = i
                    for c in candidates {
                        let source = fragmentSources[c.source]
                        // The longest run from i that continues the secret from this offset.
                        var k = 0
                        while i + k < p.count && c.offset + k < source.count && p[i + k] == source[c.offset + k] { k += 1 }
                        if k >= fragmentRuns[c.source] { end = max(end, i + k) }
                    }
                    if end > i {
                        if let last = ranges.last, last.upperBound >= i {
                            ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, end)
                        } else {
                            ranges.append(i..<end)
                        }
                    }
                }
                i += 1
            }
        }
        guard !ranges.isEmpty else { return false }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var copied = 0
        for r in ranges {
            out.append(contentsOf: bytes[copied..<r.lowerBound])
            out.append(contentsOf: mask)
            copied = r.upperBound
        }
        out.append(contentsOf: bytes[copied...])
        bytes = out
        return true
    }

    /// The 8 bytes at `offset` as one integer (the caller guarantees they exist).
    @inline(__always)
    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<8 { w = w << 8 | UInt64(bytes[offset + k]) }
        return w
    }

    /// Replaces every non-overlapping occurrence of `needle` in `bytes`; true if any.
    private static func replace(_ needle: [UInt8], with mask: [UInt8], in bytes: inout [UInt8]) -> Bool {
        let n = needle.count
        guard n > 0, bytes.count >= n else { return false }
        var out: [UInt8]? = nil
        var copied = 0
        var i = 0
        let first = needle[0]
        bytes.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { nd in
                let base = hay.baseAddress!
                let last = hay.count - n
                while i <= last {
                    guard let hit = memchr(base + i, Int32(first), last - i + 1) else { break }
                    let k = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                    if memcmp(base + k, nd.baseAddress!, n) == 0 {
                        if out == nil { out = []; out!.reserveCapacity(hay.count) }
                        out!.append(contentsOf: UnsafeBufferPointer(rebasing: hay[copied..<k]))
                        out!.append(contentsOf: mask)
                        copied = k + n
                        i = k + n
                    } else {
                        i = k + 1
                    }
                }
                if out != nil { out!.append(contentsOf: UnsafeBufferPointer(rebasing: hay[copied...])) }
            }
        }
        guard let out else { return false }
        bytes = out
        return true
    }

    /// RFC 3986 unreserved characters: `A-Z a-z 0-9 - . _ ~`.
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The base64 characters fully determined by `secret` when it starts `alignment` bytes
    /// into a 3-byte group of a longer encoded text (character j covers bits 6j..<6j+6).
    static func base64Core(_ secret: [UInt8], alignment: Int) -> String {
        let padded = [UInt8](repeating: 0, count: alignment) + secret + [0, 0]
        let encoded = Array(Data(padded).base64EncodedString().utf8)
        let firstBit = 8 * alignment
        let endBit = 8 * (alignment + secret.count)
        let from = (firstBit + 5) / 6
        let to = endBit / 6  // exclusive
        guard from < to, to <= encoded.count else { return "" }
        return String(decoding: encoded[from..<to], as: UTF8.self)
    }

    /// The secret with every byte or character encoded: hex digits of the UTF-8 bytes
    /// (lower- and uppercase), `%XX` for every byte (both cases), and `\uXXXX` for every
    /// UTF-16 unit (both cases), as some JSON writers escape everything.
    static func fullyEncoded(_ secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        var percent: [UInt8] = []
        for b in bytes {
            hex += [digits[Int(b >> 4)], digits[Int(b & 15)]]
            percent += [UInt8(ascii: "%"), digits[Int(b >> 4)], digits[Int(b & 15)]]
        }
        var unicode: [UInt8] = []
        for unit in secret.utf16 {
            unicode += Array("\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { unicode.append(digits[Int((unit >> UInt16(shift)) & 15)]) }
        }
        let lower = [hex, percent, unicode].map { String(decoding: $0, as: UTF8.self) }
        // Uppercase hex digits only (the `u` of `\u` stays lowercase).
        let upper = lower.map { s in
            String(s.unicodeScalars.map { c in ("a"..."f").contains(c) ? Character(String(c).uppercased()) : Character(c) })
        }
        return lower + upper
    }

    static func base64URL(_ s: String) -> String {
        String(s.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func jsonEscaped(_ s: String, escapeSlash: Bool = true, asciiOnly: Bool = false) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapeSlash: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else if asciiOnly && scalar.value > 0x7E {
                    for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

private extension String {
    /// `%2F` → `%2f`.
    func lowercasedPercentEscapes() -> String {
        var out = String.UnicodeScalarView()
        var hexLeft = 0
        for scalar in unicodeScalars {
            if hexLeft > 0 {
                out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
                hexLeft -= 1
            } else {
                if scalar == "%" { hexLeft = 2 }
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `\u00e9` → `\u00E9`.
    func uppercasedHexEscapes() -> String {
        var out = String.UnicodeScalarView()
        var hexLeft = 0
        var previousBackslash = false
        for scalar in unicodeScalars {
            if hexLeft > 0 {
                out.append(contentsOf: String(scalar).uppercased().unicodeScalars)
                hexLeft -= 1
                continue
            }
            if previousBackslash && scalar == "u" { hexLeft = 4 }
            previousBackslash = scalar == "\\" && !previousBackslash
            out.append(scalar)
        }
        return String(out)
    }
}
