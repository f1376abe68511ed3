/// How much a JSON document builds when parsed: its values and, of those, its objects and
/// arrays. A parsed tree costs far more than its text (a 15 MiB body of `{"a":[]},` builds about
/// 300 MB), so a run measures a large document before parsing it and builds no tree over `limit`.
public struct JSONSize: Sendable, Hashable, CustomStringConvertible {
    /// Every value: scalars, strings, objects and arrays (an upper bound: `[]` counts as if it
    /// held one value).
    public var values: Int
    /// Objects and arrays, the expensive values.
    public var containers: Int

    public init(values: Int, containers: Int) {
        self.values = values
        self.containers = containers
    }

    /// The largest document a run builds a tree for: about 50 MB of tree at most, and far above
    /// any real answer (a list of 400 models is about 20,000 values; 100 embeddings of 3,072
    /// numbers, about 310,000 values and 200 containers).
    public static let limit = JSONSize(values: 2_000_000, containers: 100_000)

    public func exceeds(_ limit: JSONSize) -> Bool {
        values > limit.values || containers > limit.containers
    }

    public static func + (a: JSONSize, b: JSONSize) -> JSONSize {
        JSONSize(values: a.values &+ b.values, containers: a.containers &+ b.containers)
    }

    public var description: String {
        "\(JSONSize.grouped(values)) values, \(JSONSize.grouped(containers)) of them objects or arrays"
    }

    /// Counts the values of `bytes` without building anything, stopping as soon as the count
    /// exceeds `limit` (the result is then only known to be over it). Invalid JSON is measured
    /// as far as its brackets and commas go: the count is what a parser could build at most.
    public static func measure(_ bytes: some Collection<UInt8>, stoppingAbove limit: JSONSize = .limit) -> JSONSize {
        // The document itself, then one more value per object or array and per comma: every
        // element after a container's first follows a comma.
        var size = JSONSize(values: 1, containers: 0)
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                size.containers += 1
                size.values += 1
                if size.exceeds(limit) { return size }
            case UInt8(ascii: ","):
                size.values += 1
                if size.exceeds(limit) { return size }
            default:
                break
            }
        }
        return size
    }

    /// Which part of `limit` this size exceeds, in words: `more than 100,000 objects or arrays`.
    public func excess(over limit: JSONSize = .limit) -> String {
        containers > limit.containers ? "more than \(JSONSize.grouped(limit.containers)) objects or arrays"
                                      : "more than \(JSONSize.grouped(limit.values)) values"
    }

    /// `1,703,936`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
