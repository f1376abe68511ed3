/// What the preflight found for one target (docs/report-json.md § Preflight): the checks every
/// feature rests on (the base URL answers, `GET /models`, one minimal chat with the configured
/// key and model), run before the taxonomy.
///
/// `passed`: the taxonomy ran. `stopped`: a configuration error; nothing else was sent to the
/// target and its report has no feature. `unreachable`: not one connection was made; every
/// feature is `untested` and nothing else was sent.
public struct PreflightReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case passed, stopped, unreachable
    }

    /// Why a target was stopped.
    public enum Cause: String, Codable, Sendable, CaseIterable {
        /// The upstream refused the configured key (401/403, or 400 naming the key).
        case keyRefused = "key_refused"
        /// No key was configured and the upstream wants one.
        case keyRequired = "key_required"
        /// The base URL answers only with `/v1` added.
        case baseURLNeedsV1 = "base_url_needs_v1"
        /// The upstream says it does not have the configured model.
        case modelNotServed = "model_not_served"
        /// No `--model` was given and the upstream does not list exactly one chat model.
        case modelRequired = "model_required"
    }

    public var status: Status
    public var cause: Cause?
    /// The cause in one line (`the key in $OPENAI_API_KEY was refused: HTTP 401: …`); nil when passed.
    public var message: String?
    /// What to do about it (`use http://127.0.0.1:8080/v1 as the base URL`); nil when passed.
    public var fix: String?
    /// The chat model the preflight chose because none was configured and `/models` listed
    /// exactly one; nil when the model was configured.
    public var modelChosen: String?
    /// The model ids `GET /models` listed (at most `listLimit`); nil when it listed none.
    public var modelsListed: [String]?
    /// Warnings that did not stop the target (an embedding model `/models` does not list).
    public var notes: [String]
    /// HTTP requests the preflight sent (shared with the taxonomy when it ran).
    public var requests: Int
    /// The preflight's exchanges, when it did not pass.
    public var evidence: [Evidence]

    /// Model ids kept in `modelsListed`.
    public static let listLimit = 50

    public init(status: Status, cause: Cause? = nil, message: String? = nil, fix: String? = nil,
                modelChosen: String? = nil, modelsListed: [String]? = nil, notes: [String] = [],
                requests: Int = 0, evidence: [Evidence] = []) {
        self.status = status
        self.cause = cause
        self.message = message
        self.fix = fix
        self.modelChosen = modelChosen
        self.modelsListed = modelsListed
        self.notes = notes
        self.requests = requests
        self.evidence = evidence
    }

    /// A configuration error stopped the target before the taxonomy.
    public var stopped: Bool { status == .stopped }

    /// `message; fix`, one line, for consoles and test reports.
    public var summary: String {
        var cause = message ?? ""
        while cause.hasSuffix(".") { cause.removeLast() }
        return [cause, fix ?? ""].filter { !$0.isEmpty }.joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey {
        case status, cause, message, fix, notes, requests, evidence
        case modelChosen = "model_chosen"
        case modelsListed = "models_listed"
    }
}
