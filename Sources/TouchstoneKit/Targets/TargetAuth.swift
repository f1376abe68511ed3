import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// How a target carries its key and where its endpoints live. Suites only ever name an
/// OpenAI path (`/chat/completions`); the request builder asks the target's mode for the URL
/// and the key header, so no probe knows about Azure.
public enum TargetAuth: Sendable, Equatable {
    /// `Authorization: Bearer KEY` (OpenAI and nearly every compatible server).
    case bearer
    /// `NAME: KEY`, e.g. `api-key` (Azure's v1 API) or `x-api-key`.
    case header(String)
    /// Never send a key.
    case none
    /// Azure OpenAI's classic data plane: `{base}/openai/deployments/{deployment}/chat/completions
    /// ?api-version=V` with an `api-key` header.
    case azure(AzureDeployments)

    /// The spellings a targets file and `--auth` accept.
    public static let spellings = ["bearer", "api-key", "x-api-key", "header:NAME", "none", "azure"]

    /// Parses `bearer`, `api-key`, `x-api-key`, `header:NAME`, `none` or `azure` (the Azure
    /// mode gets `azure` as its settings); nil for anything else.
    public static func parse(_ text: String, azure: AzureDeployments = AzureDeployments()) -> TargetAuth? {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "bearer": return .bearer
        case "api-key": return .header("api-key")
        case "x-api-key": return .header("x-api-key")
        case "none": return TargetAuth.none
        case "azure": return .azure(azure)
        default:
            guard t.lowercased().hasPrefix("header:") else { return nil }
            let name = t.dropFirst("header:".count).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                return nil
            }
            return .header(name)
        }
    }

    /// A short name for reports and messages (`bearer`, `api-key`, `azure`, …).
    public var label: String {
        switch self {
        case .bearer: "bearer"
        case .header(let n): n.lowercased() == "api-key" || n.lowercased() == "x-api-key" ? n.lowercased() : "header:\(n)"
        case .none: "none"
        case .azure(let a): "azure (api-version \(a.apiVersion))"
        }
    }

    /// The mode as a report records it (`auth`, docs/report-json.md): `bearer`, `api-key`,
    /// `x-api-key`, `header:NAME`, `azure` or `none`.
    public var mode: String {
        switch self {
        case .azure: "azure"
        default: label
        }
    }

    /// The Azure settings, in the Azure mode.
    public var azureDeployments: AzureDeployments? {
        if case .azure(let a) = self { a } else { nil }
    }

    /// The header carrying `key` in this mode; nil in `.none`.
    public func keyHeader(_ key: String) -> HTTPHeader? {
        switch self {
        case .bearer: HTTPHeader("Authorization", "Bearer \(key)")
        case .header(let name): HTTPHeader(name, key)
        case .none: nil
        case .azure: HTTPHeader("api-key", key)
        }
    }

    /// The header a deliberately wrong key goes in (`auth: bogus` steps): the mode's own
    /// header, or a bearer header when the mode sends none.
    public func bogusHeader(_ key: String) -> HTTPHeader {
        keyHeader(key) ?? HTTPHeader("Authorization", "Bearer \(key)")
    }

    /// Whether `name` carries a credential in this mode (dropped from extra headers when a
    /// step sends no key or a bogus one).
    public func isCredentialHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        if n == "authorization" { return true }
        switch self {
        case .header(let h): return n == h.lowercased()
        case .azure: return n == "api-key"
        case .bearer, .none: return false
        }
    }

    /// The URL for an OpenAI path (`/chat/completions`, as a suite writes it) on `base`.
    /// `join: .naive` keeps the path's leading slash after the separator, like a naive client
    /// joining `base + "/" + path`; `body` is the request's JSON (its `model` names the Azure
    /// deployment when none is configured, as the official Azure client does).
    /// `scheme://host[:port]` of a URL (the whole string when it has no `://`).
    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return String(url[..<end])
    }

    public func url(base: String, path: String, join: RequestTemplate.Join, body: JSONValue?) -> String {
        func joined(_ root: String, _ p: String) -> String {
            switch join {
            case .clean: root + "/" + p.drop(while: { $0 == "/" })
            case .naive: root + "/" + p
            case .origin: Self.origin(of: root) + "/" + p.drop(while: { $0 == "/" })
            }
        }
        guard case .azure(let azure) = self, join != .origin else { return joined(base, path) }
        let (root, rest) = azure.route(base: base, path: path, bodyModel: body?["model"]?.stringValue)
        return joined(root, rest) + azure.query(after: rest)
    }
}

/// The settings of Azure OpenAI's classic data plane.
///
/// Deployment endpoints (`/chat/completions`, `/completions`, `/embeddings`) go to
/// `{base}/openai/deployments/{deployment}/…`, the deployment being the configured one or
/// else the request's `model`; every other path goes to `{base}/openai/…` (`/models`,
/// `/responses`). Every URL gets `?api-version=V`.
public struct AzureDeployments: Sendable, Equatable {
    /// The latest generally available data-plane version when this was written.
    public static let defaultAPIVersion = "2024-10-21"
    /// Paths served under a deployment.
    public static let deploymentPaths: Set<String> = ["chat/completions", "completions", "embeddings"]

    public var apiVersion: String
    /// The deployment for chat and completions requests; nil: the request's `model`.
    public var deployment: String?
    /// The deployment for embeddings requests; nil: the request's `model`.
    public var embeddingDeployment: String?

    public init(apiVersion: String = AzureDeployments.defaultAPIVersion, deployment: String? = nil,
                embeddingDeployment: String? = nil) {
        self.apiVersion = apiVersion
        self.deployment = deployment
        self.embeddingDeployment = embeddingDeployment
    }

    /// The root to join `path` to, and the path to join. `base` is the resource endpoint
    /// (`https://NAME.openai.azure.com`), with or without a trailing `/openai`.
    func route(base: String, path: String, bodyModel: String?) -> (root: String, path: String) {
        var resource = base
        if resource.lowercased().hasSuffix("/openai") { resource.removeLast("/openai".count) }
        let trimmed = String(path.drop(while: { $0 == "/" }))
        guard AzureDeployments.deploymentPaths.contains(trimmed) else { return (resource + "/openai", path) }
        let configured = trimmed == "embeddings" ? embeddingDeployment : deployment
        let name = configured ?? bodyModel ?? "default"
        let segment = name.addingPercentEncoding(withAllowedCharacters: AzureDeployments.segmentAllowed) ?? name
        return (resource + "/openai/deployments/" + segment, path)
    }

    /// `?api-version=V`, or `&api-version=V` when the path already has a query.
    func query(after path: String) -> String {
        let v = apiVersion.addingPercentEncoding(withAllowedCharacters: AzureDeployments.segmentAllowed) ?? apiVersion
        return (path.contains("?") ? "&" : "?") + "api-version=" + v
    }

    /// RFC 3986 unreserved characters: safe in a path segment and a query value.
    static let segmentAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
