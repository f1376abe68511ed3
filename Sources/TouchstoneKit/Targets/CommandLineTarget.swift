import Foundation
import TouchstoneCore
import TouchstoneReports

/// The targets `touchstone probe` describes with its flags (`probe URL --model … --auth …`, a
/// known upstream's name, `--emulate a,b`). The flags become the entry a targets file would
/// hold — `base_url:` or `upstream:` or `emulate:`, `model:`, `api_key_env:`, `auth:`,
/// `azure: {api_version:}`, `headers:` — and the targets file's reader reads it, so a flag and
/// the file's key mean the same, with the same checks (docs/targets.md).
public struct CommandLineTarget: Sendable {
    /// A base URL or a known upstream's name.
    public var target: String?
    /// Emulator personalities, one target each (named after them).
    public var emulate: [String]
    /// The target's name (default: HOST:PORT, or the known upstream's name).
    public var name: String?
    public var model: String?
    public var embeddingModel: String?
    public var apiKeyEnv: String?
    public var auth: String?
    public var apiVersion: String?
    /// `Name: value`, `${VAR}` read from the environment.
    public var headers: [String]

    /// Where the problems of the flags are said to be.
    public static let origin = "command line"

    public init(target: String? = nil, emulate: [String] = [], name: String? = nil, model: String? = nil,
                embeddingModel: String? = nil, apiKeyEnv: String? = nil, auth: String? = nil, apiVersion: String? = nil,
                headers: [String] = []) {
        self.target = target
        self.emulate = emulate
        self.name = name
        self.model = model
        self.embeddingModel = embeddingModel
        self.apiKeyEnv = apiKeyEnv
        self.auth = auth
        self.apiVersion = apiVersion
        self.headers = headers
    }

    /// The known upstream `target` names, if it names one.
    public var upstream: KnownUpstream? { target.flatMap(KnownUpstreams.named) }

    /// What the user should know before the run (a known upstream probed without `--model`).
    public var notes: [String] {
        guard let upstream, model == nil else { return [] }
        // The preflight picks the only chat model /models lists, or stops and lists them.
        return ["note: no --model given (e.g. --model \(upstream.exampleModel)); the preflight uses the only chat model GET /models lists, or lists them and stops"]
    }

    /// The targets, read as the targets file reads an entry; every problem at once
    /// (`SuiteErrors`, located at `command line`).
    public func specs(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [TargetSpec] {
        if emulate.isEmpty, let target, upstream == nil {
            do {
                _ = try Target.normalise(target)
            } catch {
                throw SuiteErrors([Diagnostic(file: Self.origin, line: 0, column: 0,
                                              message: "\(error); or name a known upstream: \(KnownUpstreams.names.joined(separator: ", "))")])
            }
        }
        var reader = TargetsReader(file: Self.origin, environment: environment)
        var specs: [TargetSpec] = []
        for (name, fields) in entries() {
            let at = SourceLocation(file: Self.origin, line: 0, column: 0)
            if var spec = reader.entry(name: name, at: at, Self.node(fields), defaults: [:]) {
                spec.location = nil  // messages about it need no place: the user just typed it
                specs.append(spec)
            }
        }
        // `--emulate reference,reference`: names must be unique, as in a targets file.
        var collector = reader.collector
        collector.add(contentsOf: TargetsFile.uniquenessErrors(specs, file: Self.origin))
        if collector.hasErrors {
            throw SuiteErrors(collector.distinct.map { d in
                var d = d
                // In a shell, double quotes expand `${…}` before touchstone sees it.
                if d.message.contains("carries a credential") {
                    d.fix = "on the command line, single-quote the header so the shell leaves `${…}` to touchstone: --header 'Name: ${MY_TOKEN}'; or use --api-key-env"
                }
                return d
            })
        }
        return specs
    }

    /// Each target's name and entry fields, as a targets file would write them.
    func entries() -> [(String, [(String, YAMLNode)])] {
        var shared: [(String, YAMLNode)] = []
        func put(_ key: String, _ value: String?) { if let value { shared.append((key, Self.node(value))) } }
        put("model", model)
        put("embedding_model", embeddingModel)
        put("api_key_env", apiKeyEnv)
        put("auth", auth)
        if let apiVersion { shared.append(("azure", Self.node([("api_version", Self.node(apiVersion))]))) }
        if !headers.isEmpty {
            shared.append(("headers", Self.node(headers.map { h in
                // `Name: value`; an empty or missing name is the reader's "invalid header name".
                guard let colon = h.firstIndex(of: ":") else { return (h, Self.node("")) }
                return (h[..<colon].trimmingCharacters(in: .whitespaces),
                        Self.node(h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            })))
        }
        if !emulate.isEmpty {
            return emulate.map { ($0, [("emulate", Self.node($0))] + shared) }
        }
        guard let target else { return [] }
        if let upstream {
            return [(name ?? upstream.name, [("upstream", Self.node(target))] + shared)]
        }
        // Named after the host and port, so two local servers probed apart do not collide in a merge.
        let url = URL(string: (try? Target.normalise(target)) ?? target)
        let hostPort = (url?.host ?? "target") + (url?.port.map { ":\($0)" } ?? "")
        return [(name ?? hostPort, [("base_url", Self.node(target))] + shared)]
    }

    private static func node(_ text: String) -> YAMLNode {
        YAMLNode(kind: .scalar(.string(text), raw: text), line: 0, column: 0)
    }

    private static func node(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
        YAMLNode(kind: .map(pairs.map { (key: $0.0, keyLine: 0, keyColumn: 0, value: $0.1) }), line: 0, column: 0)
    }
}
