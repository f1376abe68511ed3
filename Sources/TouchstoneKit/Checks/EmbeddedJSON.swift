import TouchstoneCore

/// JSON written inside an answer as text (message content in JSON mode, tool-call arguments),
/// parsed only when its tree stays under `JSONSize.limit`: a 15 MiB string of small objects
/// would build hundreds of megabytes, and a check must not call it "not JSON" either.
enum EmbeddedJSON {
    case value(JSONValue)
    case invalid
    /// Larger than a run parses: whether it is JSON is not decided.
    case tooComplex(JSONSize)

    init(_ text: String) {
        let size = JSONSize.measure(text.utf8)
        if size.exceeds(.limit) {
            self = .tooComplex(size)
        } else if let v = try? JSONParser.parse(text) {
            self = .value(v)
        } else {
            self = .invalid
        }
    }

    /// Why nothing is decided, for a check's detail; nil when the text was judged.
    func undecided(_ what: String) -> String? {
        guard case .tooComplex(let size) = self else { return nil }
        return "\(what) is JSON holding \(size.excess()), beyond what a run parses (a padded or hostile answer)"
    }

    var value: JSONValue? {
        if case .value(let v) = self { return v }
        return nil
    }
}
