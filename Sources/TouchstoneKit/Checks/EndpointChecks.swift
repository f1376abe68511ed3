import TouchstoneCore

enum EndpointChecks {
    static let checks: [String: BuiltinCheck] = [
        "models_list": BuiltinCheck("object list with data[] of objects with a string id", examples: [
            .pass("1 model(s)", .json(#"{"object":"list","data":[{"id":"m","object":"model"}]}"#, path: "/models")),
            .fail("a bare array instead of {object: list, data: [...]}", .json(#"[{"id":"m"}]"#, path: "/models")),
            .fail(#"`object` is not "list""#, .json(#"{"models":[{"id":"m"}]}"#, path: "/models")),
            .fail("data[0] has no string id", .json(#"{"object":"list","data":[{"name":"m"}]}"#, path: "/models")),
        ]) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            if case .array = body { return .fail("a bare array instead of {object: list, data: [...]}") }
            guard body["object"]?.stringValue == "list" else { return .fail("`object` is not \"list\"") }
            guard let data = body["data"]?.arrayValue else { return .fail("no `data` array") }
            for (i, m) in data.enumerated() where m["id"]?.stringValue == nil {
                return .fail("data[\(i)] has no string id")
            }
            return .pass("\(data.count) model(s)")
        },
        "context_length": BuiltinCheck(
            "the context window advertised for `model`: a positive integer `context_length`, `context_window`, `max_model_len` or `max_context_length` in its /models entry, or llama.cpp's `n_ctx` in /props; records quirk context_length",
            arguments: ["model"], records: ["context_length"],
            examples: [
                .pass("context window 4096 (context_length)",
                      .json(#"{"object":"list","data":[{"id":"a","max_model_len":2048},{"id":"m","context_length":4096}]}"#, path: "/models"),
                      args: ["model": "m"], quirks: ["context_length": 4096]),
                .pass("context window 2048 (max_model_len)", .json(#"{"object":"list","data":[{"id":"a","max_model_len":2048}]}"#, path: "/models"),
                      args: ["model": "m"], quirks: ["context_length": 2048]),
                .pass("context window 8192 (n_ctx)", .json(#"{"default_generation_settings":{"n_ctx":8192}}"#, path: "/props"),
                      quirks: ["context_length": 8192]),
                .fail("no context window advertised",
                      .json(#"{"object":"list","data":[{"id":"a","max_model_len":2048},{"id":"b","max_model_len":4096}]}"#, path: "/models"),
                      args: ["model": "m"]),
                .fail("no context window advertised", .json(#"{"object":"list","data":[{"id":"m","context_length":0}]}"#, path: "/models"),
                      args: ["model": "m"]),
            ]
        ) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            guard let window = contextLength(body, model: input.string("model")) else {
                return .fail("no context window advertised")
            }
            return .pass("context window \(window.value) (\(window.field))", quirks: ["context_length": .int(window.value)])
        },
        "completions_shape": BuiltinCheck("choices[0].text is a string", examples: [
            .pass("text completion", .json(#"{"object":"text_completion","choices":[{"index":0,"text":"Hi","finish_reason":"stop"}]}"#,
                                           path: "/completions")),
            .fail("choices[0].text is not a string", .chat()),
        ]) { input in
            guard input.exchange.json?["choices"]?[0]?["text"]?.stringValue != nil else {
                return .fail("choices[0].text is not a string")
            }
            return .pass("text completion")
        },
        "error_body": BuiltinCheck(
            "the response carries a non-empty body (an error a client can show); `html: false` also rejects an HTML page",
            arguments: ["html"],
            examples: [
                .pass("error body: model not found", .json(#"{"error":{"message":"model not found"}}"#, status: 404)),
                .fail("empty error body", .text(" \n", status: 500)),
                .pass("error body: <html><title>502 Bad Gateway", .text("<html><title>502 Bad Gateway</title></html>", status: 502, contentType: "text/html")),
                .fail("HTML error page", .text("<html><title>502 Bad Gateway</title></html>", status: 502, contentType: "text/html"),
                      args: ["html": false]),
            ]
        ) { input in
            let ex = input.exchange
            let text = ex.body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
            if text.isEmpty { return .fail("empty error body") }
            let isHTML = ex.contentType.contains("html") || text.first == UInt8(ascii: "<")
            if isHTML && input.args["html"]?.boolValue == false { return .fail("HTML error page") }
            return .pass("error body: \(ex.errorMessage.map { TextSanitizer.oneLine($0, limit: 80) } ?? "present")")
        },
        "body_kind": BuiltinCheck(
            "the body is of `kind`: `html` (an HTML page) or `empty` (nothing but whitespace)",
            arguments: ["kind"], required: ["kind"],
            examples: [
                .pass("the body is html", .text("<!doctype html><p>Not Found</p>", status: 404, contentType: ""), args: ["kind": "html"]),
                .pass("the body is empty", .text(" \n", status: 500), args: ["kind": "empty"]),
                .fail("the body is other, not html", .json(#"{"error":{"message":"not found"}}"#, status: 404), args: ["kind": "html"]),
                .fail("the body is html, not empty", .text("<html></html>", status: 500, contentType: "text/html"), args: ["kind": "empty"]),
            ]
        ) { input in
            let kind = input.string("kind") ?? ""
            let found = bodyKind(input.exchange)
            return found == kind ? .pass("the body is \(kind)") : .fail("the body is \(found), not \(kind)")
        },
    ]

    /// Field names under which /models entries advertise the context window.
    static let contextFields = ["context_length", "context_window", "max_model_len", "max_context_length"]

    /// The context window a /models list (the entry of `model`, or the only entry) or a llama.cpp
    /// /props body advertises, with the field it came from.
    static func contextLength(_ body: JSONValue, model: String?) -> (value: Int, field: String)? {
        func positive(_ v: JSONValue?) -> Int? {
            guard let n = v?.intValue, n > 0 else { return nil }
            return n
        }
        if let data = body["data"]?.arrayValue {
            let named = data.first { m in model.map { m["id"]?.stringValue == $0 || m["id"]?.stringValue == "models/" + $0 } ?? false }
            let only: JSONValue? = data.count == 1 ? data.first : Optional.none
            guard let entry = named ?? only else { return nil }
            for field in contextFields { if let n = positive(entry[field]) { return (n, field) } }
            return nil
        }
        if let n = positive(body["default_generation_settings"]?["n_ctx"]) { return (n, "n_ctx") }
        if let n = positive(body["n_ctx"]) { return (n, "n_ctx") }
        return nil
    }

    /// `empty`, `html` or `other`, for an error body.
    static func bodyKind(_ ex: Exchange) -> String {
        let text = ex.body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        if text.isEmpty { return "empty" }
        if ex.contentType.contains("html") || text.first == UInt8(ascii: "<") { return "html" }
        return "other"
    }
}
