/// One quirk key in words, for the feature reference: what it records and its values. Which
/// features record it is found in the suites (their quirk rules and the checks they call);
/// `elsewhere` names what records it outside the suites.
public struct QuirkNote: Sendable {
    public var key: String
    public var meaning: String
    public var values: String
    /// Who records it besides the suites (every answer of the target, the prober), or nil.
    public var elsewhere: String?

    public init(key: String, meaning: String, values: String, elsewhere: String? = nil) {
        self.key = key
        self.meaning = meaning
        self.values = values
        self.elsewhere = elsewhere
    }
}
