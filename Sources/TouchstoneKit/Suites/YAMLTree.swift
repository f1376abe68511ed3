import Foundation
import TouchstoneCore
import TouchstoneReports
import Yams

/// A YAML document as a plain tree that remembers where every node was written, so that
/// suite and config errors name the file, line and column.
struct YAMLNode: Sendable {
    enum Kind: Sendable {
        case scalar(JSONValue, raw: String)
        case map([(key: String, keyLine: Int, keyColumn: Int, value: YAMLNode)])
        case seq([YAMLNode])
    }

    var kind: Kind
    var line: Int
    var column: Int

    func location(_ file: String) -> SourceLocation { SourceLocation(file: file, line: line, column: column) }

    var typeName: String {
        switch kind {
        case .scalar(let v, _): v.typeName
        case .map: "mapping"
        case .seq: "list"
        }
    }

    /// The node as plain JSON (mappings become objects).
    var json: JSONValue {
        switch kind {
        case .scalar(let v, _): v
        case .seq(let items): .array(items.map(\.json))
        case .map(let pairs):
            .object(Dictionary(pairs.map { ($0.key, $0.value.json) }, uniquingKeysWith: { _, b in b }))
        }
    }

    static func parse(_ text: String, file: String) throws -> YAMLNode? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SuiteError(location: YAMLNode.location(of: error, file: file),
                             message: "invalid YAML: \(YAMLNode.problem(of: error))")
        }
        guard let node else { return nil }
        if let place = YAMLBudget.excess(node) {
            throw SuiteError(location: SourceLocation(file: file, line: place.line, column: place.column),
                             message: YAMLBudget.message)
        }
        return try convert(node, file: file, depth: 0)
    }

    private static func convert(_ node: Node, file: String, depth: Int) throws -> YAMLNode {
        let mark = node.mark
        let line = mark?.line ?? 0
        let column = mark?.column ?? 0
        guard depth < 200 else {
            throw SuiteError(location: SourceLocation(file: file, line: line, column: column),
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
                            throw SuiteError(location: SourceLocation(file: file, line: kl, column: kc),
                                             message: "`<<` merge needs a mapping")
                        }
                        for p in mp where !seen.contains(p.key) && !map.keys.contains(where: { $0.string == p.key }) {
                            seen.insert(p.key)
                            pairs.append(p)
                        }
                    }
                    continue
                }
                if seen.contains(key) {
                    throw SuiteError(location: SourceLocation(file: file, line: kl, column: kc),
                                     message: "duplicate key `\(key)`")
                }
                seen.insert(key)
                pairs.append((key, kl, kc, try convert(v, file: file, depth: depth + 1)))
            }
            return YAMLNode(kind: .map(pairs), line: line, column: column)
        case .alias:
            throw SuiteError(location: SourceLocation(file: file, line: line, column: column),
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
        default: return "\(error)"
        }
    }
}

/// A suite or configuration error with the place it was found: a `Diagnostic` located by a
/// `SourceLocation`.
public typealias SuiteError = Diagnostic

extension Diagnostic {
    /// An error at `location`.
    public init(location: SourceLocation, message: String) {
        self.init(.error, file: location.file, line: location.line, column: location.column, message: message)
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }
}

/// Several errors found in one pass (a file reports all of its problems at once).
public struct SuiteErrors: DiagnosticError, Sendable, LocalizedError {
    public var errors: [SuiteError]
    public var diagnostics: [Diagnostic] { errors }
    /// What could be read of a file despite its errors (its well-formed cases), so that the
    /// checks across files still run and every error is reported in one pass.
    var partial: Suite? = nil
    public init(_ errors: [SuiteError]) { self.errors = errors }
    init(_ errors: [SuiteError], partial: Suite?) {
        self.errors = errors
        self.partial = partial
    }
    public var errorDescription: String? { description }

    /// The text of a YAML file, or an error at its place: `what` names the file in messages
    /// ("file", "the targets file").
    static func readText(_ path: String, what: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: path, line: 0, column: 0),
                                          message: "cannot read \(what): \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: path, line: 1, column: 1),
                                          message: "\(what) is not valid UTF-8")])
        }
        return text
    }
}
