import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// An upstream to probe. The API key comes from the environment only, never the command line.
public struct Target: Sendable {
    public var name: String
    /// Normalised: no trailing slash.
    public var baseURL: String
    public var model: String?
    public var embeddingModel: String?
    public var apiKey: String?
    /// The environment variable the key was read from (named, never the key, in the `curl`
    /// commands of evidence); nil when the key did not come from a variable.
    public var apiKeyEnv: String? = nil
    public var headers: [HTTPHeader]
    /// Skip TLS verification (reported in the target's report).
    public var insecure: Bool
    /// How the key is sent and how OpenAI paths map to URLs (bearer, a key header, Azure).
    public var auth: TargetAuth
    /// Further values redacted from every output (secret headers and fields of a targets file).
    public var secrets: [String]

    public init(name: String, baseURL: String, model: String?, embeddingModel: String? = nil,
                apiKey: String? = nil, headers: [HTTPHeader] = [], insecure: Bool = false,
                auth: TargetAuth = .bearer, secrets: [String] = []) throws {
        self.name = name
        self.baseURL = try Target.normalise(baseURL)
        self.model = model
        self.embeddingModel = embeddingModel
        self.apiKey = apiKey
        self.headers = headers
        self.insecure = insecure
        self.auth = auth
        self.secrets = secrets
    }

    /// Everything to redact: the key, the values marked secret, and a password written in the
    /// base URL (`https://user:PASSWORD@host/v1`).
    public var redactionSecrets: [String] {
        [apiKey, URL(string: baseURL)?.password].compactMap { $0 } + secrets
    }

    /// Validates the scheme and strips trailing slashes: a user typing `/v1/` must never make
    /// the harness fail.
    public static func normalise(_ raw: String) throws -> String {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw TargetError.invalidBaseURL(raw)
        }
        if url.query != nil || url.fragment != nil { throw TargetError.invalidBaseURL(raw) }
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// Variables available to templates as `${name}`.
    var variables: [String: JSONValue] {
        var v: [String: JSONValue] = ["base_url": .string(baseURL), "target": .string(name),
                                      "bogus_key": .string(RequestBuilder.bogusKey)]
        if let model { v["model"] = .string(model) }
        if let embeddingModel { v["embedding_model"] = .string(embeddingModel) }
        return v
    }
}

public enum TargetError: Error, CustomStringConvertible, LocalizedError {
    case invalidBaseURL(String)
    public var description: String {
        switch self {
        case .invalidBaseURL(let u):
            "invalid base URL `\(u)`: expected http:// or https:// with a host and no query, e.g. http://127.0.0.1:8080/v1"
        }
    }
    public var errorDescription: String? { description }
}

/// How a run behaves; the same for every target of the run.
public struct ProbeOptions: Sendable {
    /// Requests in flight at once per target.
    public var jobs: Int
    /// Seconds each request may take (first byte, idle gap and total).
    public var timeout: Double
    /// Feature globs to run (empty: all); prerequisites are added.
    public var include: [String]
    public var exclude: [String]
    /// Body bytes read at most per response; endless responses end there.
    public var maxBodyBytes: Int
    /// Retries per request for 429/5xx (connection failures retry once).
    public var maxRetries: Int
    /// Longest `Retry-After` honoured, seconds.
    public var maxRetryAfter: Double
    /// When the whole run must end (`--deadline`): transfers still running then are cancelled
    /// and unfinished features end `untested` (`RunControl` tells the run was cut short).
    public var deadline: Deadline?

    public init(jobs: Int = 8, timeout: Double = 120, include: [String] = [], exclude: [String] = [],
                maxBodyBytes: Int = 16 << 20, maxRetries: Int = 2, maxRetryAfter: Double = 20,
                deadline: Deadline? = nil) {
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.include = include
        self.exclude = exclude
        self.maxBodyBytes = maxBodyBytes
        self.maxRetries = maxRetries
        self.maxRetryAfter = maxRetryAfter
        self.deadline = deadline
    }
}

/// Progress events, delivered as they happen (the CLI prints them; the engine never does).
public enum RunEvent: Sendable {
    case targetStarted(target: String, cases: Int)
    /// The preflight ended: passed (maybe with notes, or a chosen model), stopped or unreachable.
    case preflightFinished(target: String, preflight: PreflightReport)
    case caseFinished(target: String, caseID: String, feature: String?, result: FeatureResult?)
    case targetFinished(target: String, report: TargetReport)
    /// The server advertises `slots` requests at once; the prober keeps `jobs` in flight.
    case serverSlots(target: String, slots: Int, jobs: Int)
}
