/// Compact JSON output.
///
/// - Keys are sorted by their UTF-8 bytes when `sortedKeys` is true (the default), so the
///   output is deterministic.
/// - Strings escape `"`, `\` and every control character U+0000–U+001F (`\n`, `\r`, `\t`,
///   `\b`, `\f` short forms, else `\u00XX`); everything else is written as UTF-8.
/// - Integers are written as integers; doubles in the shortest form that reads back to the
///   same value (`5.0`, `0.1`, `1e-07`). Non-finite doubles have no JSON form: `null`.
extension JSONValue {
    public func serialized(sortedKeys: Bool = true) -> String {
        String(decoding: serializedBytes(sortedKeys: sortedKeys), as: UTF8.self)
    }

    public func serializedBytes(sortedKeys: Bool = true) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        JSONWriter.write(self, sortedKeys: sortedKeys, into: &out)
        return out
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact serialization with sorted keys.
    public var description: String { serialized() }
}

enum JSONWriter {
    static func write(_ value: JSONValue, sortedKeys: Bool, into out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i):
            out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                out.append(contentsOf: d.description.utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s):
            writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, sortedKeys: sortedKeys, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                for key in o.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    write(o[key]!, sortedKeys: sortedKeys, into: &out)
                }
            } else {
                for (key, element) in o {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    write(element, sortedKeys: sortedKeys, into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { p in
            var runStart = 0
            for k in 0..<p.count {
                let c = p[k]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if runStart < k { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<k])) }
                runStart = k + 1
                out.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    out.append(UTF8Scan.hexDigits[Int(c >> 4)])
                    out.append(UTF8Scan.hexDigits[Int(c & 0xF)])
                }
            }
            if runStart < p.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
