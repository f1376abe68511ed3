/// The five verdicts of features.md. Every feature of every probed target ends with one.
public enum Verdict: String, Codable, Sendable, CaseIterable, Comparable {
    case supported
    case unsupported
    case ignored
    case broken
    case untested

    /// Rank used to compare against expectations: higher is better for a client.
    /// `supported` > `unsupported` (clean refusal) > `untested` > `ignored` > `broken`.
    public var rank: Int {
        switch self {
        case .supported: 4
        case .unsupported: 3
        case .untested: 2
        case .ignored: 1
        case .broken: 0
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }

    /// How CI reads a verdict when no expectation is given:
    /// `ignored` and `broken` fail, `unsupported` and `untested` are skipped, `supported` passes.
    public var outcome: Outcome {
        switch self {
        case .supported: .passed
        case .unsupported, .untested: .skipped
        case .ignored, .broken: .failed
        }
    }

    public enum Outcome: String, Codable, Sendable { case passed, skipped, failed }
}
