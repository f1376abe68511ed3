import TouchstoneCore

enum ErrorChecks {
    static let checks: [String: BuiltinCheck] = [
        "errors_seen": BuiltinCheck("the target answered at least one request on the chat completions endpoint with 4xx/5xx", examples: [
            .pass("1 error response(s) on /chat/completions", log: [.chat(), .json(#"{"error":{"message":"bad"}}"#, status: 400)]),
            .fail("no error response seen on /chat/completions", log: [.chat()]),
            // A 404 from an endpoint that never answered 2xx says "no such endpoint", not "an error".
            .fail("no error response seen on /chat/completions", log: [.json(#"{"detail":"Not Found"}"#, status: 404)]),
            .fail("no error response seen on /chat/completions", log: [.chat(), .json(#"{"error":{"message":"bad"}}"#, status: 400).cut()]),
        ]) { input in
            let n = chatErrors(input.log).count
            return n > 0 ? .pass("\(n) error response(s) on /chat/completions") : .fail("no error response seen on /chat/completions")
        },
        "error_envelope": BuiltinCheck(
            "every 4xx/5xx on the chat completions endpoint is {\"error\": {\"message\": string, ...}}; records quirks error_envelope and error_code_type",
            records: ["error_envelope", "error_code_type"],
            examples: [
                .pass("1 error response(s), all OpenAI-shaped",
                      log: [.chat(), .json(#"{"error":{"message":"bad","type":"invalid_request_error","code":null}}"#, status: 400)],
                      quirks: ["error_envelope": "openai", "error_code_type": "null"]),
                .pass("all OpenAI-shaped", log: [.chat(), .json(#"{"error":{"message":"bad","code":400}}"#, status: 400)],
                      quirks: ["error_envelope": "openai", "error_code_type": "integer"]),
                .fail("HTTP 422 body is `detail`", log: [.chat(), .json(#"{"detail":[{"msg":"field required"}]}"#, status: 422)],
                      quirks: ["error_envelope": "detail"]),
                .fail("HTTP 400 body is `string_error`", log: [.chat(), .json(#"{"error":"bad request"}"#, status: 400)],
                      quirks: ["error_envelope": "string_error"]),
                .fail("HTTP 500 body is `html`", log: [.chat(), .text("<html>Internal Server Error</html>", status: 500, contentType: "text/html")],
                      quirks: ["error_envelope": "html"]),
                .fail("no error response seen on /chat/completions", log: [.chat()]),
            ]
        ) { input in
            let errors = chatErrors(input.log)
            guard !errors.isEmpty else { return .fail("no error response seen on /chat/completions") }
            var quirks: [String: JSONValue] = [:]
            var bad: (Exchange, String)? = nil
            for e in errors {
                let d = dialect(e)
                if d == "openai" {
                    if quirks["error_code_type"] == nil, let code = e.json?["error"]?["code"] {
                        quirks["error_code_type"] = .string(code.isNull ? "null" : code.typeName == "integer" ? "integer" : code.typeName)
                    }
                } else if bad == nil {
                    bad = (e, d)
                }
            }
            if quirks["error_code_type"] == nil, errors.contains(where: { dialect($0) == "openai" }) {
                quirks["error_code_type"] = .string("null")
            }
            if let (e, d) = bad {
                quirks["error_envelope"] = .string(d)
                return .fail("HTTP \(e.status ?? 0) body is `\(d)`, not {\"error\": {\"message\": ...}}", quirks: quirks)
            }
            quirks["error_envelope"] = .string("openai")
            return .pass("\(errors.count) error response(s), all OpenAI-shaped", quirks: quirks)
        },
    ]

    /// Error responses to requests on the chat completions endpoint itself (not the doubled-slash
    /// variant). 404/405 count only if the endpoint answered 2xx at some point (otherwise they
    /// mean "no such endpoint"). Ordered by status, then request, not by arrival: the detail
    /// and quirks must not depend on which concurrent request finished first (a sharded run
    /// merged must equal the unsharded run).
    static func chatErrors(_ log: [Exchange]) -> [Exchange] {
        let chat = log.filter { $0.request.join == .clean && $0.request.path.hasSuffix("chat/completions") }
        let served = chat.contains { ($0.status ?? 0) / 100 == 2 }
        return chat.filter { e in
            // A body cut short says nothing about the envelope.
            guard let s = e.status, s >= 400, e.error == nil else { return false }
            if !served && (s == 404 || s == 405) { return false }
            return true
        }.sorted { ($0.status ?? 0, $0.request.fingerprint) < ($1.status ?? 0, $1.request.fingerprint) }
    }

    /// The error-body dialect of features.md § Quirks `error_envelope`.
    static func dialect(_ e: Exchange) -> String {
        let trimmed = e.body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        if trimmed.isEmpty { return "empty" }
        if e.contentType.contains("html") || trimmed.first == UInt8(ascii: "<") { return "html" }
        guard let j = e.json else { return "other" }
        if case .array(let a) = j, a.first?["error"] != nil { return "list_wrapped" }
        if let err = j["error"] {
            if err.objectValue != nil { return err["message"]?.stringValue != nil ? "openai" : "other" }
            if err.stringValue != nil { return "string_error" }
            return "other"
        }
        if e.contentType.contains("problem+json") || (j["title"] != nil && j["status"] != nil) { return "problem_json" }
        if j["detail"] != nil { return "detail" }
        if j["message"]?.stringValue != nil { return "top_level" }
        return "other"
    }
}
