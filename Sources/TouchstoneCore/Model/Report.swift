/// The versioned JSON report (`touchstone.report/v1`), documented in docs/report-json.md.
/// Every value here is `Codable, Sendable`; writers in TouchstoneReports render it.
public struct Report: Codable, Sendable, Equatable {
    public static let schemaID = "touchstone.report/v1"

    public var schema: String
    public var tool: ToolInfo
    public var startedAt: String
    public var finishedAt: String
    /// True when the run was interrupted (SIGINT/SIGTERM, deadline) before every case finished.
    public var partial: Bool
    public var targets: [TargetReport]
    /// This run's part of a sharded run (`--shard i/n`), e.g. `"2/3"`; nil for a whole run and
    /// for a merged report.
    public var shard: String?

    public init(tool: ToolInfo, startedAt: String, finishedAt: String, partial: Bool = false,
                targets: [TargetReport], shard: String? = nil) {
        self.schema = Report.schemaID
        self.tool = tool
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.partial = partial
        self.targets = targets
        self.shard = shard
    }

    enum CodingKeys: String, CodingKey {
        case schema, tool, partial, targets, shard
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public init(name: String = "touchstone", version: String) {
        self.name = name
        self.version = version
    }
}

/// One probed upstream.
public struct TargetReport: Codable, Sendable, Equatable {
    public var name: String
    public var baseURL: String
    public var model: String?
    public var embeddingModel: String?
    /// Every feature the run knows, keyed by feature id; `untested` when it could not be decided.
    public var features: [String: FeatureResult]
    /// Observations with enumerated values (features.md § Quirks).
    public var quirks: [String: JSONValue]
    public var stats: TargetStats
    /// True when TLS verification was turned off with `--insecure`.
    public var insecure: Bool
    /// What the preflight found; `stopped` means a configuration error and no feature. Nil in
    /// reports written before the preflight existed.
    public var preflight: PreflightReport?

    /// How the key was sent: `bearer`, `api-key`, `x-api-key`, `header:NAME`, `azure` or
    /// `none`. Nil in reports written before it was recorded.
    public var auth: String?
    /// Azure (`auth: azure`) only: the `api-version` every request carried.
    public var apiVersion: String?
    /// Azure only, when configured: the deployment of chat and completions requests (else
    /// the request's `model` names it), and of embeddings requests (else `embedding_model`).
    public var deployment: String?
    public var embeddingDeployment: String?

    public init(name: String, baseURL: String, model: String?, embeddingModel: String?,
                features: [String: FeatureResult], quirks: [String: JSONValue],
                stats: TargetStats, insecure: Bool = false, auth: String? = nil,
                apiVersion: String? = nil, deployment: String? = nil, embeddingDeployment: String? = nil,
                preflight: PreflightReport? = nil) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.embeddingModel = embeddingModel
        self.features = features
        self.quirks = quirks
        self.stats = stats
        self.insecure = insecure
        self.preflight = preflight
        self.auth = auth
        self.apiVersion = apiVersion
        self.deployment = deployment
        self.embeddingDeployment = embeddingDeployment
    }

    /// True when a configuration error stopped the target before the taxonomy.
    public var notProbed: Bool { preflight?.stopped == true }

    enum CodingKeys: String, CodingKey {
        case name, model, features, quirks, stats, insecure, preflight, auth, deployment
        case baseURL = "base_url"
        case embeddingModel = "embedding_model"
        case apiVersion = "api_version"
        case embeddingDeployment = "embedding_deployment"
    }
}

public struct TargetStats: Codable, Sendable, Equatable {
    /// HTTP requests actually sent (shared requests count once, retries count).
    public var requests: Int
    /// Exchanges that got an HTTP response (0 means the target could not be reached at all).
    public var responses: Int
    public var retries: Int
    /// Sum of `usage.completion_tokens` (or streamed usage) over every response that reported it.
    public var outputTokens: Int
    /// Sum of `usage.prompt_tokens` (or `input_tokens`) over every response that reported it.
    public var promptTokens: Int
    /// Sum of `usage.total_tokens` over every response that reported usage (prompt plus
    /// completion tokens where the response gave no total).
    public var totalTokens: Int
    public var wallSeconds: Double

    public init(requests: Int = 0, responses: Int = 0, retries: Int = 0, outputTokens: Int = 0,
                promptTokens: Int = 0, totalTokens: Int = 0, wallSeconds: Double = 0) {
        self.requests = requests
        self.responses = responses
        self.retries = retries
        self.outputTokens = outputTokens
        self.promptTokens = promptTokens
        self.totalTokens = totalTokens
        self.wallSeconds = wallSeconds
    }

    /// The stats of two runs together (merge, summaries). Report files may carry any number:
    /// counts saturate at `Int.max` instead of overflowing, and a wall time that is not a
    /// finite, non-negative number counts as 0.
    public func adding(_ other: TargetStats) -> TargetStats {
        func seconds(_ s: Double) -> Double { s.isFinite && s > 0 ? s : 0 }
        return TargetStats(requests: requests.saturatingAdd(other.requests),
                           responses: responses.saturatingAdd(other.responses),
                           retries: retries.saturatingAdd(other.retries),
                           outputTokens: outputTokens.saturatingAdd(other.outputTokens),
                           promptTokens: promptTokens.saturatingAdd(other.promptTokens),
                           totalTokens: totalTokens.saturatingAdd(other.totalTokens),
                           wallSeconds: seconds(wallSeconds) + seconds(other.wallSeconds))
    }

    /// `a + b` for counts an upstream reported: negative parts count as 0, and the sum stops at
    /// `Int.max`.
    public static func sum(_ a: Int, _ b: Int) -> Int {
        max(0, a).saturatingAdd(max(0, b))
    }

    enum CodingKeys: String, CodingKey {
        case requests, responses, retries
        case outputTokens = "output_tokens"
        case promptTokens = "prompt_tokens"
        case totalTokens = "total_tokens"
        case wallSeconds = "wall_seconds"
    }

    /// Reports written before `prompt_tokens` and `total_tokens` existed read them as 0.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requests = try c.decode(Int.self, forKey: .requests)
        responses = try c.decode(Int.self, forKey: .responses)
        retries = try c.decode(Int.self, forKey: .retries)
        outputTokens = try c.decode(Int.self, forKey: .outputTokens)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, forKey: .totalTokens) ?? 0
        wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
    }
}

/// The verdict of one feature with why, and the exchanges that decided it.
public struct FeatureResult: Codable, Sendable, Equatable {
    public var verdict: Verdict
    /// One line saying why.
    public var detail: String
    public var evidence: [Evidence]
    /// The suite (file stem) and case that decided it; JUnit classname is `<target>.<suite>`.
    public var suite: String
    public var caseID: String
    public var seconds: Double
    /// Streaming latency figures, when the deciding exchange was a stream.
    public var latency: LatencyFigures?

    public init(verdict: Verdict, detail: String, evidence: [Evidence] = [], suite: String,
                caseID: String, seconds: Double = 0, latency: LatencyFigures? = nil) {
        self.verdict = verdict
        self.detail = detail
        self.evidence = evidence
        self.suite = suite
        self.caseID = caseID
        self.seconds = seconds
        self.latency = latency
    }

    enum CodingKeys: String, CodingKey {
        case verdict, detail, evidence, suite, seconds, latency
        case caseID = "case"
    }
}

/// One request/response exchange, redacted and capped.
public struct Evidence: Codable, Sendable, Equatable {
    public var step: String
    public var method: String
    public var url: String
    public var status: Int?
    /// Transport failure kind (`refused`, `timeout_first_byte`, `reset`, `truncated`, …).
    public var error: String?
    public var elapsedMs: Double
    public var attempts: Int
    public var redirects: [String]
    /// Request body excerpt, redacted.
    public var request: String?
    /// Response body excerpt, redacted, control characters escaped, capped.
    public var response: String
    /// A `curl` command that sends the request again; the key appears only as `${VARIABLE}`.
    public var curl: String?

    public init(step: String, method: String, url: String, status: Int?, error: String?,
                elapsedMs: Double, attempts: Int = 1, redirects: [String] = [],
                request: String? = nil, response: String, curl: String? = nil) {
        self.step = step
        self.method = method
        self.url = url
        self.status = status
        self.error = error
        self.elapsedMs = elapsedMs
        self.attempts = attempts
        self.redirects = redirects
        self.request = request
        self.response = response
        self.curl = curl
    }

    enum CodingKeys: String, CodingKey {
        case step, method, url, status, error, attempts, redirects, request, response, curl
        case elapsedMs = "elapsed_ms"
    }
}

/// Figures measured on a streamed exchange (milliseconds).
public struct LatencyFigures: Codable, Sendable, Equatable {
    public var ttfbMs: Double
    public var ttftMs: Double?
    public var gapP50Ms: Double?
    public var gapP95Ms: Double?
    public var tokensPerSecond: Double?

    public init(ttfbMs: Double, ttftMs: Double?, gapP50Ms: Double?, gapP95Ms: Double?,
                tokensPerSecond: Double?) {
        self.ttfbMs = ttfbMs
        self.ttftMs = ttftMs
        self.gapP50Ms = gapP50Ms
        self.gapP95Ms = gapP95Ms
        self.tokensPerSecond = tokensPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case ttfbMs = "ttfb_ms"
        case ttftMs = "ttft_ms"
        case gapP50Ms = "gap_p50_ms"
        case gapP95Ms = "gap_p95_ms"
        case tokensPerSecond = "tokens_per_second"
    }
}
