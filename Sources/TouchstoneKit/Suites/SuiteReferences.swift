import TouchstoneCore

/// Load-time checks of the names suites refer to, so a typo is an error with file and line
/// before anything is sent rather than a step silently skipped or a run that never ends:
/// `${variables}` in requests, check arguments, details and quirk values; `requires_vars`;
/// `extends` chains (cycles); and waits between cases (cycles through `after:` globs as well as
/// through prerequisites, which would leave cases waiting for each other forever).
enum SuiteReferences {
    /// Names every detail and quirk value may use besides variables (see docs/suites.md § Details).
    static let detailNames: Set<String> = ["message", "failure", "summary"]
    /// `${STEP.field}` forms of details.
    static let stepFields: Set<String> = ["status", "summary", "error"]

    static func errors(_ cases: [Case]) -> [SuiteError] {
        var errors: [SuiteError] = []
        let templates = StepTemplates(cases)
        for c in cases {
            errors += variableErrors(c, templates: templates)
            for v in c.requiresVars where !RequestBuilder.builtinVariables.contains(v) {
                errors.append(SuiteError(location: c.location, message:
                    "case `\(c.id)` requires unknown variable `\(v)`\(SuiteLoader.suggestion(v, in: RequestBuilder.builtinVariables)); known: \(RequestBuilder.builtinVariables.sorted().joined(separator: ", "))"))
            }
        }
        return errors
    }

    // MARK: - Variables

    private static func variableErrors(_ c: Case, templates: StepTemplates) -> [SuiteError] {
        var errors: [SuiteError] = []
        let builtins = RequestBuilder.builtinVariables
        let allCaptures = Set(c.steps.flatMap { $0.captures.map(\.name) })
        var captured = Set<String>()
        for step in c.steps {
            for variant in step.variants {
                // The request as sent: this template and every template it extends.
                var names = RequestBuilder.variableNames(variant.request)
                var seen: [String] = []
                var next = variant.request.extends
                // At most `maxExtendsDepth + 1` hops: the walk is bounded, so checking every step
                // of a long chain stays linear in the number of steps.
                while let ext = next {
                    if seen.contains(ext) {
                        errors.append(SuiteError(location: variant.request.location, message:
                            "`extends` cycle: \((seen + [ext]).joined(separator: " → ")); an extended step must not extend back"))
                        break
                    }
                    if seen.count == RequestBuilder.maxExtendsDepth {
                        errors.append(SuiteError(location: variant.request.location, message:
                            "`extends` chain of step `\(step.id)` in `\(c.id)` is deeper than \(RequestBuilder.maxExtendsDepth) levels (\(seen.prefix(3).joined(separator: " → ")) → …); the runner would not send it: extend a step nearer the base"))
                        break
                    }
                    seen.append(ext)
                    guard let base = templates[ext] else { break }  // reported by validateSet
                    names.formUnion(RequestBuilder.variableNames(base))
                    next = base.extends
                }
                for name in names.sorted() where !builtins.contains(name) && !captured.contains(name) {
                    let hint = allCaptures.contains(name)
                        ? "; it is captured by a later step, so it is not set yet when step `\(step.id)` is sent"
                        : SuiteLoader.suggestion(name, in: builtins.union(captured)) + "; \(known(builtins.union(captured)))"
                    let via = seen.isEmpty ? "" : " (through `extends: \(seen[0])`)"
                    errors.append(SuiteError(location: variant.request.location, message:
                        "unknown variable `${\(name)}` in step `\(step.id)` of `\(c.id)`\(via)\(hint)"))
                }
            }
            for condition in [step.runIf] + step.variants.map(\.condition) {
                errors += conditionErrors(condition, c, variables: captured.union(builtins))
            }
            captured.formUnion(step.captures.map(\.name))
        }
        var detailVariables = builtins.union(allCaptures).union(detailNames)
        for s in c.steps { for f in stepFields { detailVariables.insert("\(s.id).\(f)") } }
        for rule in c.verdicts {
            errors += conditionErrors(rule.condition, c, variables: allCaptures.union(builtins))
            errors += textErrors(.string(rule.detail), "detail", at: rule.location, c, known: detailVariables)
            for (key, value) in rule.quirks {
                errors += textErrors(value, "quirk `\(key)`", at: rule.location, c, known: detailVariables)
            }
        }
        for rule in c.quirks {
            errors += conditionErrors(rule.condition, c, variables: allCaptures.union(builtins))
            for (key, value) in rule.set {
                errors += textErrors(value, "quirk `\(key)`", at: rule.location, c, known: detailVariables)
            }
        }
        return errors
    }

    /// Variables in check arguments: substituted from the built-in variables and the case's captures
    /// when the check runs.
    private static func conditionErrors(_ condition: Condition?, _ c: Case, variables: Set<String>) -> [SuiteError] {
        guard let condition else { return [] }
        switch condition {
        case .all(let list), .any(let list):
            return list.flatMap { conditionErrors($0, c, variables: variables) }
        case .not(let inner):
            return conditionErrors(inner, c, variables: variables)
        case .check(_, let call, _):
            var errors: [SuiteError] = []
            for (arg, value) in call.args.sorted(by: { $0.key < $1.key }) {
                for name in names(in: value).sorted() where !variables.contains(name) {
                    errors.append(SuiteError(location: call.location, message:
                        "unknown variable `${\(name)}` in argument `\(arg)` of check `\(call.name)`\(SuiteLoader.suggestion(name, in: variables)); \(known(variables))"))
                }
            }
            return errors
        case .asserts(_, let list):
            var errors: [SuiteError] = []
            for a in list {
                let values: [JSONValue] = switch a.op {
                case .equals(let v), .notEquals(let v), .contains(let v): [v]
                case .isIn(let list): list
                default: []
                }
                for name in values.flatMap({ names(in: $0) }).sorted() where !variables.contains(name) {
                    errors.append(SuiteError(location: a.location, message:
                        "unknown variable `${\(name)}` in the assertion on `\(a.pathText)`\(SuiteLoader.suggestion(name, in: variables)); \(known(variables))"))
                }
            }
            return errors
        default:
            return []
        }
    }

    private static func textErrors(_ value: JSONValue, _ what: String, at location: SourceLocation, _ c: Case,
                                   known names: Set<String>) -> [SuiteError] {
        SuiteReferences.names(in: value).sorted().filter { !names.contains($0) }.map { name in
            SuiteError(location: location, message:
                "unknown variable `${\(name)}` in the \(what) of `\(c.id)`\(SuiteLoader.suggestion(name, in: names)); \(known(names))")
        }
    }

    private static func known(_ names: Set<String>) -> String {
        names.isEmpty ? "no variable is set here" : "known here: " + names.sorted().map { "${\($0)}" }.joined(separator: ", ")
    }

    /// `${name}` placeholders in every string of a value, read as the runner reads them: from
    /// `${` to the next `}`.
    static func names(in value: JSONValue) -> Set<String> {
        switch value {
        case .string(let s): return names(in: s)
        case .array(let a): return a.reduce(into: Set<String>()) { $0.formUnion(names(in: $1)) }
        case .object(let o): return o.values.reduce(into: Set<String>()) { $0.formUnion(names(in: $1)) }
        default: return []
        }
    }

    static func names(in s: String) -> Set<String> {
        var out = Set<String>()
        var rest = Substring(s)
        while let r = rest.range(of: "${"), let end = rest[r.upperBound...].firstIndex(of: "}") {
            out.insert(String(rest[r.upperBound..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return out
    }

    // MARK: - Waits between cases

    /// A cycle of cases waiting for each other (prerequisites, features named in conditions,
    /// and `after:` globs), as case ids, if any.
    static func waitCycle(_ cases: [Case]) -> [String]? {
        let graph = DependencyGraph(cases: cases)
        let universe = Set(cases.compactMap(\.feature))
        var caseOfFeature: [String: String] = [:]
        for c in cases { if let f = c.feature, caseOfFeature[f] == nil { caseOfFeature[f] = c.id } }
        var edges: [String: [String]] = [:]
        for c in cases {
            edges[c.id] = graph.dependencies(of: c, universe: universe).compactMap { caseOfFeature[$0] }
                + graph.afterCases(of: c)
        }
        var state: [String: Int] = [:]  // 1 on the path, 2 done
        var path: [String] = []
        // Iterative depth-first search: hostile suites must not overflow the stack.
        for root in cases.map(\.id) where state[root] == nil {
            var stack: [(id: String, next: Int)] = [(root, 0)]
            state[root] = 1
            path.append(root)
            while let top = stack.last {
                let targets = edges[top.id] ?? []
                if top.next < targets.count {
                    stack[stack.count - 1].next += 1
                    let t = targets[top.next]
                    if state[t] == 1 {
                        let start = path.firstIndex(of: t) ?? 0
                        return Array(path[start...]) + [t]
                    }
                    if state[t] == nil {
                        state[t] = 1
                        path.append(t)
                        stack.append((t, 0))
                    }
                } else {
                    state[top.id] = 2
                    path.removeLast()
                    stack.removeLast()
                }
            }
        }
        return nil
    }
}
