import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// One upstream as configured (a targets file entry, or `touchstone probe`'s arguments), with
/// every variable expanded and the key read from the environment. An `emulate:` entry is
/// completed by whoever starts the emulator (its base URL, model and key fill the gaps).
public struct TargetSpec: Sendable {
    public var name: String
    /// Where the entry was written; nil when it came from the command line.
    public var location: SourceLocation?
    /// The known upstream it inherits defaults from (`groq`), if any.
    public var upstream: String?
    /// An emulator personality to start and probe.
    public var emulate: String?
    /// Emulator knob overrides on top of the personality's (a flat object, as `Knobs` codes them).
    public var knobs: JSONValue?
    /// Normalised (no trailing slash); nil only with `emulate`.
    public var baseURL: String?
    public var model: String?
    public var embeddingModel: String?
    /// The variable the key was read from.
    public var apiKeyEnv: String?
    public var apiKey: String?
    public var auth: TargetAuth
    public var headers: [HTTPHeader]
    /// Values redacted from every output besides the key.
    public var secrets: [String]
    /// Per-target overrides of the run's options.
    public var timeout: Double?
    public var jobs: Int?
    public var insecure: Bool?
    /// Feature globs replacing the run's `--features`, and globs added to its `--skip`.
    public var features: [String]?
    public var skip: [String]?

    public init(name: String, location: SourceLocation? = nil, upstream: String? = nil, emulate: String? = nil,
                knobs: JSONValue? = nil, baseURL: String? = nil, model: String? = nil, embeddingModel: String? = nil,
                apiKeyEnv: String? = nil, apiKey: String? = nil, auth: TargetAuth = .bearer, headers: [HTTPHeader] = [],
                secrets: [String] = [], timeout: Double? = nil, jobs: Int? = nil, insecure: Bool? = nil,
                features: [String]? = nil, skip: [String]? = nil) {
        self.name = name
        self.location = location
        self.upstream = upstream
        self.emulate = emulate
        self.knobs = knobs
        self.baseURL = baseURL
        self.model = model
        self.embeddingModel = embeddingModel
        self.apiKeyEnv = apiKeyEnv
        self.apiKey = apiKey
        self.auth = auth
        self.headers = headers
        self.secrets = secrets
        self.timeout = timeout
        self.jobs = jobs
        self.insecure = insecure
        self.features = features
        self.skip = skip
    }

    /// What a started emulator contributes to an `emulate:` entry.
    public struct Emulated: Sendable {
        public var baseURL: String
        public var model: String
        public var embeddingModel: String?
        public var apiKey: String?
        public init(baseURL: String, model: String, embeddingModel: String?, apiKey: String?) {
            self.baseURL = baseURL
            self.model = model
            self.embeddingModel = embeddingModel
            self.apiKey = apiKey
        }
    }

    /// The target to probe. For an `emulate:` entry, pass the started emulator: its values
    /// fill what the entry leaves unset.
    public func target(emulated: Emulated? = nil, insecureDefault: Bool = false) throws -> Target {
        guard let base = baseURL ?? emulated?.baseURL else {
            throw TargetError.invalidBaseURL("(none: target `\(name)` has no base_url)")
        }
        var target = try Target(name: name, baseURL: base, model: model ?? emulated?.model,
                                embeddingModel: embeddingModel ?? emulated?.embeddingModel,
                                apiKey: apiKey ?? emulated?.apiKey, headers: headers,
                                insecure: insecure ?? insecureDefault, auth: auth, secrets: secrets)
        // Named (never the key) in the `curl` commands of evidence.
        target.apiKeyEnv = apiKey == nil ? nil : apiKeyEnv
        return target
    }

    /// The run's options with this target's overrides applied.
    public func options(_ run: ProbeOptions) -> ProbeOptions {
        var o = run
        if let timeout { o.timeout = timeout }
        if let jobs { o.jobs = max(1, jobs) }
        if let features { o.include = features }
        if let skip { o.exclude += skip }
        return o
    }
}

/// Reads the key for a target from the environment, with the message a user needs when it
/// is missing. Shared by targets files and `touchstone probe`.
public enum KeySource {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unset(variable: String, upstream: String?)
        case notAVariable

        public var description: String {
            switch self {
            case .unset(let v, let upstream?):
                "the \(upstream) key is read from `\(v)`, which is not set or empty: export it (keys are never read from files or the command line)"
            case .unset(let v, nil):
                "`\(v)` is not set or empty: export the key in it (keys are never read from files or the command line)"
            case .notAVariable:
                "api_key_env must name an environment variable (letters, digits and `_`), not hold the key itself"
            }
        }
    }

    /// The key from `variable` (or the upstream's variable); nil when no key is configured or
    /// an optional one is unset.
    public static func key(variable: String?, upstream: KnownUpstream?,
                           environment: [String: String]) throws(Problem) -> (key: String?, variable: String?) {
        if let variable {
            guard VariableExpansion.isName(Substring(variable)) else { throw .notAVariable }
            guard let v = environment[variable], !v.isEmpty else { throw .unset(variable: variable, upstream: nil) }
            return (v, variable)
        }
        guard let upstream, let v = upstream.apiKeyEnv else { return (nil, nil) }
        if let key = environment[v], !key.isEmpty { return (key, v) }
        if upstream.keyRequired { throw .unset(variable: v, upstream: upstream.title) }
        return (nil, nil)
    }
}
