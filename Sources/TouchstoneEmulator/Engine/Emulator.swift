import Foundation
import TouchstoneCore

/// The emulated upstream as a pure function from a request to a reply: routing, auth, and the
/// endpoints, all driven by the knobs. No I/O: `EmulatorServer` puts it on a socket. Its one
/// state is the store of /responses answers (bounded).
///
/// Check order for a POST (documented in docs/emulator.md, mirrored by the oracle): path →
/// method → key → JSON body → unknown fields → field types → required fields → model →
/// parameters in the order max_tokens, max_completion_tokens, stop, n, logprobs,
/// reasoning_effort, image parts, response_format, tool_choice without tools, tools (a role
/// outside OpenAI's set is refused with the required fields).
struct Emulator: Sendable {
    let knobs: Knobs
    let chatModel: String
    let embeddingModel: String?
    /// The key requests must carry when `knobs.auth` enforces one.
    let apiKey: String
    /// The answers of /responses kept for retrieval (shared by every copy of this emulator).
    let responseStore = ResponseStore()

    /// The key used when the auth knob enforces one and none was configured.
    static let defaultAPIKey = "sk-emulator"

    init(knobs: Knobs, chatModel: String, embeddingModel: String?, apiKey: String?) {
        self.knobs = knobs
        self.chatModel = chatModel
        self.embeddingModel = embeddingModel
        self.apiKey = apiKey ?? Self.defaultAPIKey
    }

    enum Endpoint: Equatable {
        case models, model(String), chat, embeddings, responses, response(String), completions, props

        var method: String {
            switch self {
            case .models, .model, .response, .props: "GET"
            default: "POST"
            }
        }
    }

    /// Thrown by a handler to close the connection without a response.
    struct DropConnection: Error {}

    func reply(to request: HTTPRequestMessage) -> Reply {
        let reply: Reply
        do {
            reply = try route(request)
        } catch let error as APIError {
            reply = knobs.errorDialect.reply(for: error)
        } catch {
            reply = .drop
        }
        return reply.adding(commonHeaders())
    }

    private func route(_ request: HTTPRequestMessage) throws -> Reply {
        let path = request.path
        var endpoint = endpoint(exactly: path)
        if endpoint == nil {
            let clean = Self.cleaned(path)
            if clean != path, let target = self.endpoint(exactly: clean) {
                switch knobs.doubledSlash {
                case .accept: endpoint = target
                case .redirect307:
                    let location = clean + request.querySuffix
                    return .full(status: 307, headers: [("location", location), ("content-type", "text/plain; charset=utf-8")],
                                 body: Array("Temporary Redirect: \(location)\n".utf8))
                case .notFound: break
                }
            }
        }
        guard let endpoint else {
            throw APIError(404, "Not found: \(request.method) \(path)", code: "not_found")
        }
        if knobs.pathPrefix == .azureDeployments, !request.querySuffix.contains("api-version=") {
            throw APIError(404, "Resource not found", code: "404")
        }
        guard request.method == endpoint.method else {
            let error = APIError(405, "Method \(request.method) not allowed on \(path); use \(endpoint.method)", code: "method_not_allowed")
            return knobs.errorDialect.reply(for: error).adding([("allow", endpoint.method)])
        }
        if let refusal = authRefusal(request) { return refusal }

        switch endpoint {
        case .models: return try models()
        case .model(let id): return try model(id)
        case .chat: return try ChatCompletions(emulator: self, body: parseBody(request)).reply()
        case .embeddings: return try embeddings(parseBody(request))
        case .responses: return try Responses(emulator: self).create(parseBody(request))
        case .response(let id): return try Responses(emulator: self).retrieve(id)
        case .props: return try props()
        case .completions: return try LegacyCompletions(emulator: self, body: parseBody(request)).reply()
        }
    }

    /// Whether a request runs the model, so takes a slot when the slots are limited.
    func takesSlot(_ request: HTTPRequestMessage) -> Bool {
        guard request.method == "POST" else { return false }
        switch endpoint(exactly: request.path) ?? endpoint(exactly: Self.cleaned(request.path)) {
        case .chat, .embeddings, .responses, .completions: return true
        default: return false
        }
    }

    /// The endpoint a path names, with no slash tolerance.
    func endpoint(exactly path: String) -> Endpoint? {
        if path == "/props" && (knobs.contextLength == .props || knobs.slots == .oneAdvertised) { return .props }
        if knobs.pathPrefix == .azureDeployments { return Self.azureEndpoint(path) }
        for prefix in knobs.pathPrefix.paths where path.hasPrefix(prefix + "/") {
            let rest = path.dropFirst(prefix.count)
            switch rest {
            case "/models": return .models
            case "/chat/completions": return .chat
            case "/embeddings": return .embeddings
            case "/responses": return .responses
            case "/completions": return .completions
            default:
                if rest.hasPrefix("/models/"), rest.count > "/models/".count {
                    let id = String(rest.dropFirst("/models/".count))
                    return .model(id.removingPercentEncoding ?? id)
                }
                if rest.hasPrefix("/responses/"), rest.count > "/responses/".count {
                    let id = String(rest.dropFirst("/responses/".count))
                    return .response(id.removingPercentEncoding ?? id)
                }
            }
        }
        return nil
    }

    /// Azure's classic routes: deployment endpoints under `/openai/deployments/{name}/`, the
    /// others under `/openai/`. The deployment name is not checked (the body's model is).
    static func azureEndpoint(_ path: String) -> Endpoint? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 5, parts[1] == "openai", parts[2] == "deployments", !parts[3].isEmpty {
            switch parts[4...].joined(separator: "/") {
            case "chat/completions": return .chat
            case "completions": return .completions
            case "embeddings": return .embeddings
            default: return nil
            }
        }
        switch path {
        case "/openai/models": return .models
        case "/openai/responses": return .responses
        default:
            if path.hasPrefix("/openai/responses/"), path.count > "/openai/responses/".count {
                let id = String(path.dropFirst("/openai/responses/".count))
                return .response(id.removingPercentEncoding ?? id)
            }
            guard path.hasPrefix("/openai/models/"), path.count > "/openai/models/".count else { return nil }
            let id = String(path.dropFirst("/openai/models/".count))
            return .model(id.removingPercentEncoding ?? id)
        }
    }

    /// A path with runs of slashes collapsed and no trailing slash.
    static func cleaned(_ path: String) -> String {
        var out = ""
        var lastWasSlash = false
        for ch in path {
            if ch == "/" {
                if lastWasSlash { continue }
                lastWasSlash = true
            } else {
                lastWasSlash = false
            }
            out.append(ch)
        }
        if out.count > 1, out.hasSuffix("/") { out.removeLast() }
        return out
    }

    // MARK: Auth

    /// The reply for a missing or wrong key, or nil when the request may proceed.
    private func authRefusal(_ request: HTTPRequestMessage) -> Reply? {
        guard knobs.auth.enforcesKey else { return nil }
        if let presented = presentedKey(request), presented == apiKey { return nil }
        let message = "Incorrect API key provided. You can find your API key in your account settings."
        switch knobs.auth {
        case .ignoreKey: return nil
        case .status401:
            return knobs.errorDialect.reply(for: APIError(401, message, type: "authentication_error", code: "invalid_api_key"))
        case .status403:
            return knobs.errorDialect.reply(for: APIError(403, "Forbidden: the key is missing or not valid", type: "permission_error", code: "forbidden"))
        case .status400:
            return knobs.errorDialect.reply(for: APIError(400, "API key not valid. Please pass a valid API key.", code: "invalid_api_key"))
        case .noConnectedDB400:
            return knobs.errorDialect.reply(for: APIError(400, "No connected db.", type: "no_db_connection"))
        case .html401:
            return Knobs.ErrorDialect.htmlPage(401)
        case .emptyBody401:
            return .full(status: 401, headers: [], body: [])
        case .stringError401:
            return .json(401, ["error": "Unauthorized"])
        }
    }

    /// The key a request carries: `Authorization: Bearer …` (scheme case-insensitive),
    /// `api-key` (Azure) or `x-api-key`.
    private func presentedKey(_ request: HTTPRequestMessage) -> String? {
        if let auth = request.header("authorization") {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return request.header("api-key") ?? request.header("x-api-key")
    }

    // MARK: Shared helpers

    func parseBody(_ request: HTTPRequestMessage) throws -> JSONValue {
        let body: JSONValue
        do {
            body = try JSONParser.parse(request.body)
        } catch {
            throw APIError.invalid("We could not parse the JSON body of your request. (\(error.description))", knobs: knobs)
        }
        guard case .object = body else {
            throw APIError.invalid("The request body must be a JSON object.", knobs: knobs)
        }
        return body
    }

    /// The model id to echo for a requested model, or the unknown-model error.
    func checkModel(_ requested: String, serves served: String?) throws -> String {
        if let served {
            if requested == served { return served }
            if knobs.modelsList == .prefixedIDs, requested == "models/" + served { return served }
        }
        switch knobs.unknownModel {
        case .notFound404:
            throw APIError(404, "The model `\(requested)` does not exist or you do not have access to it.", code: "model_not_found", param: "model")
        case .badRequest400:
            throw APIError(400, "Invalid model '\(requested)'.", code: "invalid_model", param: "model")
        case .ignore:
            return served ?? chatModel
        }
    }

    /// The model a request names (a string), or a validation error.
    func requiredModel(_ body: JSONValue) throws -> String {
        guard let model = body["model"], !model.isNull else {
            throw APIError.invalid("You must provide a model parameter.", param: "model", knobs: knobs)
        }
        guard let name = model.stringValue else {
            throw APIError.invalid("'model' must be a string.", param: "model", knobs: knobs)
        }
        return name
    }

    /// An optional integer field; an integral double counts.
    /// The `n` of a chat or legacy completions request, as the `n` knob answers it.
    func choiceCount(_ body: JSONValue) throws -> Int {
        guard let value = body["n"], !value.isNull else { return 1 }
        guard let n = optionalInt(body, "n"), n >= 1 else {
            throw APIError.refused("n", "'n' must be an integer of at least 1.", knobs: knobs)
        }
        guard n > 1 else { return 1 }
        switch knobs.n {
        case .honor:
            guard n <= 128 else { throw APIError.refused("n", "'n' must be at most 128.", knobs: knobs) }
            return n
        case .ignore: return 1
        case .reject: throw APIError.refused("n", "'n' : number must be at most 1", knobs: knobs)
        case .serverError500: throw APIError(500, "Only one completion choice is allowed", type: "server_error")
        }
    }

    /// A `stop` value OpenAI accepts: a string, or an array of at most 4 strings.
    func stopStrings(_ value: JSONValue) throws -> [String] {
        if let s = value.stringValue { return [s] }
        let strings = value.arrayValue?.compactMap(\.stringValue) ?? []
        guard strings.count == value.arrayValue?.count, strings.count <= 4 else {
            throw APIError.refused("stop", "'stop' must be a string or an array of at most 4 strings.", knobs: knobs)
        }
        return strings
    }

    func optionalInt(_ body: JSONValue, _ key: String) -> Int? {
        switch body[key] {
        case .int(let i): i
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: Int(d)
        default: nil
        }
    }

    static func usage(prompt: Int, completion: Int) -> JSONValue {
        ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)]
    }

    static var now: Int { Int(Date().timeIntervalSince1970) }

    private func commonHeaders() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("x-request-id", FakeModel.id("req_", length: 16))]
        if let server = knobs.serverHeader.value { headers.append(("server", server)) }
        switch knobs.rateLimitHeaders {
        case .none: break
        case .openai:
            headers += [
                ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-remaining-requests", "9999"),
                ("x-ratelimit-reset-requests", "6ms"), ("x-ratelimit-limit-tokens", "2000000"),
                ("x-ratelimit-remaining-tokens", "1999950"), ("x-ratelimit-reset-tokens", "1ms"),
            ]
        case .azure:
            headers += [("x-ratelimit-remaining-requests", "9999"), ("x-ratelimit-remaining-tokens", "1999950")]
        }
        return headers
    }
}
