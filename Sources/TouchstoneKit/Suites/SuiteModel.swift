import TouchstoneCore

/// A parsed suite file: probes declared in YAML under `suites/` (see docs/suites.md).
public struct Suite: Sendable {
    /// File stem, used as the JUnit suite name (`<target>.<suite>`).
    public var name: String
    public var title: String
    public var file: String
    public var cases: [Case]
}

/// One probe: steps (requests), then ordered verdict rules (first match wins).
public struct Case: Sendable {
    /// Unique id; equals `feature` for feature cases.
    public var id: String
    /// The feature this case decides; nil for quirk-only cases.
    public var feature: String?
    public var suite: String
    public var title: String?
    /// The rule in words (`rule:`), required for a case that decides a feature.
    public var rule: CaseRule?
    /// Features that must be `supported` first.
    public var requires: [String]
    /// At least one of these must be `supported`.
    public var requiresAny: [String]
    /// Variables that must be configured (e.g. `embedding_model`).
    public var requiresVars: [String]
    /// Globs of features to wait for (not required), e.g. `*` for cases that read the whole log.
    public var after: [String]
    public var steps: [Step]
    public var verdicts: [VerdictRule]
    public var quirks: [QuirkRule]
    public var location: SourceLocation
}

public struct Step: Sendable {
    public var id: String
    /// Run the step only when this holds (feature conditions or earlier steps).
    public var runIf: Condition?
    /// Alternatives: the first whose condition holds is sent.
    public var variants: [Variant]
    public var captures: [Capture]
    public var location: SourceLocation

    public struct Variant: Sendable {
        public var condition: Condition?
        public var request: RequestTemplate
    }
}

/// A value taken from a step's response for later steps (`${name}`).
public struct Capture: Sendable {
    public var name: String
    public var path: JSONPath
    /// Optional built-in extractor applied to the value (e.g. `stop_piece`).
    public var extract: String?
}

public struct RequestTemplate: Sendable {
    public var method: String?
    public var path: String
    /// `clean` joins with `appending(path:)` semantics; `naive` joins `base + "/" + path` as
    /// a careless client would (doubles a slash).
    public var join: Join
    public var headers: [(String, String)]
    public var auth: Auth
    public var body: JSONValue?
    public var rawBody: String?
    /// `case/step` whose request this one starts from.
    public var extends: String?
    /// Deep merge patch applied to the body (`null` removes a key).
    public var merge: JSONValue?
    public var location: SourceLocation

    /// `clean`: base + path; `naive`: base + "/" + path (a doubled slash); `origin`: the base
    /// URL's scheme, host and port + path (server-level endpoints such as llama.cpp's `/props`).
    public enum Join: String, Sendable { case clean, naive, origin }
    public enum Auth: String, Sendable { case target, none, bogus }
}

public indirect enum Condition: Sendable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case status(step: String?, StatusMatcher)
    case transport(step: String?, String)  // "error", "ok" or an error kind
    case json(step: String?, Bool)
    case contentType(step: String?, String)
    case check(step: String?, CheckCall, expect: Bool)
    case asserts(step: String?, [Assertion])
    case feature(id: String, verdicts: [Verdict])
    case ran(step: String?, Bool)
}

public enum StatusMatcher: Sendable, Hashable, CustomStringConvertible {
    case exact(Int)
    case range(ClosedRange<Int>)
    case anyOf([StatusMatcher])

    public func matches(_ status: Int) -> Bool {
        switch self {
        case .exact(let s): status == s
        case .range(let r): r.contains(status)
        case .anyOf(let l): l.contains { $0.matches(status) }
        }
    }

    public var description: String {
        switch self {
        case .exact(let s): "\(s)"
        case .range(let r): r.lowerBound % 100 == 0 && r.upperBound == r.lowerBound + 99
            ? "\(r.lowerBound / 100)xx" : "\(r.lowerBound)-\(r.upperBound)"
        case .anyOf(let l): l.map(\.description).joined(separator: "|")
        }
    }
}

public struct CheckCall: Sendable {
    public var name: String
    public var args: [String: JSONValue]
    public var location: SourceLocation
}

public struct Assertion: Sendable {
    public var path: JSONPath
    public var pathText: String
    public var op: Operator
    public var location: SourceLocation

    public enum Operator: Sendable {
        case exists(Bool)
        case equals(JSONValue)
        case notEquals(JSONValue)
        case isIn([JSONValue])
        case type([String])
        case matches(String)
        case contains(JSONValue)
        case length(min: Int?, max: Int?)
        case parsesAsJSON(Bool)
        case validates(JSONValue)
        case compare(String, Double)  // lt, lte, gt, gte
    }
}

public struct VerdictRule: Sendable {
    public var condition: Condition?
    public var verdict: Verdict
    public var detail: String
    public var quirks: [(String, JSONValue)]
    public var location: SourceLocation
}

public struct QuirkRule: Sendable {
    public var condition: Condition?
    public var set: [(String, JSONValue)]
    public var location: SourceLocation
}
