import TouchstoneCore

extension TargetStats {
    /// The figures of a probe's exchange log (shared requests count once, retries count).
    init(log: [Exchange], started: ContinuousClock.Instant) {
        self.init(requests: log.reduce(0) { $0 + $1.attempts },
                  responses: log.filter { $0.status != nil }.count,
                  retries: log.reduce(0) { $0 + max(0, $1.attempts - 1) },
                  // Token counts come from the upstream: their sum saturates instead of overflowing.
                  outputTokens: log.reduce(0) { $0.saturatingAdd($1.completionTokens) },
                  wallSeconds: (ContinuousClock.now - started).milliseconds / 1000)
    }
}
