import Foundation
import TouchstoneCore
import Yams

/// A YAML document as a plain tree that remembers where every node was written, so that
/// errors in suites, targets and expectations files name the file, line and column. Aliases
/// are expanded under `YAMLBudget`; merge keys (`<<`) are applied; a duplicate key is an error.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        case scalar(JSONValue, raw: String)
        case map([(key: String, keyLine: Int, keyColumn: Int, value: YAMLNode)])
        case seq([YAMLNode])
    }

    public var kind: Kind
    public var line: Int
    public var column: Int

    public init(kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public func location(_ file: String) -> SourceLocation { SourceLocation(file: file, line: line, column: column) }

    public var typeName: String {
        switch kind {
        case .scalar(let v, _): v.typeName
        case .map: "mapping"
        case .seq: "list"
        }
    }

    /// A scalar's text as written (`supported`, `'*'` without its quotes); nil for a mapping or list.
    public var scalarText: String? {
        if case .scalar(_, let raw) = kind { return raw }
        return nil
    }

    /// The node as plain JSON (mappings become objects).
    public var json: JSONValue {
        switch kind {
        case .scalar(let v, _): v
        case .seq(let items): .array(items.map(\.json))
        case .map(let pairs):
            .object(Dictionary(pairs.map { ($0.key, $0.value.json) }, uniquingKeysWith: { _, b in b }))
        }
    }

    public static func parse(_ text: String, file: String) throws -> YAMLNode? {
        if let key = YAMLKeyScan.complexKey(in: text) {
            throw Diagnostic(location: SourceLocation(file: file, line: key.line, column: key.column),
                             message: "a mapping key must be a plain name, not an alias, a list or a mapping")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Diagnostic(location: YAMLNode.location(of: error, file: file),
                             message: "invalid YAML: \(YAMLNode.problem(of: error))")
        }
        guard let node else { return nil }
        if let place = YAMLBudget.excess(node) {
            throw Diagnostic(location: SourceLocation(file: file, line: place.line, column: place.column),
                             message: YAMLBudget.message)
        }
        return try convert(node, file: file, depth: 0)
    }

    private static func convert(_ node: Node, file: String, depth: Int) throws -> YAMLNode {
        let mark = node.mark
        let line = mark?.line ?? 0
        let column = mark?.column ?? 0
        guard depth < 200 else {
            throw Diagnostic(location: SourceLocation(file: file, line: line, column: column),
                             message: "nesting deeper than 200 levels")
        }
        switch node {
        case .scalar(let scalar):
            return YAMLNode(kind: .scalar(scalarValue(node, scalar), raw: scalar.string), line: line, column: column)
        case .sequence(let seq):
            return YAMLNode(kind: .seq(try seq.map { try convert($0, file: file, depth: depth + 1) }),
                            line: line, column: column)
        case .mapping(let map):
            var pairs: [(key: String, keyLine: Int, keyColumn: Int, value: YAMLNode)] = []
            var seen = Set<String>()
            // Keys written in this mapping win over merged ones (one set, not a scan per merged key).
            let written = Set(map.keys.compactMap(\.string))
            for (k, v) in map {
                let key = k.string ?? "\(k)"
                let kl = k.mark?.line ?? line
                let kc = k.mark?.column ?? column
                if key == "<<" {
                    // YAML merge key: copy the referenced mapping's pairs that are not set here.
                    let merged = try convert(v, file: file, depth: depth + 1)
                    let sources: [YAMLNode] = if case .seq(let s) = merged.kind { s } else { [merged] }
                    for source in sources {
                        guard case .map(let mp) = source.kind else {
                            throw Diagnostic(location: SourceLocation(file: file, line: kl, column: kc),
                                             message: "`<<` merge needs a mapping")
                        }
                        for p in mp where !seen.contains(p.key) && !written.contains(p.key) {
                            seen.insert(p.key)
                            pairs.append(p)
                        }
                    }
                    continue
                }
                if seen.contains(key) {
                    throw Diagnostic(location: SourceLocation(file: file, line: kl, column: kc),
                                     message: "duplicate key `\(key)`")
                }
                seen.insert(key)
                pairs.append((key, kl, kc, try convert(v, file: file, depth: depth + 1)))
            }
            return YAMLNode(kind: .map(pairs), line: line, column: column)
        case .alias:
            throw Diagnostic(location: SourceLocation(file: file, line: line, column: column),
                             message: "unresolved YAML alias")
        }
    }

    private static func scalarValue(_ node: Node, _ scalar: Node.Scalar) -> JSONValue {
        switch scalar.style {
        case .singleQuoted, .doubleQuoted, .literal, .folded:
            return .string(scalar.string)
        default:
            break
        }
        switch node.tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return node.int.map(JSONValue.int) ?? .string(scalar.string)
        case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    private static func location(of error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .reader(let problem, _, _, _): return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")) in the mapping that starts here; each name may appear once"
        default: return "\(error)"
        }
    }
}

