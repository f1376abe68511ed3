import TouchstoneCore

/// What a built-in check sees: the step's exchange, its arguments (variables substituted),
/// the other steps of the case, and every exchange of the target so far.
struct CheckInput: Sendable {
    let exchange: Exchange
    let args: [String: JSONValue]
    let outcomes: [String: StepOutcome]
    let log: [Exchange]

    func step(_ name: String) -> Exchange? { outcomes[name]?.exchange }
    func string(_ key: String) -> String? { args[key]?.stringValue }
    func int(_ key: String) -> Int? { args[key]?.intValue }
    func bool(_ key: String) -> Bool { args[key]?.boolValue ?? false }
}

/// A check's answer: whether it passed, one line saying why, and quirks it observed.
struct CheckResult: Sendable {
    var passed: Bool
    var message: String
    var quirks: [String: JSONValue] = [:]
    /// Set when the check could not decide (what it reads is larger than a run parses): the
    /// feature is then `untested` with this reason, whatever the other rules say.
    var undecided: String? = nil

    static func undecided(_ why: String) -> CheckResult {
        CheckResult(passed: false, message: why, undecided: why)
    }
    static func pass(_ m: String, quirks: [String: JSONValue] = [:]) -> CheckResult {
        CheckResult(passed: true, message: m, quirks: quirks)
    }
    static func fail(_ m: String, quirks: [String: JSONValue] = [:]) -> CheckResult {
        CheckResult(passed: false, message: m, quirks: quirks)
    }
}

/// A named structural check that suites call with `check: NAME` (docs/suites.md lists them).
struct BuiltinCheck: Sendable {
    let summary: String
    let arguments: [String]
    let requiredArguments: [String]
    /// The quirk keys the check may record (the feature reference lists them per feature).
    let records: [String]
    /// Exchanges the check passes, fails and cannot decide, with what it says (docs/checks.md).
    let examples: [CheckExample]
    let run: @Sendable (CheckInput) -> CheckResult

    init(_ summary: String, arguments: [String] = [], required: [String] = [], records: [String] = [],
         examples: [CheckExample], _ run: @escaping @Sendable (CheckInput) -> CheckResult) {
        self.summary = summary
        self.arguments = arguments
        self.requiredArguments = required
        self.records = records
        self.examples = examples
        self.run = run
    }
}
