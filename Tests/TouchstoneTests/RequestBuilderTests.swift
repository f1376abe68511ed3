import Foundation
import Testing
import TouchstoneCore
import TouchstoneHTTP
@testable import TouchstoneKit

/// Request templates: `${name}` substitution (an exact `${name}` keeps the value's type, text
/// around it interpolates), missing variables, path segments percent-encoded, `extends` and
/// `merge`, URL joining and the key header.
@Suite("Request builder")
struct RequestBuilderTests {
    static let vars: [String: JSONValue] = ["n": 3, "model": "m-1", "flag": true, "obj": ["b": 2, "a": 1], "none": nil]

    func template(_ path: String, method: String? = nil, join: RequestTemplate.Join = .clean, headers: [(String, String)] = [],
                  auth: RequestTemplate.Auth = .target, body: JSONValue? = nil, rawBody: String? = nil,
                  extends: String? = nil, merge: JSONValue? = nil) -> RequestTemplate {
        RequestTemplate(method: method, path: path, join: join, headers: headers, auth: auth, body: body, rawBody: rawBody,
                        extends: extends, merge: merge, location: SourceLocation(file: "t.yaml", line: 1, column: 1))
    }

    func builder(steps: [String: RequestTemplate] = [:], key: String? = "sk-test-key") throws -> RequestBuilder {
        RequestBuilder(target: try Target(name: "t", baseURL: "http://upstream.test/v1/", model: "m-1", apiKey: key), steps: steps)
    }

    @Test func anExactReferenceKeepsTheValuesType() throws {
        #expect(try RequestBuilder.substitute(.string("${n}"), Self.vars) == .int(3))
        #expect(try RequestBuilder.substitute(.string("${flag}"), Self.vars) == .bool(true))
        #expect(try RequestBuilder.substitute(.string("${obj}"), Self.vars) == ["a": 1, "b": 2])
        #expect(try RequestBuilder.substitute(.string("${none}"), Self.vars) == .null)
    }

    @Test func textAroundAReferenceInterpolates() throws {
        #expect(try RequestBuilder.substitute(.string("n=${n}!"), Self.vars) == "n=3!")
        #expect(try RequestBuilder.substitute(.string("${model}/${n}"), Self.vars) == "m-1/3")
        #expect(try RequestBuilder.substitute(.string("${n}${n}"), Self.vars) == "33", "two references are text")
        #expect(try RequestBuilder.substitute(.string("o=${obj}"), Self.vars) == #"o={"a":1,"b":2}"#, "objects as sorted JSON")
        #expect(try RequestBuilder.substitute(.string("cost: $5 ${ unclosed"), Self.vars) == "cost: $5 ${ unclosed")
        // Arrays and objects are walked; other values stay.
        let body: JSONValue = ["model": "${model}", "max_tokens": "${n}", "messages": [["content": "say ${n}"]], "t": 0.5]
        #expect(try RequestBuilder.substitute(body, Self.vars) == ["model": "m-1", "max_tokens": 3, "messages": [["content": "say 3"]], "t": 0.5])
    }

    @Test func aMissingVariableIsAnErrorNamingIt() {
        #expect { try RequestBuilder.substitute(.string("${piece}"), Self.vars) } throws: { ($0 as? RequestBuilder.MissingVariable)?.name == "piece" }
        #expect { try RequestBuilder.substitute(.string("stop at ${piece}."), Self.vars) } throws: { ($0 as? RequestBuilder.MissingVariable)?.name == "piece" }
        #expect { try RequestBuilder.substitute(["a": ["${x}"]], Self.vars) } throws: { ($0 as? RequestBuilder.MissingVariable)?.name == "x" }
        // Details are lenient: an unknown name stays as written.
        #expect(RequestBuilder.substitute(lenient: "${n} and ${piece}", Self.vars) == "3 and ${piece}")
    }

    @Test func aValueInThePathIsOneEncodedSegment() throws {
        let b = try builder()
        let r = try b.build(template("/responses/${id}"), variables: ["id": "resp_1/../admin?x=1 y#z"])
        #expect(r.url == "http://upstream.test/v1/responses/resp_1%2F..%2Fadmin%3Fx%3D1%20y%23z")
        #expect(r.path == "/responses/resp_1%2F..%2Fadmin%3Fx%3D1%20y%23z")
        #expect(r.method == "GET" && r.body == nil)
        let plain = try b.build(template("/responses/${id}"), variables: ["id": "resp_abc-1.2~x"])
        #expect(plain.url == "http://upstream.test/v1/responses/resp_abc-1.2~x", "unreserved characters stay")
        let number = try b.build(template("/items/${n}"), variables: ["n": 7])
        #expect(number.url == "http://upstream.test/v1/items/7")
        #expect { try b.build(template("/responses/${id}"), variables: [:]) } throws: { ($0 as? RequestBuilder.MissingVariable)?.name == "id" }
    }

    @Test func bodyHeadersAndKey() throws {
        let b = try builder()
        let r = try b.build(template("/chat/completions", headers: [("X-Trace", "${n}")],
                                     body: ["model": "${model}", "max_tokens": "${n}", "stream": true]), variables: ["n": 5])
        #expect(r.method == "POST")
        #expect(r.json == ["model": "m-1", "max_tokens": 5, "stream": true])
        #expect(r.body.map { try? JSONParser.parse($0) } == r.json)
        #expect(r.headers.value(for: "Authorization") == "Bearer sk-test-key")
        #expect(r.headers.value(for: "Accept") == "text/event-stream")
        #expect(r.headers.value(for: "Content-Type") == "application/json")
        #expect(r.headers.value(for: "X-Trace") == "5")
        #expect(r.credentialHeaders.contains("authorization"))
        let bogus = try b.build(template("/models", auth: .bogus), variables: [:])
        #expect(bogus.headers.value(for: "Authorization") == "Bearer \(RequestBuilder.bogusKey)")
        let none = try b.build(template("/models", auth: .none), variables: [:])
        #expect(none.headers.value(for: "Authorization") == nil)
        let raw = try b.build(template("/chat/completions", rawBody: #"{"model": "${model}", "#), variables: [:])
        #expect(raw.body == Array(#"{"model": "m-1", "#.utf8) && raw.json == nil)
    }

    @Test func joins() throws {
        let b = try builder()
        #expect(try b.build(template("/models"), variables: [:]).url == "http://upstream.test/v1/models")
        #expect(try b.build(template("/models", join: .naive), variables: [:]).url == "http://upstream.test/v1//models")
        #expect(try b.build(template("/props", join: .origin), variables: [:]).url == "http://upstream.test/props")
    }

    @Test func extendsAndMerge() throws {
        let base = template("/chat/completions", headers: [("X-A", "1")],
                            body: ["model": "${model}", "messages": [["role": "user", "content": "hi"]], "temperature": 0])
        let b = try builder(steps: ["chat.basic/chat": base])
        let r = try b.build(template("", extends: "chat.basic/chat", merge: ["stream": true, "temperature": nil, "n": "${n}"]),
                            variables: ["n": 2])
        #expect(r.json == ["model": "m-1", "messages": [["role": "user", "content": "hi"]], "stream": true, "n": 2])
        #expect(r.url == "http://upstream.test/v1/chat/completions" && r.headers.value(for: "X-A") == "1")
        #expect { try b.build(template("", extends: "no/such"), variables: [:]) } throws: { ($0 as? RequestBuilder.MissingVariable)?.name == "extends no/such" }
        #expect(RequestBuilder.variableNames(template("/r/${id}", headers: [("X", "${h}")], body: ["a": ["${b}"]], merge: ["c": "x ${c}"]))
                == ["id", "h", "b", "c"])
    }
}
