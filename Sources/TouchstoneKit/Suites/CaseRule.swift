import TouchstoneCore

/// A case's rule in words (`rule:` in a suite file): what it sends and when it gives each
/// verdict. `touchstone suites docs` renders these into the feature reference, so the words sit
/// next to the verdict rules they describe; the loader checks the two agree on which verdicts
/// a case can give.
public struct CaseRule: Sendable {
    /// What the case sends (or reads), in a sentence or two.
    public var sends: String
    /// When each verdict is given. Every verdict a case's rules can give has an entry; `untested`
    /// may have one besides (the conditions the case itself checks; prerequisites are added by
    /// the reference from `requires`).
    public var verdicts: [Verdict: String]
    /// For quirk-only cases (and optionally others): what the case records.
    public var records: String?
    public var location: SourceLocation

    public init(sends: String, verdicts: [Verdict: String], records: String?, location: SourceLocation) {
        self.sends = sends
        self.verdicts = verdicts
        self.records = records
        self.location = location
    }

    /// The keys a `rule:` mapping may hold, in the order the reference shows them.
    public static let keys = ["sends"] + Verdict.allCases.map(\.rawValue) + ["records"]
}
