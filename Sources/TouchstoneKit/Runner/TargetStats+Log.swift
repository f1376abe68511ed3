import TouchstoneCore

extension TargetStats {
    /// The figures of a probe's exchange log (shared requests count once, retries count).
    init(log: [Exchange], started: ContinuousClock.Instant) {
        // Token counts come from the upstream: their sums saturate instead of overflowing.
        let tokens = TokenUsage.sum(log)
        self.init(requests: log.reduce(0) { $0 + $1.attempts },
                  responses: log.filter { $0.status != nil }.count,
                  retries: log.reduce(0) { $0 + max(0, $1.attempts - 1) },
                  outputTokens: tokens.completion, promptTokens: tokens.prompt, totalTokens: tokens.total,
                  wallSeconds: (ContinuousClock.now - started).milliseconds / 1000)
    }
}
