import Foundation
import TouchstoneCore
import Yams

/// Reads the expectations file format (docs/expectations.md) from YAML or JSON with Yams,
/// keeping the line and column of every node so each problem names its place.
///
/// ```yaml
/// schema: touchstone.expectations/v1     # optional
/// targets:
///   '*':                                 # every target
///     features:
///       '*': unsupported                 # at least a clean refusal everywhere
///   ollama:
///     features:
///       chat.basic: supported
///       'stream.*': supported
///       tools.parallel: [supported, ignored]   # model-dependent: either is fine
/// ```
struct ExpectationsParser {
    let file: String
    private var problems = DiagnosticCollector()

    init(file: String) {
        self.file = file
    }

    func parse(_ text: String) throws -> Expectations {
        var parser = self
        let rules = parser.rules(text)
        if parser.problems.hasErrors { throw ExpectationsError(file: file, problems: parser.problems.diagnostics) }
        return Expectations(rules: rules)
    }

    private mutating func rules(_ text: String) -> [Expectations.Rule] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (line, column, message) = Self.describe(error)
            fail(line, column, "invalid YAML: \(message)")
            return []
        } catch {
            fail(0, 0, "invalid YAML: \(error)")
            return []
        }
        guard let root else {
            fail(1, 1, "the file is empty; write `targets:` with one entry per target name (or '*')")
            return []
        }
        if let place = YAMLBudget.excess(root) {
            fail(place.line, place.column, YAMLBudget.message)
            return []
        }
        guard let top = mapping(root, "the top level", hint: "write `targets:` with one entry per target name (or '*')") else {
            return []
        }
        var rules: [Expectations.Rule] = []
        var sawTargets = false
        for (key, value) in top {
            switch key.name {
            case "schema":
                if value.node.string != Expectations.schemaID {
                    fail(value.node, "unknown schema `\(value.node.string ?? "")`; this version reads `\(Expectations.schemaID)`")
                }
            case "targets":
                sawTargets = true
                rules += targets(value.node)
            default:
                fail(key.node, "unknown key `\(key.name)`; the top level has `targets` (and optionally `schema`)")
            }
        }
        if !sawTargets {
            fail(root, "missing `targets:`; write one entry per target name (or '*' for every target)")
        }
        return rules
    }

    private mutating func targets(_ node: Node) -> [Expectations.Rule] {
        guard let entries = mapping(node, "`targets`", hint: "one entry per target name (or '*'), each with `features:`") else {
            return []
        }
        var rules: [Expectations.Rule] = []
        for (target, body) in entries {
            if target.name.isEmpty { fail(target.node, "empty target name"); continue }
            guard let fields = mapping(body.node, "target `\(target.name)`", hint: "write `features:` under it") else { continue }
            var sawFeatures = false
            for (key, value) in fields {
                guard key.name == "features" else {
                    fail(key.node, "unknown key `\(key.name)` under target `\(target.name)`; expected `features`")
                    continue
                }
                sawFeatures = true
                guard let features = mapping(value.node, "`features` of `\(target.name)`",
                                             hint: "map feature ids or globs to a verdict or a list of verdicts") else { continue }
                for (feature, expected) in features {
                    if !Self.validFeaturePattern(feature.name) {
                        fail(feature.node, "`\(feature.name)` is not a feature id or glob (e.g. `chat.basic`, `stream.*`, `*`)")
                        continue
                    }
                    guard let expectation = expectation(expected.node) else { continue }
                    rules.append(Expectations.Rule(target: target.name, feature: feature.name,
                                                   expectation: expectation,
                                                   origin: "\(file):\(line(of: feature.node))"))
                }
            }
            if !sawFeatures {
                fail(target.node, "target `\(target.name)` has no `features:`")
            }
        }
        return rules
    }

    private mutating func expectation(_ node: Node) -> Expectations.Expectation? {
        switch node {
        case .scalar:
            guard let v = verdict(node) else { return nil }
            return .atLeast(v)
        case .sequence(let items):
            if items.isEmpty {
                fail(node, "an empty list accepts no verdict; list the allowed verdicts, e.g. [supported, ignored]")
                return nil
            }
            var set = Set<Verdict>()
            var ok = true
            for item in items {
                if let v = verdict(item) { set.insert(v) } else { ok = false }
            }
            return ok ? .oneOf(set) : nil
        default:
            fail(node, "expected a verdict (the minimum) or a list of allowed verdicts, got a mapping")
            return nil
        }
    }

    private mutating func verdict(_ node: Node) -> Verdict? {
        guard case .scalar(let scalar) = node, let v = Verdict(rawValue: scalar.string) else {
            fail(node, "unknown verdict `\(node.scalar?.string ?? "(not a scalar)")`; use supported, unsupported, untested, ignored or broken")
            return nil
        }
        return v
    }

    // MARK: - Helpers

    private struct Key {
        var name: String
        var node: Node
    }

    private struct Value {
        var node: Node
    }

    /// The pairs of a mapping node, with duplicate keys reported; nil (and a problem) when the
    /// node is not a mapping.
    private mutating func mapping(_ node: Node, _ what: String, hint: String) -> [(Key, Value)]? {
        guard case .mapping(let map) = node else {
            fail(node, "\(what) must be a mapping; \(hint)")
            return nil
        }
        var seen = Set<String>()
        var out: [(Key, Value)] = []
        for (k, v) in map {
            guard case .scalar(let scalar) = k else {
                fail(k, "keys must be plain names")
                continue
            }
            if !seen.insert(scalar.string).inserted {
                fail(k, "duplicate key `\(scalar.string)`")
                continue
            }
            out.append((Key(name: scalar.string, node: k), Value(node: v)))
        }
        return out
    }

    static func validFeaturePattern(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-*?[]!".unicodeScalars.contains($0)
        }
    }

    private func line(of node: Node) -> Int { node.mark?.line ?? 0 }

    private mutating func fail(_ node: Node, _ message: String) {
        fail(node.mark?.line ?? 0, node.mark?.column ?? 0, message)
    }

    private mutating func fail(_ line: Int, _ column: Int, _ message: String) {
        problems.error(message, file: file, line: line, column: column)
    }

    private static func describe(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return (mark.line, mark.column, context.map { "\(problem) (\($0.text))" } ?? problem)
        case .reader(let problem, _, _, _):
            return (0, 0, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, context.mark.column,
                    "duplicate key \(duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")) in the mapping that starts here; each name may appear once")
        default:
            return (0, 0, "\(error)")
        }
    }
}
