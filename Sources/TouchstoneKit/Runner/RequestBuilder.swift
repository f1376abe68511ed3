import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// Resolves request templates: `extends`, `merge`, `${variables}`, URL joining and auth.
struct RequestBuilder: Sendable {
    let target: Target
    /// Every step of every case, by `case/step`, for `extends`.
    let steps: [String: RequestTemplate]

    static let bogusKey = "sk-touchstone-bogus-key-0000000000000000"
    /// Variables every template may use.
    static let builtinVariables: Set<String> = ["model", "embedding_model", "base_url", "target", "bogus_key"]

    /// The longest `extends` chain (links from a step to its last base): the runner refuses a
    /// deeper one and the suite loader reports it with file and line.
    static let maxExtendsDepth = 16

    struct MissingVariable: Error { let name: String }

    /// Characters left as they are in a substituted path segment (RFC 3986 unreserved).
    static let segment = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    func build(_ template: RequestTemplate, variables: [String: JSONValue]) throws -> PreparedRequest {
        let resolved = try flatten(template, depth: 0)
        var vars = target.variables
        for (k, v) in variables { vars[k] = v }
        var body: JSONValue? = nil
        var bytes: [UInt8]? = nil
        try RequestSize.check(resolved.body, raw: resolved.rawBody, vars)
        if let raw = resolved.rawBody {
            bytes = Array(try RequestBuilder.substitute(raw, vars).utf8)
        } else if let b = resolved.body {
            body = try RequestBuilder.substitute(b, vars)
            bytes = Array(body!.serialized(sortedKeys: false).utf8)
        }
        // A value put into the path is one path segment: percent-encoded, so that an id an upstream
        // returned (`resp_…`, possibly with `/`, spaces or `?`) cannot change the URL's shape.
        let pathVars = vars.filter { resolved.path.contains("${\($0.key)}") }.mapValues { v -> JSONValue in
            .string((v.stringValue ?? v.serialized()).addingPercentEncoding(withAllowedCharacters: RequestBuilder.segment) ?? "")
        }
        let path = try RequestBuilder.substitute(resolved.path, pathVars)
        // The target's mode maps the OpenAI path to its URL (Azure deployments, api-version).
        let url = target.auth.url(base: target.baseURL, path: path, join: resolved.join, body: body)
        var headers: [HTTPHeader] = []
        if bytes != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        headers.append(HTTPHeader("Accept", body?["stream"]?.boolValue == true ? "text/event-stream" : "application/json"))
        switch resolved.auth {
        case .target: if let key = target.apiKey, let h = target.auth.keyHeader(key) { headers.append(h) }
        case .bogus: headers.append(target.auth.bogusHeader(RequestBuilder.bogusKey))
        case .none: break
        }
        headers += target.headers.filter { h in resolved.auth == .target || !target.auth.isCredentialHeader(h.name) }
        for (name, value) in resolved.headers {
            headers.removeAll { $0.name.lowercased() == name.lowercased() }
            headers.append(HTTPHeader(name, try RequestBuilder.substitute(value, vars)))
        }
        let method = resolved.method ?? (bytes == nil ? "GET" : "POST")
        var prepared = PreparedRequest(method: method, url: url, path: path, join: resolved.join, headers: headers,
                                       body: bytes, json: body)
        prepared.credentialHeaders = credentialHeaders(headers)
        return prepared
    }

    /// The headers that carry a credential: the mode's key header (the real key or the bogus
    /// one), and any header holding the key or a value marked secret.
    func credentialHeaders(_ headers: [HTTPHeader]) -> Set<String> {
        let secrets = ([target.apiKey, RequestBuilder.bogusKey].compactMap { $0 } + target.secrets).filter { !$0.isEmpty }
        return Set(headers.filter { h in
            target.auth.isCredentialHeader(h.name) || h.name.lowercased() == target.auth.keyHeader("")?.name.lowercased()
                || secrets.contains { h.value.contains($0) }
        }.map { $0.name.lowercased() })
    }

    /// Applies `extends` chains: the base request, then this template's own fields on top.
    private func flatten(_ t: RequestTemplate, depth: Int) throws -> RequestTemplate {
        guard let ext = t.extends else { return t }
        guard depth < RequestBuilder.maxExtendsDepth, let base = steps[ext] else { throw MissingVariable(name: "extends \(ext)") }
        var out = try flatten(base, depth: depth + 1)
        if let m = t.method { out.method = m }
        if !t.path.isEmpty { out.path = t.path }
        if t.join != .clean { out.join = t.join }
        if t.auth != .target { out.auth = t.auth }
        out.headers += t.headers
        if let b = t.body { out.body = b }
        if let r = t.rawBody { out.rawBody = r; out.body = nil }
        if let m = t.merge { out.body = RequestBuilder.merge(out.body ?? .object([:]), m) }
        out.extends = nil
        out.merge = nil
        return out
    }

    /// JSON merge patch (RFC 7396): objects merge recursively, `null` removes a key.
    static func merge(_ base: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var out = base.objectValue ?? [:]
        for (k, v) in p {
            if v.isNull { out.removeValue(forKey: k) } else { out[k] = merge(out[k] ?? .null, v) }
        }
        return .object(out)
    }

    static func substitute(_ value: JSONValue, _ vars: [String: JSONValue]) throws(MissingVariable) -> JSONValue {
        switch value {
        case .string(let s):
            if s.hasPrefix("${"), s.hasSuffix("}"), s.dropFirst(2).dropLast().allSatisfy({ $0 != "}" && $0 != "$" }) {
                let name = String(s.dropFirst(2).dropLast())
                guard let v = vars[name] else { throw MissingVariable(name: name) }
                return v
            }
            return .string(try substitute(s, vars))
        case .array(let a): return .array(try a.map { v throws(MissingVariable) in try substitute(v, vars) })
        case .object(let o):
            var out = o  // updated in place: the keys keep their order (a body's bytes are its identity)
            for (k, v) in o { out[k] = try substitute(v, vars) }
            return .object(out)
        default: return value
        }
    }

    static func substitute(_ s: String, _ vars: [String: JSONValue]) throws(MissingVariable) -> String {
        guard s.contains("${") else { return s }
        var out = ""
        var rest = Substring(s)
        while let r = rest.range(of: "${") {
            out += rest[..<r.lowerBound]
            guard let end = rest[r.upperBound...].firstIndex(of: "}") else {
                out += rest[r.lowerBound...]
                return out
            }
            let name = String(rest[r.upperBound..<end])
            guard let v = vars[name] else { throw MissingVariable(name: name) }
            out += v.stringValue ?? v.serialized(sortedKeys: true)
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// Like `substitute` but leaves unknown `${name}` as written (for details).
    static func substitute(lenient s: String, _ vars: [String: JSONValue]) -> String {
        var out = ""
        var rest = Substring(s)
        while let r = rest.range(of: "${"), let end = rest[r.upperBound...].firstIndex(of: "}") {
            out += rest[..<r.lowerBound]
            let name = String(rest[r.upperBound..<end])
            if let v = vars[name] { out += v.stringValue ?? v.serialized(sortedKeys: true) } else { out += rest[r.lowerBound...end] }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// Names used as `${name}` anywhere in a template.
    static func variableNames(_ t: RequestTemplate) -> Set<String> {
        var names = Set<String>()
        func scan(_ s: String) {
            var rest = Substring(s)
            while let r = rest.range(of: "${"), let end = rest[r.upperBound...].firstIndex(of: "}") {
                names.insert(String(rest[r.upperBound..<end]))
                rest = rest[rest.index(after: end)...]
            }
        }
        func walk(_ v: JSONValue?) {
            switch v {
            case .string(let s): scan(s)
            case .array(let a): a.forEach(walk)
            case .object(let o): o.values.forEach(walk)
            default: break
            }
        }
        scan(t.path)
        t.rawBody.map(scan)
        t.headers.forEach { scan($0.1) }
        walk(t.body)
        walk(t.merge)
        return names
    }
}
