import Yams

/// The size a YAML document has once its aliases are expanded, bounded before anything walks
/// it. Yams shares an aliased node instead of copying it, so nine levels of nine aliases
/// ("billion laughs") compose in kilobytes; but every reader that converts or walks the tree
/// visits each alias at its expanded size, which grows to gigabytes. Counting is linear in the
/// document: a node's expanded size is computed once per place it is written (its mark) and
/// reused for every alias of it.
public enum YAMLBudget {
    /// The most nodes a suite, targets or expectations file may expand to. The shipped suites
    /// together are a few thousand nodes; a file far beyond this is an accident or an attack.
    public static let maxNodes = 1_000_000

    /// Where a document first exceeds the budget: the innermost collection whose expanded size
    /// is over `maxNodes` (the line that writes the aliases), or nil when the document fits.
    public static func excess(_ root: Node) -> (line: Int, column: Int)? {
        var sizes: [Key: Int] = [:]
        var over: (line: Int, column: Int)? = nil
        _ = size(root, depth: 0, sizes: &sizes, over: &over)
        return over
    }

    /// The message for a document over the budget.
    public static let message =
        "this document has more than \(maxNodes) YAML nodes once its aliases are expanded (an alias counts at the size of what it names); write fewer aliases, nest them less, or split the file"

    /// A node as written: a block mapping and its first key start at the same mark, so the
    /// kind tells them apart.
    private struct Key: Hashable {
        let line: Int
        let column: Int
        let kind: Int
    }

    /// Nesting deeper than this is not counted further: every reader refuses it on its own.
    private static let maxDepth = 256

    private static func size(_ node: Node, depth: Int, sizes: inout [Key: Int], over: inout (line: Int, column: Int)?) -> Int {
        guard over == nil else { return maxNodes + 1 }
        let mark = node.mark
        let kind = switch node {
        case .scalar: 0
        case .sequence: 1
        case .mapping: 2
        case .alias: 3
        }
        let key = mark.map { Key(line: $0.line, column: $0.column, kind: kind) }
        if let key, let known = sizes[key] { return known }
        var total = 1
        if depth < maxDepth {
            switch node {
            case .scalar, .alias:
                break
            case .sequence(let seq):
                for item in seq {
                    total += size(item, depth: depth + 1, sizes: &sizes, over: &over)
                    if total > maxNodes { break }
                }
            case .mapping(let map):
                for (k, v) in map {
                    total += size(k, depth: depth + 1, sizes: &sizes, over: &over)
                    total += size(v, depth: depth + 1, sizes: &sizes, over: &over)
                    if total > maxNodes { break }
                }
            }
        }
        if total > maxNodes, over == nil { over = (mark?.line ?? 1, mark?.column ?? 1) }
        if let key { sizes[key] = total }
        return total
    }
}
