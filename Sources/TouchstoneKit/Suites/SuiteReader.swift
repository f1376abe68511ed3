import Foundation
import TouchstoneCore
import TouchstoneReports

/// Turns a located YAML tree into suite values, collecting every error with its place.
struct SuiteReader {
    let file: String
    /// Every problem found, in the order found.
    var collector = DiagnosticCollector()
    var errors: [SuiteError] { collector.diagnostics }
    private var suiteName = ""

    init(file: String) {
        self.file = file
        self.suiteName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    // MARK: - Helpers

    mutating func fail(_ node: YAMLNode, _ message: String) {
        collector.add(SuiteError(location: node.location(file), message: message))
    }

    mutating func fail(line: Int, column: Int, _ message: String) {
        collector.error(message, file: file, line: line, column: column)
    }

    /// The pairs of a mapping, rejecting unknown keys (with a suggestion) and missing required ones.
    mutating func fields(_ node: YAMLNode, _ what: String, allowed: [String], required: [String] = [])
        -> [String: YAMLNode]?
    {
        guard case .map(let pairs) = node.kind else {
            fail(node, "\(what) must be a mapping, found \(node.typeName)")
            return nil
        }
        var out: [String: YAMLNode] = [:]
        for p in pairs {
            if allowed.contains(p.key) {
                out[p.key] = p.value
            } else {
                fail(line: p.keyLine, column: p.keyColumn,
                     "unknown key `\(p.key)` in \(what)\(SuiteLoader.suggestion(p.key, in: allowed)); allowed: \(allowed.joined(separator: ", "))")
            }
        }
        for r in required where out[r] == nil {
            fail(node, "\(what) needs `\(r)`")
        }
        return out
    }

    mutating func string(_ node: YAMLNode?, _ what: String) -> String? {
        guard let node else { return nil }
        if case .scalar(let v, let raw) = node.kind {
            if case .string(let s) = v { return s }
            if case .null = v { fail(node, "\(what) must be a string, found null"); return nil }
            return raw
        }
        fail(node, "\(what) must be a string, found \(node.typeName)")
        return nil
    }

    mutating func strings(_ node: YAMLNode?, _ what: String) -> [String] {
        guard let node else { return [] }
        switch node.kind {
        case .seq(let items): return items.compactMap { string($0, what) }
        case .scalar: return string(node, what).map { [$0] } ?? []
        case .map:
            fail(node, "\(what) must be a list of strings")
            return []
        }
    }

    mutating func list(_ node: YAMLNode?, _ what: String) -> [YAMLNode] {
        guard let node else { return [] }
        if case .seq(let items) = node.kind { return items }
        fail(node, "\(what) must be a list, found \(node.typeName)")
        return []
    }

    // MARK: - Suite

    mutating func suite(_ root: YAMLNode) -> Suite? {
        guard let f = fields(root, "suite file", allowed: ["suite", "title", "description", "cases"],
                             required: ["cases"]) else { return nil }
        if let name = string(f["suite"], "`suite`") { suiteName = name }
        let title = string(f["title"], "`title`") ?? suiteName
        var cases: [Case] = []
        for c in list(f["cases"], "`cases`") {
            if let parsed = testCase(c) { cases.append(parsed) }
        }
        var ids = Set<String>()
        for c in cases {
            if !ids.insert(c.id).inserted {
                collector.add(SuiteError(location: c.location, message: "duplicate case id `\(c.id)`"))
            }
        }
        return Suite(name: suiteName, title: title, file: file, cases: cases)
    }

    static func isValidID(_ id: String) -> Bool {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { p in
            !p.isEmpty && p.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    mutating func testCase(_ node: YAMLNode) -> Case? {
        guard let f = fields(node, "case", allowed: [
            "feature", "id", "title", "rule", "requires", "requires_any", "requires_vars", "after", "steps",
            "verdicts", "quirks",
        ], required: ["verdicts"]) else { return nil }
        let feature = string(f["feature"], "`feature`")
        guard let id = string(f["id"], "`id`") ?? feature else {
            fail(node, "a case needs `feature:` (the feature id it decides) or `id:` (for quirk-only cases)")
            return nil
        }
        if !Self.isValidID(id) {
            fail(f["id"] ?? f["feature"] ?? node, "invalid id `\(id)`: use lowercase words joined by dots, e.g. `chat.basic`")
        }
        var steps: [Step] = []
        for s in list(f["steps"], "`steps`") {
            if let step = step(s, earlier: Set(steps.map(\.id))) {
                if steps.contains(where: { $0.id == step.id }) { fail(s, "duplicate step id `\(step.id)`") }
                steps.append(step)
            }
        }
        let stepIDs = Set(steps.map(\.id))
        var rules: [VerdictRule] = []
        for r in list(f["verdicts"], "`verdicts`") {
            if let rule = verdictRule(r, steps: stepIDs) { rules.append(rule) }
        }
        if rules.isEmpty { fail(node, "case `\(id)` has no verdict rules") }
        if let last = rules.last, last.condition != nil, feature != nil {
            collector.add(SuiteError(location: last.location,
                                     message: "the last verdict rule of `\(id)` must have no `when:` so every outcome gets a verdict"))
        }
        var quirks: [QuirkRule] = []
        for q in list(f["quirks"], "`quirks`") {
            guard let qf = fields(q, "quirk rule", allowed: ["when", "set"], required: ["set"]) else { continue }
            quirks.append(QuirkRule(condition: qf["when"].flatMap { condition($0, steps: stepIDs) },
                                    set: quirkPairs(qf["set"]), location: q.location(file)))
        }
        let rule = caseRule(f["rule"], id: id, decides: feature != nil, verdicts: Set(rules.map(\.verdict)))
        if feature != nil && f["rule"] == nil {
            fail(node, "case `\(id)` decides a feature but has no `rule:`: write what it sends and when it gives each verdict (docs/suites.md § Rules in words)")
        }
        return Case(id: id, feature: feature, suite: suiteName, title: string(f["title"], "`title`"), rule: rule,
                    requires: strings(f["requires"], "`requires`"),
                    requiresAny: strings(f["requires_any"], "`requires_any`"),
                    requiresVars: strings(f["requires_vars"], "`requires_vars`"),
                    after: strings(f["after"], "`after`"),
                    steps: steps, verdicts: rules, quirks: quirks, location: node.location(file))
    }

    /// A `rule:` mapping. It must name every verdict the case's rules can give (`verdicts`) and
    /// no other, except `untested`; a quirk-only case describes what it `records` instead.
    mutating func caseRule(_ node: YAMLNode?, id: String, decides: Bool, verdicts: Set<Verdict>) -> CaseRule? {
        guard let node else { return nil }
        guard let f = fields(node, "`rule`", allowed: CaseRule.keys, required: ["sends"]) else { return nil }
        var texts: [Verdict: String] = [:]
        for v in Verdict.allCases {
            guard let n = f[v.rawValue], let text = string(n, "`rule.\(v.rawValue)`") else { continue }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fail(n, "`rule.\(v.rawValue)` is empty") }
            if !decides {
                fail(n, "`rule.\(v.rawValue)`: quirk-only case `\(id)` gives no verdict; describe what it `records`")
            } else if v != .untested && !verdicts.contains(v) {
                fail(n, "`rule.\(v.rawValue)` describes a verdict no rule of `\(id)` gives")
            }
            texts[v] = text
        }
        if decides {
            for v in Verdict.allCases where verdicts.contains(v) && texts[v] == nil {
                fail(node, "`rule` of `\(id)` does not say when it is `\(v.rawValue)`: add `\(v.rawValue):`, as its verdict rules can give it")
            }
        } else if f["records"] == nil {
            fail(node, "`rule` of quirk-only case `\(id)` needs `records:` (what it observes)")
        }
        let sends = string(f["sends"], "`rule.sends`") ?? ""
        if let n = f["sends"], sends.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fail(n, "`rule.sends` is empty") }
        return CaseRule(sends: sends, verdicts: texts, records: string(f["records"], "`rule.records`"),
                        location: node.location(file))
    }

    mutating func quirkPairs(_ node: YAMLNode?) -> [(String, JSONValue)] {
        guard let node else { return [] }
        guard case .map(let pairs) = node.kind else {
            fail(node, "`quirks`/`set` must map quirk keys to values")
            return []
        }
        return pairs.map { ($0.key, $0.value.json) }
    }

    // MARK: - Steps

    /// A step; its `if:` conditions may name only `earlier` steps (they are decided before it is sent).
    mutating func step(_ node: YAMLNode, earlier: Set<String>) -> Step? {
        guard let f = fields(node, "step", allowed: ["id", "if", "request", "variants", "capture"],
                             required: ["id"]) else { return nil }
        let id = string(f["id"], "step `id`") ?? "?"
        var variants: [Step.Variant] = []
        if let r = f["request"] {
            if let req = request(r) { variants.append(Step.Variant(condition: nil, request: req)) }
        }
        for v in list(f["variants"], "`variants`") {
            guard let vf = fields(v, "variant", allowed: ["if", "request"], required: ["request"]) else { continue }
            if let r = vf["request"], let req = request(r) {
                variants.append(Step.Variant(condition: vf["if"].flatMap { condition($0, steps: earlier) }, request: req))
            }
        }
        if variants.isEmpty { fail(node, "step `\(id)` needs `request:` or `variants:`") }
        var captures: [Capture] = []
        if let c = f["capture"] {
            if case .map(let pairs) = c.kind {
                for p in pairs {
                    guard let cf = fields(p.value, "capture `\(p.key)`", allowed: ["path", "extract"],
                                          required: ["path"]),
                        let pathText = string(cf["path"], "capture `path`") else { continue }
                    guard let path = jsonPath(pathText, cf["path"]!) else { continue }
                    let extract = string(cf["extract"], "`extract`")
                    if let e = extract, !Extractors.names.contains(e) {
                        fail(cf["extract"]!, "unknown extractor `\(e)`\(SuiteLoader.suggestion(e, in: Extractors.names)); known: \(Extractors.names.sorted().joined(separator: ", "))")
                    }
                    captures.append(Capture(name: p.key, path: path, extract: extract))
                }
            } else {
                fail(c, "`capture` must map variable names to `{path:, extract:}`")
            }
        }
        return Step(id: id, runIf: f["if"].flatMap { condition($0, steps: earlier) }, variants: variants,
                    captures: captures, location: node.location(file))
    }

    mutating func request(_ node: YAMLNode) -> RequestTemplate? {
        guard let f = fields(node, "request", allowed: [
            "method", "path", "join", "headers", "auth", "body", "raw_body", "extends", "merge",
        ]) else { return nil }
        if f["path"] == nil && f["extends"] == nil { fail(node, "request needs `path:` or `extends:`") }
        var headers: [(String, String)] = []
        if let h = f["headers"] {
            if case .map(let pairs) = h.kind {
                for p in pairs { if let v = string(p.value, "header value") { headers.append((p.key, v)) } }
            } else { fail(h, "`headers` must be a mapping of names to values") }
        }
        var join = RequestTemplate.Join.clean
        if let j = string(f["join"], "`join`") {
            if let v = RequestTemplate.Join(rawValue: j) { join = v } else { fail(f["join"]!, "`join` is `clean`, `naive` or `origin`") }
        }
        var auth = RequestTemplate.Auth.target
        if let a = string(f["auth"], "`auth`") {
            if let v = RequestTemplate.Auth(rawValue: a) { auth = v } else { fail(f["auth"]!, "`auth` is `target`, `none` or `bogus`") }
        }
        if f["body"] != nil && f["raw_body"] != nil { fail(node, "use either `body` or `raw_body`, not both") }
        let method = string(f["method"], "`method`")?.uppercased()
        if let m = method, !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"].contains(m) {
            fail(f["method"]!, "unknown HTTP method `\(m)`")
        }
        return RequestTemplate(method: method, path: string(f["path"], "`path`") ?? "", join: join,
                               headers: headers, auth: auth, body: f["body"]?.json,
                               rawBody: string(f["raw_body"], "`raw_body`"), extends: string(f["extends"], "`extends`"),
                               merge: f["merge"]?.json, location: node.location(file))
    }

    // MARK: - Rules and conditions

    mutating func verdictRule(_ node: YAMLNode, steps: Set<String>) -> VerdictRule? {
        guard let f = fields(node, "verdict rule", allowed: ["when", "verdict", "detail", "quirks"],
                             required: ["verdict", "detail"]) else { return nil }
        let name = string(f["verdict"], "`verdict`") ?? ""
        let when = f["when"].flatMap { condition($0, steps: steps) }
        guard let verdict = Verdict(rawValue: name) else {
            // A missing `verdict:` was reported by `fields` already.
            guard let v = f["verdict"] else { return nil }
            fail(v, "unknown verdict `\(name)`; use one of supported, unsupported, ignored, broken, untested")
            return nil
        }
        return VerdictRule(condition: when, verdict: verdict,
                           detail: string(f["detail"], "`detail`") ?? "", quirks: quirkPairs(f["quirks"]),
                           location: node.location(file))
    }

    static let conditionKeys = [
        "step", "status", "transport", "json", "content_type", "check", "fails", "assert", "feature", "ran",
        "any", "all", "not",
    ]

    /// A `when:` mapping; every key must hold. `step:` names the step the other keys look at,
    /// one of `steps`.
    mutating func condition(_ node: YAMLNode, steps: Set<String>, inherited: String? = nil) -> Condition? {
        if case .seq(let items) = node.kind {
            return .all(items.compactMap { condition($0, steps: steps, inherited: inherited) })
        }
        guard let f = fields(node, "condition", allowed: Self.conditionKeys) else { return nil }
        var step: String? = inherited
        if let s = string(f["step"], "`step`") {
            if !steps.contains(s) {
                let known = steps.isEmpty ? "no step can be named here" : "known here: \(steps.sorted().joined(separator: ", "))"
                fail(f["step"]!, "unknown step `\(s)`\(SuiteLoader.suggestion(s, in: steps)); \(known)")
            }
            step = s
        }
        var parts: [Condition] = []
        for key in Self.conditionKeys where key != "step" {
            guard let v = f[key] else { continue }
            switch key {
            case "status": if let m = statusMatcher(v) { parts.append(.status(step: step, m)) }
            case "transport": if let s = string(v, "`transport`") { parts.append(.transport(step: step, s)) }
            case "json": if let b = bool(v, "`json`") { parts.append(.json(step: step, b)) }
            case "content_type": if let s = string(v, "`content_type`") { parts.append(.contentType(step: step, s.lowercased())) }
            case "check", "fails":
                for call in checkCalls(v) { parts.append(.check(step: step, call, expect: key == "check")) }
            case "assert":
                let items: [YAMLNode] = if case .seq(let l) = v.kind { l } else { [v] }
                parts.append(.asserts(step: step, items.compactMap { assertion($0) }))
            case "feature":
                guard case .map(let pairs) = v.kind else { fail(v, "`feature` maps feature ids to verdicts"); continue }
                for p in pairs {
                    let names = strings(p.value, "verdict")
                    let verdicts = names.compactMap { n -> Verdict? in
                        if let v = Verdict(rawValue: n) { return v }
                        fail(p.value, "unknown verdict `\(n)`")
                        return nil
                    }
                    parts.append(.feature(id: p.key, verdicts: verdicts))
                }
            case "ran": if let b = bool(v, "`ran`") { parts.append(.ran(step: step, b)) }
            case "any", "all":
                let subs = list(v, "`\(key)`").compactMap { condition($0, steps: steps, inherited: step) }
                parts.append(key == "any" ? .any(subs) : .all(subs))
            case "not": if let c = condition(v, steps: steps, inherited: step) { parts.append(.not(c)) }
            default: break
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if case .scalar(.bool(let b), _) = node.kind { return b }
        fail(node, "\(what) must be true or false")
        return nil
    }

    mutating func statusMatcher(_ node: YAMLNode) -> StatusMatcher? {
        switch node.kind {
        case .scalar(.int(let i), _): return .exact(i)
        case .scalar(_, let raw):
            let s = raw.lowercased()
            if s.count == 3, s.hasSuffix("xx"), let d = Int(String(s.first!)), (1...5).contains(d) {
                return .range(d * 100...d * 100 + 99)
            }
            let bounds = s.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, bounds[0] <= bounds[1] { return .range(bounds[0]...bounds[1]) }
            fail(node, "status must be a code (404), a class (4xx), a range (400-499) or a list ([400, 422])")
            return nil
        case .seq(let items):
            return .anyOf(items.compactMap { item -> StatusMatcher? in
                if case .seq = item.kind { fail(item, "status lists do not nest"); return nil }
                return statusMatcher(item)
            })
        case .map:
            fail(node, "status must be a code, class, range or list")
            return nil
        }
    }

    mutating func checkCalls(_ node: YAMLNode) -> [CheckCall] {
        switch node.kind {
        case .seq(let items): return items.flatMap { checkCalls($0) }
        case .scalar:
            guard let name = string(node, "check name") else { return [] }
            return checkCall(name: name, args: [:], node: node)
        case .map(let pairs):
            guard let nameNode = pairs.first(where: { $0.key == "name" })?.value,
                  let name = string(nameNode, "check `name`") else {
                fail(node, "a check with arguments is written `{name: CHECK, ARG: VALUE, ...}`")
                return []
            }
            var args: [String: JSONValue] = [:]
            for p in pairs where p.key != "name" { args[p.key] = p.value.json }
            return checkCall(name: name, args: args, node: node)
        }
    }

    mutating func checkCall(name: String, args: [String: JSONValue], node: YAMLNode) -> [CheckCall] {
        guard let check = BuiltinChecks.all[name] else {
            fail(node, "unknown check `\(name)`\(SuiteLoader.suggestion(name, in: BuiltinChecks.all.keys)); see docs/suites.md for the list")
            return []
        }
        for key in args.keys where !check.arguments.contains(key) {
            fail(node, "check `\(name)` takes no argument `\(key)`; it takes: \(check.arguments.isEmpty ? "none" : check.arguments.joined(separator: ", "))")
        }
        for key in check.requiredArguments where args[key] == nil {
            fail(node, "check `\(name)` needs argument `\(key)`")
        }
        return [CheckCall(name: name, args: args, location: node.location(file))]
    }

    mutating func jsonPath(_ text: String, _ node: YAMLNode) -> JSONPath? {
        do {
            return try JSONPath(text)
        } catch {
            fail(node, "invalid JSON path `\(text)`: \(error)")
            return nil
        }
    }

    static let operators = ["exists", "equals", "not_equals", "in", "type", "matches", "contains", "length",
                            "min_length", "max_length", "parses_as_json", "validates", "lt", "lte", "gt", "gte"]

    mutating func assertion(_ node: YAMLNode) -> Assertion? {
        guard let f = fields(node, "assertion", allowed: ["path"] + Self.operators, required: ["path"]),
              let pathText = string(f["path"], "`path`"), let path = jsonPath(pathText, f["path"]!) else { return nil }
        let ops = Self.operators.filter { f[$0] != nil }
        guard ops.count == 1 || (Set(ops) == ["min_length", "max_length"]) else {
            fail(node, ops.isEmpty ? "assertion needs an operator: \(Self.operators.joined(separator: ", "))"
                                   : "one operator per assertion (found \(ops.joined(separator: ", ")))")
            return nil
        }
        let v = f[ops[0]]!
        let op: Assertion.Operator
        switch ops[0] {
        case "exists": guard let b = bool(v, "`exists`") else { return nil }; op = .exists(b)
        case "equals": op = .equals(v.json)
        case "not_equals": op = .notEquals(v.json)
        case "in": op = .isIn(list(v, "`in`").map(\.json))
        case "type":
            let types = strings(v, "`type`")
            let known = ["null", "boolean", "integer", "number", "string", "array", "object"]
            for t in types where !known.contains(t) { fail(v, "unknown type `\(t)`; use \(known.joined(separator: ", "))") }
            op = .type(types)
        case "matches":
            guard let re = string(v, "`matches`") else { return nil }
            if (try? NSRegularExpression(pattern: re)) == nil { fail(v, "invalid regular expression `\(re)`") }
            op = .matches(re)
        case "contains": op = .contains(v.json)
        case "length":
            switch v.json {
            case .int(let n): op = .length(min: n, max: n)
            default: fail(v, "`length` must be an integer"); return nil
            }
        case "min_length", "max_length":
            op = .length(min: f["min_length"]?.json.intValue, max: f["max_length"]?.json.intValue)
        case "parses_as_json": guard let b = bool(v, "`parses_as_json`") else { return nil }; op = .parsesAsJSON(b)
        case "validates": op = .validates(v.json)
        default:
            guard let n = v.json.numberValue else { fail(v, "`\(ops[0])` needs a number"); return nil }
            op = .compare(ops[0], n)
        }
        return Assertion(path: path, pathText: pathText, op: op, location: node.location(file))
    }
}
