import TouchstoneCore

enum EndpointChecks {
    static let checks: [String: BuiltinCheck] = [
        "models_list": BuiltinCheck("object list with data[] of objects with a string id") { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            if case .array = body { return .fail("a bare array instead of {object: list, data: [...]}") }
            guard body["object"]?.stringValue == "list" else { return .fail("`object` is not \"list\"") }
            guard let data = body["data"]?.arrayValue else { return .fail("no `data` array") }
            for (i, m) in data.enumerated() where m["id"]?.stringValue == nil {
                return .fail("data[\(i)] has no string id")
            }
            return .pass("\(data.count) model(s)")
        },
        "responses_shape": BuiltinCheck("object response with an output message holding text") { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            guard body["object"]?.stringValue == "response" else { return .fail("`object` is not \"response\"") }
            for item in body["output"]?.arrayValue ?? [] where item["type"]?.stringValue == "message" {
                for part in item["content"]?.arrayValue ?? [] where part["text"]?.stringValue != nil {
                    return .pass("response with an output message")
                }
            }
            return .fail("no output message with text")
        },
        "completions_shape": BuiltinCheck("choices[0].text is a string") { input in
            guard input.exchange.json?["choices"]?[0]?["text"]?.stringValue != nil else {
                return .fail("choices[0].text is not a string")
            }
            return .pass("text completion")
        },
        "error_body": BuiltinCheck(
            "the response carries a non-empty body (an error a client can show); `html: false` also rejects an HTML page",
            arguments: ["html"]
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
            arguments: ["kind"], required: ["kind"]
        ) { input in
            let kind = input.string("kind") ?? ""
            let found = bodyKind(input.exchange)
            return found == kind ? .pass("the body is \(kind)") : .fail("the body is \(found), not \(kind)")
        },
    ]

    /// `empty`, `html` or `other`, for an error body.
    static func bodyKind(_ ex: Exchange) -> String {
        let text = ex.body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        if text.isEmpty { return "empty" }
        if ex.contentType.contains("html") || text.first == UInt8(ascii: "<") { return "html" }
        return "other"
    }
}
