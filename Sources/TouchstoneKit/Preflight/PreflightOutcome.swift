import TouchstoneCore

/// The result of the preflight: the target to probe (with the chat model it chose when none was
/// configured) and what to record in the report.
struct PreflightOutcome: Sendable {
    /// The target, its `model` filled in when the preflight chose one.
    var target: Target
    var report: PreflightReport
    /// Why not one connection was made, when the base URL did not answer.
    var unreachable: String?

    /// True when the taxonomy must not run: a configuration error or an unreachable target.
    var stops: Bool { report.status != .passed }
}

extension PreflightOutcome {
    /// The report of a target the preflight stopped: no feature for a configuration error (the
    /// report says why in `preflight`); every selected feature `untested` for an unreachable base.
    func report(cases: [Case], session: Session, started: ContinuousClock.Instant) async -> TargetReport {
        let redactor = Redactor(secrets: target.redactionSecrets)
        var features: [String: FeatureResult] = [:]
        if let why = unreachable {
            for c in cases {
                guard let f = c.feature, features[f] == nil else { continue }
                // The preflight's failed connections are the evidence of every feature.
                features[f] = FeatureResult(verdict: .untested, detail: "not decided: the target could not be reached: \(why)",
                                            evidence: report.evidence, suite: c.suite, caseID: c.id)
            }
        }
        return TargetReport(name: target.name, baseURL: redactor.redact(target.baseURL), model: target.model.map(redactor.redact),
                            embeddingModel: target.embeddingModel.map(redactor.redact), features: features, quirks: [:],
                            stats: TargetStats(log: await session.log, started: started), insecure: target.insecure,
                            preflight: report)
    }
}
