import Foundation

/// One way an instance fails its schema.
public struct JSONSchemaError: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, as a JSONPath: `$`, `$.zq`, `$.items[2]`, `$['a.b']`.
    public var instancePath: String
    /// The schema keyword that failed (`type`, `enum`, `required`, `$ref`, …).
    public var keyword: String
    public var message: String

    public init(instancePath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    public var description: String { "\(instancePath): \(message)" }
}

/// Validates JSON values against a JSON Schema (a draft 2020-12 subset, with the older
/// spellings models still send).
///
/// Supported: boolean schemas; `type` (a name or a list; `integer` accepts `5` and `5.0`),
/// `enum`, `const` (numbers compare by value: `5 == 5.0`); `properties`, `patternProperties`,
/// `additionalProperties` (bool or schema), `required`, `minProperties`/`maxProperties`;
/// `prefixItems`, `items` (a schema; the draft-4 array form acts as `prefixItems`, with
/// `additionalItems`), `contains`, `minItems`/`maxItems`, `uniqueItems`;
/// `minLength`/`maxLength` (in Unicode scalars), `pattern` (NSRegularExpression, unanchored);
/// `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum` (numbers, or draft-4 booleans),
/// `multipleOf`; `allOf`/`anyOf`/`oneOf`/`not`, `if`/`then`/`else`; `$ref` to JSON pointers
/// in the root document (`#`, `#/$defs/x`, `#/definitions/x`, …).
/// Unknown keywords (`format`, `title`, `description`, …) are ignored. A `$ref` that cannot be
/// resolved is an error; a `$ref` cycle that does not consume the instance stops after 64 hops.
public struct JSONSchemaValidator: Sendable {
    public let schema: JSONValue

    public init(schema: JSONValue) {
        self.schema = schema
    }

    public func validate(_ instance: JSONValue) -> [JSONSchemaError] {
        let run = ValidationRun(root: schema)
        var path: [JSONPath.Segment] = []
        var errors: [JSONSchemaError] = []
        run.validate(instance, schema, path: &path, errors: &errors, refHops: 0)
        if let pattern = run.costly {
            // Not a verdict on the instance: the schema's own pattern could not be evaluated.
            errors.insert(JSONSchemaError(instancePath: "$", keyword: JSONSchemaValidator.budgetKeyword,
                                          message: RegexBudget.tooCostly(pattern)), at: 0)
        }
        return errors
    }

    /// The keyword of the error that says a `pattern` ran out of its `RegexBudget`: the
    /// validation could not decide.
    public static let budgetKeyword = "pattern budget"

    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }

    public static func validate(_ instance: JSONValue, against schema: JSONValue) -> [JSONSchemaError] {
        JSONSchemaValidator(schema: schema).validate(instance)
    }
}

extension JSONValue {
    /// JSON equality: numbers compare by value (`.int(5) == .double(5.0)`), objects by members.
    public func jsonEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return compareNumbers(self, other) == 0
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.jsonEquals($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (k, v) in a {
                guard let w = b[k], v.jsonEquals(w) else { return false }
            }
            return true
        default:
            return self == other
        }
    }
}

/// -1, 0, 1 comparing two numeric values (exact for Int/Int), nil if either is not a number.
private func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    default:
        guard let x = a.numberValue, let y = b.numberValue else { return nil }
        return x < y ? -1 : (x == y ? 0 : 1)
    }
}

private final class ValidationRun {
    let root: JSONValue
    var regexCache: [String: NSRegularExpression?] = [:]
    static let maxRefHops = 64

    init(root: JSONValue) {
        self.root = root
    }

    func report(_ path: [JSONPath.Segment], _ keyword: String, _ message: String, _ errors: inout [JSONSchemaError]) {
        errors.append(JSONSchemaError(instancePath: JSONPath.render(path), keyword: keyword, message: message))
    }

    func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = regexCache[pattern] { return cached }
        let compiled = try? NSRegularExpression(pattern: pattern)
        regexCache[pattern] = compiled
        return compiled
    }

    /// Every `pattern` and `patternProperties` match of one validation shares one budget.
    var budget = RegexBudget()
    /// The pattern that ran out of budget, once one did (reported once).
    var costly: String? = nil

    /// Whether `s` matches; nil for an invalid pattern. A pattern too costly on this text
    /// counts as a match (nothing is concluded from it) and is reported once by `validate`.
    func matches(_ pattern: String, _ s: String) -> Bool? {
        guard let re = regex(pattern) else { return nil }
        do {
            return try budget.firstMatch(re, in: s)
        } catch {
            if costly == nil { costly = pattern }
            return true
        }
    }

    func isValid(_ instance: JSONValue, _ schema: JSONValue, path: inout [JSONPath.Segment], refHops: Int) -> (Bool, [JSONSchemaError]) {
        var sub: [JSONSchemaError] = []
        validate(instance, schema, path: &path, errors: &sub, refHops: refHops)
        return (sub.isEmpty, sub)
    }

    func validate(_ instance: JSONValue, _ schema: JSONValue, path: inout [JSONPath.Segment],
                  errors: inout [JSONSchemaError], refHops: Int)
    {
        let s: [String: JSONValue]
        switch schema {
        case .bool(true): return
        case .bool(false):
            report(path, "false", "no value is allowed here", &errors)
            return
        case .object(let o): s = o
        default: return  // not a schema: ignore
        }
        if s.isEmpty { return }

        if let ref = s["$ref"]?.stringValue {
            if refHops >= ValidationRun.maxRefHops {
                report(path, "$ref", "$ref '\(ref)' recurses more than \(ValidationRun.maxRefHops) times without progress", &errors)
            } else if let target = resolve(ref) {
                validate(instance, target, path: &path, errors: &errors, refHops: refHops + 1)
            } else {
                report(path, "$ref", "cannot resolve $ref '\(ref)'", &errors)
            }
        }

        if let t = s["type"] {
            let names: [String] = t.stringValue.map { [$0] } ?? (t.arrayValue?.compactMap(\.stringValue) ?? [])
            if !names.isEmpty && !names.contains(where: { matchesType(instance, $0) }) {
                let expected = names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
                report(path, "type", "expected \(expected), got \(actualType(instance))", &errors)
            }
        }
        if let e = s["enum"]?.arrayValue, !e.contains(where: { $0.jsonEquals(instance) }) {
            report(path, "enum", "\(short(instance)) is not one of \(short(.array(e)))", &errors)
        }
        if let c = s["const"], !c.jsonEquals(instance) {
            report(path, "const", "\(short(instance)) is not \(short(c))", &errors)
        }

        switch instance {
        case .object(let o): validateObject(o, s, path: &path, errors: &errors)
        case .array(let a): validateArray(a, s, path: &path, errors: &errors)
        case .string(let str): validateString(str, s, path: path, errors: &errors)
        case .int, .double: validateNumber(instance, s, path: path, errors: &errors)
        default: break
        }

        // Applicators.
        if let all = s["allOf"]?.arrayValue {
            for sub in all { validate(instance, sub, path: &path, errors: &errors, refHops: refHops) }
        }
        if let any = s["anyOf"]?.arrayValue, !any.isEmpty {
            var firstFailure: [JSONSchemaError] = []
            var ok = false
            for sub in any {
                let (valid, subErrors) = isValid(instance, sub, path: &path, refHops: refHops)
                if valid { ok = true; break }
                if firstFailure.isEmpty { firstFailure = subErrors }
            }
            if !ok {
                report(path, "anyOf", "matches none of the \(any.count) anyOf alternatives\(firstHint(firstFailure))", &errors)
            }
        }
        if let one = s["oneOf"]?.arrayValue, !one.isEmpty {
            var matched: [Int] = []
            var firstFailure: [JSONSchemaError] = []
            for (k, sub) in one.enumerated() {
                let (valid, subErrors) = isValid(instance, sub, path: &path, refHops: refHops)
                if valid { matched.append(k) } else if firstFailure.isEmpty { firstFailure = subErrors }
            }
            if matched.isEmpty {
                report(path, "oneOf", "matches none of the \(one.count) oneOf alternatives\(firstHint(firstFailure))", &errors)
            } else if matched.count > 1 {
                report(path, "oneOf", "matches \(matched.count) oneOf alternatives (\(matched.map(String.init).joined(separator: ", "))); exactly one is required", &errors)
            }
        }
        if let not = s["not"] {
            if isValid(instance, not, path: &path, refHops: refHops).0 {
                report(path, "not", "must not match the 'not' schema", &errors)
            }
        }
        if let cond = s["if"] {
            if isValid(instance, cond, path: &path, refHops: refHops).0 {
                if let then = s["then"] { validate(instance, then, path: &path, errors: &errors, refHops: refHops) }
            } else if let els = s["else"] {
                validate(instance, els, path: &path, errors: &errors, refHops: refHops)
            }
        }
    }

    func firstHint(_ errors: [JSONSchemaError]) -> String {
        guard let e = errors.first else { return "" }
        return " (first alternative: \(e.description))"
    }

    func validateObject(_ o: [String: JSONValue], _ s: [String: JSONValue], path: inout [JSONPath.Segment],
                        errors: inout [JSONSchemaError])
    {
        let properties = s["properties"]?.objectValue ?? [:]
        let patterns = s["patternProperties"]?.objectValue ?? [:]
        let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        if let required = s["required"]?.arrayValue {
            for name in required.compactMap(\.stringValue) where o[name] == nil {
                report(path, "required", "missing required property '\(name)'", &errors)
            }
        }
        if let min = s["minProperties"]?.intLike, o.count < min {
            report(path, "minProperties", "has \(o.count) properties, fewer than \(min)", &errors)
        }
        if let max = s["maxProperties"]?.intLike, o.count > max {
            report(path, "maxProperties", "has \(o.count) properties, more than \(max)", &errors)
        }
        let additional = s["additionalProperties"]
        for key in keys {
            let value = o[key]!
            path.append(.name(key))
            defer { path.removeLast() }
            var covered = false
            if let sub = properties[key] {
                covered = true
                validate(value, sub, path: &path, errors: &errors, refHops: 0)
            }
            for (pattern, sub) in patterns where matches(pattern, key) == true {
                covered = true
                validate(value, sub, path: &path, errors: &errors, refHops: 0)
            }
            if !covered, let additional {
                if case .bool(false) = additional {
                    report(path, "additionalProperties", "property '\(key)' is not allowed (additionalProperties is false)", &errors)
                } else {
                    validate(value, additional, path: &path, errors: &errors, refHops: 0)
                }
            }
        }
    }

    func validateArray(_ a: [JSONValue], _ s: [String: JSONValue], path: inout [JSONPath.Segment],
                       errors: inout [JSONSchemaError])
    {
        if let min = s["minItems"]?.intLike, a.count < min {
            report(path, "minItems", "has \(a.count) items, fewer than \(min)", &errors)
        }
        if let max = s["maxItems"]?.intLike, a.count > max {
            report(path, "maxItems", "has \(a.count) items, more than \(max)", &errors)
        }
        var prefix: [JSONValue] = s["prefixItems"]?.arrayValue ?? []
        var rest = s["items"]
        if case .array(let tuple)? = rest {  // draft-4 .. 2019-09 tuple form
            prefix = tuple
            rest = s["additionalItems"]
        }
        for (k, value) in a.enumerated() {
            let sub: JSONValue? = k < prefix.count ? prefix[k] : rest
            guard let sub else { continue }
            path.append(.index(k))
            if case .bool(false) = sub {
                report(path, "items", "no item is allowed at index \(k) (array has at most \(prefix.count) items)", &errors)
            } else {
                validate(value, sub, path: &path, errors: &errors, refHops: 0)
            }
            path.removeLast()
        }
        if let contains = s["contains"] {
            var found = false
            for (k, value) in a.enumerated() {
                path.append(.index(k))
                found = isValid(value, contains, path: &path, refHops: 0).0
                path.removeLast()
                if found { break }
            }
            if !found { report(path, "contains", "no item matches the 'contains' schema", &errors) }
        }
        if s["uniqueItems"]?.boolValue == true {
            outer: for x in 0..<a.count {
                for y in (x + 1)..<a.count where a[x].jsonEquals(a[y]) {
                    report(path, "uniqueItems", "items \(x) and \(y) are equal", &errors)
                    break outer
                }
            }
        }
    }

    func validateString(_ str: String, _ s: [String: JSONValue], path: [JSONPath.Segment],
                        errors: inout [JSONSchemaError])
    {
        let minLength = s["minLength"]?.intLike
        let maxLength = s["maxLength"]?.intLike
        if minLength != nil || maxLength != nil {
            let length = str.unicodeScalars.count
            if let minLength, length < minLength {
                report(path, "minLength", "is \(length) characters long, shorter than \(minLength)", &errors)
            }
            if let maxLength, length > maxLength {
                report(path, "maxLength", "is \(length) characters long, longer than \(maxLength)", &errors)
            }
        }
        if let pattern = s["pattern"]?.stringValue {
            switch matches(pattern, str) {
            case false?: report(path, "pattern", "\(short(.string(str))) does not match the pattern \(short(.string(pattern)))", &errors)
            case nil: report(path, "pattern", "the schema pattern \(short(.string(pattern))) is not a valid regular expression", &errors)
            default: break
            }
        }
    }

    func validateNumber(_ n: JSONValue, _ s: [String: JSONValue], path: [JSONPath.Segment],
                        errors: inout [JSONSchemaError])
    {
        let exclusiveMinFlag = s["exclusiveMinimum"]?.boolValue == true
        let exclusiveMaxFlag = s["exclusiveMaximum"]?.boolValue == true
        if let m = s["minimum"], let c = compareNumbers(n, m) {
            if exclusiveMinFlag ? c <= 0 : c < 0 {
                report(path, "minimum", "\(n) is less than \(exclusiveMinFlag ? "or equal to " : "")the minimum \(m)", &errors)
            }
        }
        if let m = s["maximum"], let c = compareNumbers(n, m) {
            if exclusiveMaxFlag ? c >= 0 : c > 0 {
                report(path, "maximum", "\(n) is greater than \(exclusiveMaxFlag ? "or equal to " : "")the maximum \(m)", &errors)
            }
        }
        if let m = s["exclusiveMinimum"], let c = compareNumbers(n, m), c <= 0 {
            report(path, "exclusiveMinimum", "\(n) is not greater than \(m)", &errors)
        }
        if let m = s["exclusiveMaximum"], let c = compareNumbers(n, m), c >= 0 {
            report(path, "exclusiveMaximum", "\(n) is not less than \(m)", &errors)
        }
        if let m = s["multipleOf"], let divisor = m.numberValue, divisor > 0 {
            let ok: Bool
            if case .int(let x) = n, case .int(let d) = m {
                ok = x % d == 0
            } else if let x = n.numberValue {
                let q = x / divisor
                ok = q.isFinite && abs(q - q.rounded()) <= 1e-9 * max(1, abs(q))
            } else {
                ok = true
            }
            if !ok { report(path, "multipleOf", "\(n) is not a multiple of \(m)", &errors) }
        }
    }

    func matchesType(_ v: JSONValue, _ name: String) -> Bool {
        switch (name, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
             ("number", .int), ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let d)):
            return d.isFinite && d.rounded() == d
        default:
            return false
        }
    }

    func actualType(_ v: JSONValue) -> String {
        switch v {
        case .double: "number"
        default: v.typeName
        }
    }

    func short(_ v: JSONValue) -> String {
        let text = v.serialized()
        guard text.utf8.count > 120 else { return text }
        return String(text.prefix(117)) + "…"
    }

    /// Resolves `#` and `#/json/pointer` (with `~0`, `~1` and percent escapes) in the root.
    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var pointer = String(ref.dropFirst())
        if let decoded = pointer.removingPercentEncoding { pointer = decoded }
        if pointer.isEmpty { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var current = root
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let o):
                guard let next = o[key] else { return nil }
                current = next
            case .array(let a):
                guard let k = Int(key), k >= 0, k < a.count else { return nil }
                current = a[k]
            default:
                return nil
            }
        }
        return current
    }
}

private extension JSONValue {
    /// A non-negative integer keyword value written as `3` or `3.0`.
    var intLike: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.isFinite && d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: return nil
        }
    }
}
