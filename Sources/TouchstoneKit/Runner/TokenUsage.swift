import TouchstoneCore

/// The tokens an exchange's response reported in its `usage` (a body's, or the last streamed
/// event that carried one): what the probe cost in tokens. Counts an upstream reports as
/// negative read as 0; sums saturate at `Int.max`.
struct TokenUsage: Sendable, Equatable {
    var prompt = 0
    var completion = 0
    var total = 0

    init(prompt: Int = 0, completion: Int = 0, total: Int = 0) {
        self.prompt = prompt
        self.completion = completion
        self.total = total
    }

    init(_ ex: Exchange) {
        guard let usage = TokenUsage.usage(ex) else { return }
        prompt = max(0, usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue ?? 0)
        completion = max(0, ex.completionTokens)
        total = max(0, usage["total_tokens"]?.intValue ?? TargetStats.sum(prompt, completion))
    }

    /// The `usage` object of a response body, or of the last streamed event that has one.
    static func usage(_ ex: Exchange) -> JSONValue? {
        if let u = ex.json?["usage"], u.objectValue != nil { return u }
        if let events = ex.stream?.events {
            for e in events.reversed() {
                if let u = e.json?["usage"], u.objectValue != nil { return u }
            }
        }
        return nil
    }

    /// The usage of every exchange of a log, summed.
    static func sum(_ log: [Exchange]) -> TokenUsage {
        var out = TokenUsage()
        for ex in log {
            let u = TokenUsage(ex)
            out.prompt = TargetStats.sum(out.prompt, u.prompt)
            out.completion = TargetStats.sum(out.completion, u.completion)
            out.total = TargetStats.sum(out.total, u.total)
        }
        return out
    }
}
