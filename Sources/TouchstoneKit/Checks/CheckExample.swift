import TouchstoneCore

/// One example of a named check, part of its definition: an exchange, the arguments a suite
/// would pass, and what the check answers (pass, fail or undecided, and a piece of its message).
/// `touchstone suites checks` and docs/checks.md list them; a test runs every one.
struct CheckExample: Sendable {
    enum Outcome: String, Sendable { case pass, fail, undecided }

    let outcome: Outcome
    /// A piece of the message the check gives (for `undecided`, of its reason).
    let message: String
    /// The step's exchange; nil for checks that read the session log only.
    let exchange: ExchangeFixture?
    let args: [String: JSONValue]
    /// Other steps of the case, by name (a `control` step, a `float_step`).
    let steps: [String: ExchangeFixture]
    /// The target's exchanges so far (what `errors_seen` and `error_envelope` read).
    let log: [ExchangeFixture]
    /// Quirks the check records on this exchange (those it records, not all it may).
    let quirks: [String: JSONValue]

    static func pass(_ message: String, _ exchange: ExchangeFixture? = nil, args: [String: JSONValue] = [:],
                            steps: [String: ExchangeFixture] = [:], log: [ExchangeFixture] = [],
                            quirks: [String: JSONValue] = [:]) -> CheckExample {
        CheckExample(outcome: .pass, message: message, exchange: exchange, args: args, steps: steps, log: log, quirks: quirks)
    }

    static func fail(_ message: String, _ exchange: ExchangeFixture? = nil, args: [String: JSONValue] = [:],
                            steps: [String: ExchangeFixture] = [:], log: [ExchangeFixture] = [],
                            quirks: [String: JSONValue] = [:]) -> CheckExample {
        CheckExample(outcome: .fail, message: message, exchange: exchange, args: args, steps: steps, log: log, quirks: quirks)
    }

    static func undecided(_ message: String, _ exchange: ExchangeFixture? = nil, args: [String: JSONValue] = [:],
                                 steps: [String: ExchangeFixture] = [:]) -> CheckExample {
        CheckExample(outcome: .undecided, message: message, exchange: exchange, args: args, steps: steps, log: [], quirks: [:])
    }

    /// What the check sees: the exchanges made, the other steps as steps that ran.
    func input() -> CheckInput {
        let ex = exchange?.exchange()
            ?? Exchange(request: PreparedRequest(method: "GET", url: "", path: "", join: .clean, headers: [], body: nil, json: nil))
        return CheckInput(exchange: ex, args: args, outcomes: steps.mapValues { .ran($0.exchange()) },
                          log: log.map { $0.exchange() })
    }

    /// The outcome of a check's answer.
    static func outcome(of r: CheckResult) -> Outcome {
        r.undecided != nil ? .undecided : r.passed ? .pass : .fail
    }
}
