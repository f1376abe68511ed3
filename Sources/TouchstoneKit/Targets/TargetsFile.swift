import Foundation
import TouchstoneCore
import TouchstoneReports
import TouchstoneHTTP
import Yams

/// Loads targets files (docs/targets.md): many upstreams, each with its base URL, key
/// variable, models, headers and options. Every problem of a file is reported at once, with
/// file, line and column, before anything is sent.
///
/// The minimal form:
/// ```yaml
/// targets:
///   local: {base_url: http://127.0.0.1:8080/v1, model: gemma}
/// ```
public enum TargetsFile {
    /// Loads several files; target names must be unique across all of them.
    public static func load(files: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> [TargetSpec]
    {
        var specs: [TargetSpec] = []
        var errors: [SuiteError] = []
        for file in files {
            do {
                specs += try load(file: file, environment: environment)
            } catch let e as SuiteErrors {
                errors += e.errors
            }
        }
        errors += uniquenessErrors(specs)
        if !errors.isEmpty { throw SuiteErrors(errors) }
        return specs
    }

    public static func load(file path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> [TargetSpec]
    {
        let text = try SuiteErrors.readText(path, what: "the targets file")
        return try load(text: text, file: path, environment: environment)
    }

    public static func load(text: String, file: String, environment: [String: String]) throws -> [TargetSpec] {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text, file: file)
        } catch let e as SuiteError {
            // A repeated key: say where each repetition is, not only where its mapping starts.
            if e.message.contains("duplicate key") { try checkDuplicateKeys(text, file: file) }
            throw SuiteErrors([e])
        }
        guard let root else {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: file, line: 1, column: 1),
                                          message: "empty targets file; expected `targets:` with one entry per upstream")])
        }
        var reader = TargetsReader(file: file, environment: environment)
        let specs = reader.read(root)
        // A problem in `defaults:` is found once per target: report it once.
        var collector = reader.collector
        collector.add(contentsOf: uniquenessErrors(specs))
        if collector.hasErrors { throw SuiteErrors(collector.distinct) }
        return specs
    }

    /// Yams refuses a mapping with a repeated key (a target defined twice) but names only the
    /// mapping's start; this finds the line of each repetition in a block mapping. Called only
    /// once the reader has refused the text for a repeated key (it composes the text again).
    static func checkDuplicateKeys(_ text: String, file: String) throws {
        do {
            _ = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let start = context.mark.line, indent = context.mark.column - 1
            var errors: [SuiteError] = []
            for key in keys.sorted() {
                var found: [Int] = []
                for n in max(1, start)...max(1, lines.count) where n <= lines.count {
                    let line = lines[n - 1]
                    let body = line.drop(while: { $0 == " " })
                    let depth = line.count - body.count
                    if n > start, depth < indent, !body.isEmpty, !body.hasPrefix("#") { break }
                    guard depth == indent else { continue }
                    if [key + ":", "\"\(key)\":", "'\(key)':"].contains(where: { body.hasPrefix($0) }) { found.append(n) }
                }
                let line = found.count > 1 ? found[1] : start
                let first = found.first.map { " (first at line \($0))" } ?? ""
                errors.append(SuiteError(location: SourceLocation(file: file, line: line, column: indent + 1),
                                         message: "duplicate key `\(key)`\(first); in `targets`, names must be unique"))
            }
            throw SuiteErrors(errors)
        } catch {
            // Other problems are reported by the located tree with its own messages.
        }
    }

    /// Target names are unique, also ignoring case (report files, JUnit classnames and CI
    /// artefact names would collide on case-insensitive file systems).
    static func uniquenessErrors(_ specs: [TargetSpec], file: String = "targets") -> [SuiteError] {
        var seen: [String: TargetSpec] = [:]
        var errors: [SuiteError] = []
        for s in specs {
            let key = s.name.lowercased()
            if let first = seen[key] {
                let place = first.location.map { " at \($0)" } ?? ""
                let how = first.name == s.name ? "is already defined" : "differs only in case from `\(first.name)`"
                errors.append(SuiteError(location: s.location ?? SourceLocation(file: file, line: 0, column: 0),
                                         message: "target `\(s.name)` \(how)\(place); target names must be unique"))
            } else {
                seen[key] = s
            }
        }
        return errors
    }

    /// Keys of a target entry (and of `defaults:`, which takes all but the first three).
    static let entryOnlyKeys = ["upstream", "emulate", "knobs"]
    static let sharedKeys = [
        "base_url", "model", "embedding_model", "api_key_env", "auth", "azure", "headers", "secret", "timeout", "jobs",
        "insecure", "features", "skip",
    ]
    /// Keys that would hold a key literally: refused with a pointer to `api_key_env`.
    static let literalKeyKeys = ["api_key", "apikey", "key", "token", "api_token", "password", "bearer", "secret_key"]
    /// Fields `secret:` may name.
    static let secretFields = ["base_url", "model", "embedding_model", "headers", "azure.deployment",
                               "azure.embedding_deployment"]

    /// A valid target name: letters, digits, `-` and `_`, starting with a letter or digit, at
    /// most 64 characters (it becomes part of JUnit classnames, file names and CI job names).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber, name.count <= 64 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Header names that carry credentials: their values must come from the environment.
    public static func isCredentialHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == "authorization" || n == "proxy-authorization" || n == "cookie"
            || ["key", "token", "secret", "auth"].contains { n.contains($0) }
    }
}

/// Turns a located YAML tree into target specs, collecting every error with its place.
struct TargetsReader {
    let file: String
    let expansion: VariableExpansion
    let environment: [String: String]
    /// The suite reader's helpers: typed fields, unknown keys with suggestions.
    private var base: SuiteReader

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
        self.expansion = VariableExpansion(environment: environment)
        self.base = SuiteReader(file: file)
    }

    var errors: [SuiteError] { base.errors }
    var collector: DiagnosticCollector { base.collector }

    private mutating func fail(_ node: YAMLNode, _ message: String) { base.fail(node, message) }

    private mutating func fail(_ location: SourceLocation, _ message: String) {
        base.fail(line: location.line, column: location.column, message)
    }

    // MARK: Values

    /// A located, expanded string value, with the values of credential-like variables in it.
    struct Text {
        var value: String
        var secrets: [String]
        var node: YAMLNode
        /// True when a variable (not only literal text and defaults) went into it.
        var fromEnvironment: Bool
    }

    mutating func text(_ node: YAMLNode?, _ what: String) -> Text? {
        guard let node, let raw = base.string(node, what) else { return nil }
        do {
            let r = try expansion.expand(raw)
            return Text(value: r.text, secrets: r.secretValues, node: node, fromEnvironment: !r.variables.isEmpty)
        } catch {
            fail(node, "\(what): \(error.description)")
            return nil
        }
    }

    mutating func number(_ node: YAMLNode?, _ what: String) -> Double? {
        guard let node else { return nil }
        if case .scalar(let v, _) = node.kind, let d = v.numberValue { return d }
        if case .scalar(.string, _) = node.kind {} else {
            fail(node, "\(what) must be a number, found \(node.typeName)")
            return nil
        }
        guard let t = text(node, what) else { return nil }
        guard let d = Double(t.value.trimmingCharacters(in: .whitespaces)), d.isFinite else {
            fail(node, "\(what) must be a number, found \(node.typeName)")
            return nil
        }
        return d
    }

    mutating func bool(_ node: YAMLNode?, _ what: String) -> Bool? {
        guard let node else { return nil }
        if case .scalar(.bool(let b), _) = node.kind { return b }
        if let t = text(node, what) {
            switch t.value.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: break
            }
        }
        fail(node, "\(what) must be true or false, found \(node.typeName)")
        return nil
    }

    mutating func globs(_ node: YAMLNode?, _ what: String) -> [String]? {
        guard let node else { return nil }
        let items: [YAMLNode]
        switch node.kind {
        case .seq(let s): items = s
        case .scalar: items = [node]
        case .map:
            fail(node, "\(what) must be a list of feature globs, e.g. ['chat.*', 'tools.*']")
            return nil
        }
        return items.compactMap { text($0, what)?.value }
    }

    // MARK: File

    mutating func read(_ root: YAMLNode) -> [TargetSpec] {
        guard let top = base.fields(root, "targets file", allowed: ["targets", "defaults"], required: ["targets"]) else {
            return []
        }
        var defaults: [String: YAMLNode] = [:]
        if let d = top["defaults"] {
            defaults = entryFields(d, "`defaults`", allowed: TargetsFile.sharedKeys) ?? [:]
        }
        guard let targets = top["targets"] else { return [] }
        guard case .map(let pairs) = targets.kind else {
            fail(targets, "`targets` must be a mapping of name → settings, e.g. `targets: {local: {base_url: http://127.0.0.1:8080/v1}}`")
            return []
        }
        if pairs.isEmpty { fail(targets, "`targets` is empty; add at least one target") }
        var specs: [TargetSpec] = []
        for p in pairs {
            let at = SourceLocation(file: file, line: p.keyLine, column: p.keyColumn)
            if !TargetsFile.isValidName(p.key) {
                fail(at, "invalid target name `\(p.key)`: use letters, digits, `-` and `_` (at most 64, starting with a letter or digit)")
                continue
            }
            if let spec = entry(name: p.key, at: at, p.value, defaults: defaults) { specs.append(spec) }
        }
        return specs
    }

    /// The fields of a target entry or of `defaults:`, with literal keys refused by name.
    mutating func entryFields(_ node: YAMLNode, _ what: String, allowed: [String]) -> [String: YAMLNode]? {
        if case .scalar(.null, _) = node.kind { return [:] }
        if case .map(let pairs) = node.kind {
            for p in pairs where TargetsFile.literalKeyKeys.contains(p.key.lowercased()) {
                fail(SourceLocation(file: file, line: p.keyLine, column: p.keyColumn),
                     "keys are read only from the environment: remove `\(p.key)`, export the key in a variable and write `api_key_env: VARIABLE_NAME`")
            }
        }
        guard var f = base.fields(node, what, allowed: allowed + TargetsFile.literalKeyKeys) else { return nil }
        for k in TargetsFile.literalKeyKeys { f.removeValue(forKey: k) }
        return f
    }

    // MARK: Entry

    mutating func entry(name: String, at: SourceLocation, _ node: YAMLNode, defaults: [String: YAMLNode]) -> TargetSpec? {
        let what = "target `\(name)`"
        guard let own = entryFields(node, what, allowed: TargetsFile.entryOnlyKeys + TargetsFile.sharedKeys) else {
            return nil
        }
        let errorsBefore = errors.count
        var f = defaults
        for (k, v) in own { f[k] = v }
        var spec = TargetSpec(name: name, location: at)
        var secrets: [String] = []
        var upstream: KnownUpstream? = nil
        guard place(&spec, own: own, f: f, at: at, upstream: &upstream, secrets: &secrets) else { return nil }
        spec.model = keep(text(f["model"], "`model`"), &secrets)
        spec.embeddingModel = keep(text(f["embedding_model"], "`embedding_model`"), &secrets)
        auth(&spec, f: f, upstream: upstream, secrets: &secrets)
        key(&spec, own: own, f: f, upstream: upstream, at: at)
        // Headers, each `Name: value` or `Name: {value: …, secret: true}`.
        if own["headers"] != nil || defaults["headers"] != nil {
            spec.headers = headers(own["headers"], defaults: defaults["headers"], secrets: &secrets)
        }
        secretFields(spec, f: f, secrets: &secrets)
        options(&spec, f: f)
        spec.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted()
        return errors.count == errorsBefore ? spec : nil
    }

    /// A text's value, its secrets (values read from secret variables) kept for redaction.
    private func keep(_ t: Text?, _ secrets: inout [String]) -> String? {
        secrets += t?.secrets ?? []
        return t?.value
    }

    /// Where the target is: an emulator, a known upstream (set in `upstream`), or a base URL.
    /// False when the entry cannot be read further.
    private mutating func place(_ spec: inout TargetSpec, own: [String: YAMLNode], f: [String: YAMLNode], at: SourceLocation,
                                upstream: inout KnownUpstream?, secrets: inout [String]) -> Bool {
        let name = spec.name
        let what = "target `\(name)`"
        spec.emulate = keep(text(own["emulate"], "`emulate`"), &secrets)
        if let k = own["knobs"] {
            if spec.emulate == nil { fail(k, "`knobs` applies to an emulated target only; add `emulate: PERSONALITY`") }
            guard case .map = k.kind else {
                fail(k, "`knobs` must be a mapping of knob → value, e.g. `{pathPrefix: v1}`")
                return false
            }
            spec.knobs = expandJSON(k)
        }
        if let u = text(own["upstream"], "`upstream`") {
            upstream = KnownUpstreams.named(u.value)
            if upstream == nil {
                fail(u.node, "unknown upstream `\(u.value)`\(SuiteLoader.suggestion(u.value.lowercased(), in: KnownUpstreams.names)); known: \(KnownUpstreams.names.joined(separator: ", "))")
            }
        } else if f["base_url"] == nil, spec.emulate == nil {
            upstream = KnownUpstreams.named(name)  // `groq: {model: …}` means the known upstream
        }
        spec.upstream = upstream?.name

        if let b = text(f["base_url"], "`base_url`") {
            secrets += b.secrets
            do {
                spec.baseURL = try Target.normalise(b.value)
            } catch {
                fail(b.node, !b.secrets.isEmpty ? "`base_url` (read from a secret variable) is not a valid URL: expected http:// or https:// with a host and no query"
                                      : "\(error)")
            }
        } else if let upstream {
            do {
                spec.baseURL = try Target.normalise(try upstream.resolvedBaseURL(environment: environment))
            } catch let p as VariableExpansion.Problem {
                let why = if case .unset(let v) = p {
                    "takes its base URL from `\(v)`, which is not set: export it (e.g. https://NAME.openai.azure.com) or set `base_url`"
                } else {
                    "takes its base URL from the environment: \(p.description); or set `base_url`"
                }
                fail(own["upstream"]?.location(file) ?? at, "upstream `\(upstream.name)` \(why)")
            } catch {
                fail(own["upstream"]?.location(file) ?? at, "upstream `\(upstream.name)`: \(error)")
            }
        } else if spec.emulate == nil, own["upstream"] == nil {
            fail(at, "\(what) needs `base_url` (the API root, e.g. http://127.0.0.1:8080/v1), `upstream:` (one of \(KnownUpstreams.names.joined(separator: ", "))) or `emulate:`")
        }

        return true
    }

    /// The auth mode and the Azure settings.
    private mutating func auth(_ spec: inout TargetSpec, f: [String: YAMLNode], upstream: KnownUpstream?, secrets: inout [String]) {
        var azureSettings: AzureDeployments? = nil
        if let a = f["azure"], let af = base.fields(a, "`azure`", allowed: ["api_version", "deployment", "embedding_deployment"]) {
            var s = AzureDeployments()
            if let v = environment[KnownUpstreams.azureAPIVersionEnv], !v.isEmpty { s.apiVersion = v }
            if let v = text(af["api_version"], "`azure.api_version`") {
                if v.value.isEmpty { fail(v.node, "`azure.api_version` is empty; e.g. \(AzureDeployments.defaultAPIVersion)") }
                s.apiVersion = v.value
            }
            s.deployment = keep(text(af["deployment"], "`azure.deployment`"), &secrets)
            s.embeddingDeployment = keep(text(af["embedding_deployment"], "`azure.embedding_deployment`"), &secrets)
            azureSettings = s
        }
        let upstreamAuth = upstream?.resolvedAuth(environment: environment)
        if let a = text(f["auth"], "`auth`") {
            var settings = AzureDeployments()
            if let v = environment[KnownUpstreams.azureAPIVersionEnv], !v.isEmpty { settings.apiVersion = v }
            if case .azure(let s)? = upstreamAuth { settings = s }
            if let mode = TargetAuth.parse(a.value, azure: azureSettings ?? settings) {
                spec.auth = mode
            } else {
                fail(a.node, "unknown auth `\(a.value)`; use one of \(TargetAuth.spellings.joined(separator: ", "))")
            }
        } else if let azureSettings {
            spec.auth = .azure(azureSettings)
        } else if let upstreamAuth {
            spec.auth = upstreamAuth
        }
        if let a = f["azure"], azureSettings != nil {
            if case .azure = spec.auth {} else {
                fail(a, "`azure` settings need `auth: azure` (this target's auth is \(spec.auth.label))")
            }
        }
    }

    /// The key: from the environment only.
    private mutating func key(_ spec: inout TargetSpec, own: [String: YAMLNode], f: [String: YAMLNode], upstream: KnownUpstream?,
                              at: SourceLocation) {
        let name = spec.name
        if let v = text(f["api_key_env"], "`api_key_env`") {
            if v.fromEnvironment {
                fail(v.node, "`api_key_env` names the variable itself; write `api_key_env: VARIABLE_NAME`, not `${…}`")
            } else {
                do {
                    let k = try KeySource.key(variable: v.value, upstream: upstream, environment: environment)
                    spec.apiKey = k.key
                    spec.apiKeyEnv = k.variable
                } catch {
                    fail(v.node, error.description)
                }
            }
        } else if spec.emulate == nil {
            do {
                let k = try KeySource.key(variable: nil, upstream: upstream, environment: environment)
                spec.apiKey = k.key
                spec.apiKeyEnv = k.variable
            } catch {
                fail(own["upstream"]?.location(file) ?? at, "target `\(name)`: \(error.description), or set `api_key_env`")
            }
        }
    }

    /// `secret:` names fields whose values are redacted everywhere.
    private mutating func secretFields(_ spec: TargetSpec, f: [String: YAMLNode], secrets: inout [String]) {
        for s in f["secret"].map({ base.strings($0, "`secret`") }) ?? [] {
            switch s {
            case "base_url": spec.baseURL.map { secrets.append($0) }
            case "model": spec.model.map { secrets.append($0) }
            case "embedding_model": spec.embeddingModel.map { secrets.append($0) }
            case "headers": secrets += spec.headers.map(\.value)
            case "azure.deployment", "azure.embedding_deployment":
                if case .azure(let a) = spec.auth {
                    (s == "azure.deployment" ? a.deployment : a.embeddingDeployment).map { secrets.append($0) }
                }
            default:
                fail(f["secret"]!, "`secret` lists field names; unknown `\(s)`\(SuiteLoader.suggestion(s, in: TargetsFile.secretFields)); allowed: \(TargetsFile.secretFields.joined(separator: ", "))")
            }
        }
    }

    /// Per-target options.
    private mutating func options(_ spec: inout TargetSpec, f: [String: YAMLNode]) {
        if let n = f["timeout"], let t = number(n, "`timeout`") {
            if t > 0 { spec.timeout = t } else { fail(n, "`timeout` must be a positive number of seconds") }
        }
        if let n = f["jobs"], let j = number(n, "`jobs`") {
            if j >= 1, j == j.rounded(), j <= 1024 { spec.jobs = Int(j) } else { fail(n, "`jobs` must be a whole number from 1 to 1024") }
        }
        spec.insecure = bool(f["insecure"], "`insecure`")
        spec.features = globs(f["features"], "`features`")
        spec.skip = globs(f["skip"], "`skip`")
    }

    /// Headers of `defaults:` then of the entry (an entry's header replaces a default one of
    /// the same name, case-insensitively).
    mutating func headers(_ node: YAMLNode?, defaults: YAMLNode?, secrets: inout [String]) -> [HTTPHeader] {
        var out: [HTTPHeader] = []
        for source in [defaults, node].compactMap({ $0 }) {
            guard case .map(let pairs) = source.kind else {
                fail(source, "`headers` must be a mapping of header name → value")
                continue
            }
            for p in pairs {
                let at = SourceLocation(file: file, line: p.keyLine, column: p.keyColumn)
                guard !p.key.isEmpty, p.key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) else {
                    fail(at, "invalid header name `\(p.key)`")
                    continue
                }
                var valueNode = p.value
                var marked = false
                if case .map = p.value.kind {
                    // Without `value` the reader has said so already.
                    guard let hf = base.fields(p.value, "header `\(p.key)`", allowed: ["value", "secret"], required: ["value"]),
                          let v = hf["value"] else { continue }
                    valueNode = v
                    marked = bool(hf["secret"], "`secret`") ?? false
                }
                guard let t = text(valueNode, "header `\(p.key)`") else { continue }
                if t.value.contains(where: { $0 == "\r" || $0 == "\n" }) {
                    fail(valueNode, "header `\(p.key)`: the value must be one line")
                    continue
                }
                if TargetsFile.isCredentialHeader(p.key) && !t.fromEnvironment && !t.value.isEmpty {
                    fail(valueNode, "header `\(p.key)` carries a credential: write it as a variable, e.g. `\(p.key): ${MY_TOKEN}` (values are read only from the environment)")
                    continue
                }
                secrets += t.secrets
                if marked || TargetsFile.isCredentialHeader(p.key) { secrets.append(t.value) }
                out.removeAll { $0.name.lowercased() == p.key.lowercased() }
                out.append(HTTPHeader(p.key, t.value))
            }
        }
        return out
    }

    /// A mapping as JSON with every string expanded (emulator knobs).
    mutating func expandJSON(_ node: YAMLNode) -> JSONValue {
        switch node.kind {
        case .scalar(let v, _):
            if case .string = v, let t = text(node, "knob value") { return .string(t.value) }
            return v
        case .seq(let items): return .array(items.map { expandJSON($0) })
        case .map(let pairs):
            var o: [String: JSONValue] = [:]
            for p in pairs { o[p.key] = expandJSON(p.value) }
            return .object(o)
        }
    }
}
