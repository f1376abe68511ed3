/// One part of a run split for a CI matrix (`--shard i/n`).
///
/// The unit is the target: names sorted (byte order), the k-th (0-based) belongs to shard
/// `k mod n + 1`. Every target is probed whole in exactly one shard, so merging the shard
/// reports gives the same verdicts, details and quirks as one unsharded run (shared requests,
/// prerequisites and quirks all live within a target). Shards beyond the number of targets
/// are empty.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String {
            "--shard takes `i/n` with 1 ≤ i ≤ n (e.g. 2/4 for the second of four CI jobs), got `\(text)`"
        }
    }

    public init(index: Int, count: Int) throws(Invalid) {
        guard count >= 1, index >= 1, index <= count else { throw Invalid(text: "\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    public init(parsing text: String) throws(Invalid) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { throw Invalid(text: text) }
        do {
            try self.init(index: i, count: n)
        } catch {
            throw Invalid(text: text)
        }
    }

    public var description: String { "\(index)/\(count)" }

    /// The items of this shard, in their original order.
    public func select<T>(_ items: [T], name: (T) -> String) -> [T] {
        let sorted = items.map(name).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var mine = Set<String>()
        for (k, n) in sorted.enumerated() where k % count == index - 1 { mine.insert(n) }
        return items.filter { mine.contains(name($0)) }
    }
}
