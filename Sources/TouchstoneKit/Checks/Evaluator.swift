import Foundation
import TouchstoneCore

/// What happened to one step of a case.
enum StepOutcome: Sendable {
    case ran(Exchange)
    case skipped(String)

    var exchange: Exchange? { if case .ran(let e) = self { return e }; return nil }
}

/// Evaluates `when:` conditions against a case's steps, the features decided so far and
/// the session log. Collects the messages of the checks it ran (for `${message}` in details)
/// and the quirks they observed.
struct Evaluator {
    let outcomes: [String: StepOutcome]
    let defaultStep: String?
    let features: [String: Verdict]
    let log: [Exchange]
    let variables: [String: JSONValue]
    var messages: [String] = []
    var failures: [String] = []
    var quirks: [String: JSONValue] = [:]
    /// Why a condition could not be decided (a user's regular expression ran out of its
    /// budget, or the run was stopped while it ran): the case is `untested`, not judged.
    var undecided: String? = nil
    /// The regular-expression work this case may still spend.
    private var regexBudget = RegexBudget()
    /// Set once a condition looked into the body of an error response that was cut short (a
    /// 4xx/5xx whose transfer failed): what it read is not what the upstream said. Kept across
    /// rules: a later rule's match would rest on the earlier rule's miss.
    private(set) var cutBody: String?
    private var documents: [String: JSONValue] = [:]

    init(outcomes: [String: StepOutcome], defaultStep: String?, features: [String: Verdict], log: [Exchange],
         variables: [String: JSONValue]) {
        self.outcomes = outcomes
        self.defaultStep = defaultStep
        self.features = features
        self.log = log
        self.variables = variables
    }

    /// Clears what one rule collected, keeping the step documents built so far.
    mutating func startRule() {
        messages = []
        failures = []
        quirks = [:]
    }

    /// Drops the step documents built so far (they hold the answers' parsed trees).
    mutating func forgetDocuments() { documents = [:] }

    mutating func document(_ step: String) -> JSONValue? {
        if let d = documents[step] { return d }
        guard let ex = outcomes[step]?.exchange else { return nil }
        let d = StepDocument.make(ex)
        documents[step] = d
        return d
    }

    private func exchange(_ step: String?) -> Exchange? {
        guard let s = step ?? defaultStep else { return nil }
        return outcomes[s]?.exchange
    }

    /// Notes that a condition reads the body of `step`'s exchange.
    private mutating func readsBody(_ step: String?) {
        guard cutBody == nil, let ex = exchange(step), let status = ex.status, status >= 400, ex.error != nil else { return }
        cutBody = "step `\(step ?? defaultStep ?? "?")` got HTTP \(status) but its body was cut (\(ex.summary)): what it says cannot be judged"
    }

    /// Why a step has no exchange, for messages.
    private func missing(_ step: String?) -> String {
        let name = step ?? defaultStep ?? "?"
        if case .skipped(let why) = outcomes[name] { return "step `\(name)` not sent: \(why)" }
        return "step `\(name)` did not run"
    }

    mutating func holds(_ c: Condition?) -> Bool {
        guard let c else { return true }
        switch c {
        case .all(let l):
            for x in l where !holds(x) { return false }
            return true
        case .any(let l):
            for x in l where holds(x) { return true }
            return false
        case .not(let x):
            return !holds(x)
        case .feature(let id, let verdicts):
            guard let v = features[id] else { return false }
            return verdicts.contains(v)
        case .ran(let step, let expected):
            let ran = exchange(step) != nil
            return ran == expected
        case .status(let step, let matcher):
            guard let ex = exchange(step) else {
                failures.append(missing(step))
                return false
            }
            guard let status = ex.status else {
                failures.append(ex.summary)
                return false
            }
            // A transfer that failed mid-body still has its status; a 2xx whose body broke
            // is not a clean 2xx.
            if ex.error != nil && (200..<300).contains(status) {
                failures.append(ex.summary)
                return false
            }
            if !matcher.matches(status) {
                failures.append("\(ex.summary), expected \(matcher.description.replacingOccurrences(of: "|", with: " or "))")
                return false
            }
            return true
        case .transport(let step, let what):
            guard let ex = exchange(step) else { return false }
            switch what {
            case "error": return ex.error != nil
            case "ok": return ex.error == nil
            default: return ex.error?.kind == what
            }
        case .json(let step, let expected):
            readsBody(step)
            guard let ex = exchange(step) else { return false }
            return (ex.json != nil) == expected
        case .contentType(let step, let prefix):
            guard let ex = exchange(step) else { return false }
            return ex.contentType.hasPrefix(prefix)
        case .check(let step, let call, let expect):
            readsBody(step)
            let r = runCheck(call, step: step)
            return r == expect
        case .asserts(let step, let list):
            readsBody(step)
            guard let name = step ?? defaultStep, let doc = document(name) else {
                failures.append(missing(step))
                return false
            }
            for written in list {
                let a: Assertion
                do {
                    a = try written.substituting(variables)
                } catch {
                    return notSet("`\(written.pathText)`", error)
                }
                do {
                    if let why = try Assertions.failure(of: a, in: doc, budget: &regexBudget) {
                        failures.append(why)
                        return false
                    }
                } catch {
                    if undecided == nil { undecided = error.reason }
                    failures.append(error.reason)
                    return false
                }
            }
            return true
        }
    }

    /// A value naming a variable that is not set (the target's configuration, or a capture that
    /// found nothing): what reads it says nothing about the upstream, so nothing is decided.
    private mutating func notSet(_ what: String, _ e: RequestBuilder.MissingVariable) -> Bool {
        let why = "\(what): `${\(e.name)}` is not set"
        if undecided == nil { undecided = why }
        failures.append(why)
        return false
    }

    /// The exchange given to checks of a case without steps (they read the session log only).
    private static let logOnly = Exchange(request: PreparedRequest(method: "GET", url: "", path: "", join: .clean,
                                                                   headers: [], body: nil, json: nil))

    private mutating func runCheck(_ call: CheckCall, step: String?) -> Bool {
        // Cases without steps run checks over the session log only.
        guard let ex = (step == nil && defaultStep == nil) ? Evaluator.logOnly : exchange(step) else {
            failures.append(missing(step))
            return false
        }
        guard let check = BuiltinChecks.all[call.name] else { return false }
        var args = call.args
        for (k, v) in args {
            do {
                args[k] = try RequestBuilder.substitute(v, variables)
            } catch {
                return notSet("argument `\(k)` of check `\(call.name)`", error)
            }
        }
        let input = CheckInput(exchange: ex, args: args, outcomes: outcomes, log: log)
        let r = check.run(input)
        for (k, v) in r.quirks { quirks[k] = v }
        if let why = r.undecided {
            if undecided == nil { undecided = why }
            failures.append(why)
            return false
        }
        if r.passed { messages.append(r.message) } else { failures.append(Self.diagnosed(r.message, ex)) }
        return r.passed
    }

    /// A failed check's message, with what the exchange shows beyond it: an error object inside
    /// a 2xx answer, or a 2xx body that is not JSON and not labelled JSON.
    static func diagnosed(_ message: String, _ ex: Exchange) -> String {
        guard let status = ex.status, (200..<300).contains(status), ex.error == nil, !ex.isStream else { return message }
        if let e = ex.json?["error"], !e.isNull {
            let text = e["message"]?.stringValue ?? e.stringValue ?? e.serialized(sortedKeys: true)
            return "HTTP \(status) with an error object inside (\(TextSanitizer.oneLine(text, limit: 120))): \(message)"
        }
        if ex.json == nil, !ex.body.isEmpty, !ex.contentType.contains("json") {
            let type = ex.contentType.isEmpty ? "missing" : ex.contentType
            return "\(message) (content-type \(TextSanitizer.oneLine(type, limit: 80)), expected application/json)"
        }
        return message
    }
}

/// Evaluates one assertion; returns why it failed, or nil when it holds.
enum Assertions {
    /// An assertion that could not be decided: its regular expression (or a schema's
    /// `pattern`) ran out of budget, or the run was stopped while it ran.
    struct Undecided: Error {
        let reason: String
    }

    static func failure(of a: Assertion, in doc: JSONValue, budget: inout RegexBudget) throws(Undecided) -> String? {
        let values = a.path.evaluate(doc)
        if case .exists(let expected) = a.op {
            if values.isEmpty == expected { return expected ? "`\(a.pathText)` is missing" : "`\(a.pathText)` is present" }
            return nil
        }
        guard !values.isEmpty else { return "`\(a.pathText)` is missing" }
        // A pattern is compiled once per assertion, not once per value.
        var compiled: NSRegularExpression? = nil
        if case .matches(let pattern) = a.op { compiled = try? NSRegularExpression(pattern: pattern) }
        for v in values {
            if Task.isCancelled { throw Undecided(reason: "the run was stopped while `\(a.pathText)` was checked") }
            if let why = try failure(of: a.op, value: v, regex: compiled, budget: &budget) { return "`\(a.pathText)` \(why)" }
        }
        return nil
    }

    static func show(_ v: JSONValue) -> String {
        TextSanitizer.oneLine(v.serialized(sortedKeys: true), limit: 80)
    }

    static func failure(of op: Assertion.Operator, value v: JSONValue, regex: NSRegularExpression?,
                        budget: inout RegexBudget) throws(Undecided) -> String? {
        switch op {
        case .exists: return nil
        case .equals(let e): return equal(v, e) ? nil : "is \(show(v)), expected \(show(e))"
        case .notEquals(let e): return equal(v, e) ? "is \(show(v))" : nil
        case .isIn(let list): return list.contains(where: { equal(v, $0) }) ? nil : "is \(show(v)), expected one of \(show(.array(list)))"
        case .type(let types):
            let t = v.typeName
            let ok = types.contains(t) || (t == "integer" && types.contains("number"))
            return ok ? nil : "is \(t), expected \(types.joined(separator: " or "))"
        case .matches(let pattern):
            guard let s = v.stringValue else { return "is \(v.typeName), expected a string matching /\(pattern)/" }
            guard let re = regex ?? (try? NSRegularExpression(pattern: pattern)) else { return "does not match /\(pattern)/" }
            do {
                return try budget.firstMatch(re, in: s) ? nil : "does not match /\(pattern)/"
            } catch .tooCostly {
                throw Undecided(reason: RegexBudget.tooCostly(pattern))
            } catch {
                throw Undecided(reason: "the run was stopped while /\(TextSanitizer.oneLine(pattern, limit: 60))/ was evaluated")
            }
        case .contains(let needle):
            switch v {
            case .string(let s):
                guard let n = needle.stringValue else { return "is a string; `contains` needs a string" }
                return s.contains(n) ? nil : "does not contain \(show(needle))"
            case .array(let a): return a.contains(where: { equal($0, needle) }) ? nil : "does not contain \(show(needle))"
            default: return "is \(v.typeName); `contains` needs a string or array"
            }
        case .length(let min, let max):
            let n: Int
            switch v {
            case .string(let s): n = s.count
            case .array(let a): n = a.count
            case .object(let o): n = o.count
            default: return "is \(v.typeName); length needs a string, array or object"
            }
            if let min, n < min { return min == max ? "has length \(n), expected \(min)" : "has length \(n), expected at least \(min)" }
            if let max, n > max { return min == max ? "has length \(n), expected \(max)" : "has length \(n), expected at most \(max)" }
            return nil
        case .parsesAsJSON(let expected):
            guard let s = v.stringValue else { return "is \(v.typeName), not a JSON string" }
            let parsed = EmbeddedJSON(s)
            if let why = parsed.undecided("the string") { throw Undecided(reason: why) }
            let ok = parsed.value != nil
            return ok == expected ? nil : (expected ? "does not parse as JSON" : "parses as JSON")
        case .validates(let schema):
            var instance = v
            if case .string(let s) = v {
                let parsed = EmbeddedJSON(s)
                if let why = parsed.undecided("the string") { throw Undecided(reason: why) }
                if let parsed = parsed.value { instance = parsed }
            }
            let errors = JSONSchemaValidator.validate(instance, against: schema)
            if let costly = errors.first(where: { $0.keyword == JSONSchemaValidator.budgetKeyword }) {
                throw Undecided(reason: costly.message)
            }
            return errors.isEmpty ? nil : "does not validate: \(errors.first!)"
        case .compare(let op, let bound):
            guard let n = v.numberValue else { return "is \(v.typeName), expected a number" }
            let ok = switch op {
            case "lt": n < bound
            case "lte": n <= bound
            case "gt": n > bound
            default: n >= bound
            }
            return ok ? nil : "is \(show(v)), expected \(op) \(bound)"
        }
    }

    /// JSON equality where 1 == 1.0.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x == y }
        return a == b
    }
}
