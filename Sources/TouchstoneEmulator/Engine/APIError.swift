import TouchstoneCore

/// An error the emulator answers with, before it is dressed in the personality's dialect.
struct APIError: Error, Sendable {
    var status: Int
    var message: String
    /// OpenAI's `type` (`invalid_request_error`, `authentication_error`, …).
    var type: String
    /// A symbolic code (`invalid_api_key`, `model_not_found`, …) for the string-code dialects.
    var code: String?
    var param: String?

    init(_ status: Int, _ message: String, type: String? = nil, code: String? = nil, param: String? = nil) {
        self.status = status
        self.message = message
        self.type = type ?? (status >= 500 ? "server_error" : "invalid_request_error")
        self.code = code
        self.param = param
    }

    /// A parameter the personality refuses.
    static func refused(_ param: String, _ message: String, knobs: Knobs) -> APIError {
        APIError(knobs.rejectStatus.status, message, code: "unsupported_parameter", param: param)
    }

    /// A request body the server cannot use (not JSON, a required field missing or mistyped).
    static func invalid(_ message: String, param: String? = nil, knobs: Knobs) -> APIError {
        APIError(knobs.validationStatus.status, message, code: param == nil ? "invalid_json" : "invalid_value", param: param)
    }
}

extension Knobs.ErrorDialect {
    /// The response for an error in this dialect.
    func reply(for error: APIError) -> Reply {
        let e = error
        switch self {
        case .openaiStringCode:
            return .json(e.status, ["error": [
                "message": .string(e.message), "type": .string(e.type),
                "param": e.param.map(JSONValue.string) ?? .null,
                "code": .string(e.code ?? String(e.status)),
            ]])
        case .openaiIntCode:
            return .json(e.status, ["error": [
                "message": .string(e.message), "type": .string(e.type),
                "param": e.param.map(JSONValue.string) ?? .null, "code": .int(e.status),
            ]])
        case .openaiNullCode:
            return .json(e.status, ["error": [
                "message": .string(e.message), "type": .string(e.type), "param": .null, "code": .null,
            ]])
        case .stringError:
            return .json(e.status, ["error": .string(e.message)])
        case .stringErrorWithType:
            return .json(e.status, ["error": .string(e.message), "error_type": .string(e.status >= 500 ? "generation" : "validation")])
        case .detail:
            return .json(e.status, ["detail": .string(e.message)])
        case .topLevel:
            return .json(e.status, [
                "object": "error", "message": .string(e.message), "type": .string(e.type),
                "param": e.param.map(JSONValue.string) ?? .null, "code": e.code.map(JSONValue.string) ?? .null,
            ])
        case .listWrapped:
            return .json(e.status, [["error": [
                "code": .int(e.status), "message": .string(e.message), "status": .string(Self.googleStatus(e.status)),
            ]]])
        case .problemJSON:
            return .json(e.status, [
                "type": "about:blank", "status": .int(e.status), "title": .string(HTTPStatus.phrase(e.status)),
                "detail": .string(e.message),
            ], contentType: "application/problem+json")
        case .xaiFlat:
            return .json(e.status, ["code": .string(e.code ?? HTTPStatus.phrase(e.status)), "error": .string(e.message)])
        case .html:
            return Self.htmlPage(e.status)
        case .empty:
            return .full(status: e.status, headers: [], body: [])
        }
    }

    static func htmlPage(_ status: Int) -> Reply {
        let title = "\(status) \(HTTPStatus.phrase(status))"
        let page = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
        return .full(status: status, headers: [("content-type", "text/html")], body: Array(page.utf8))
    }

    static func googleStatus(_ status: Int) -> String {
        switch status {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 429: "RESOURCE_EXHAUSTED"
        default: status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"
        }
    }
}
