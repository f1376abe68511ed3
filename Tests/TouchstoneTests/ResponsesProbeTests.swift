import FlyingFox
import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneKit

/// The Responses API checks and the context_length quirk against crafted upstreams (FlyingFox
/// on a real socket, probed over real libcurl by the built-in suites): each upstream differs
/// from a correct one in one way, and the verdict must name it.
@Suite("Responses API and context_length against crafted upstreams")
struct ResponsesProbeTests {
    static let text = "Hello there, friend."
    static let basic = #"{"id":"resp_abc","object":"response","created_at":1,"status":"completed","model":"m","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello there, friend.","annotations":[]}]}]}"#

    /// A Responses event stream: `event:` lines (or none), sequence numbers from 0.
    static func events(_ types: [(type: String, extra: String)], eventLines: Bool = true) -> String {
        types.enumerated().map { i, e in
            let line = eventLines ? "event: \(e.type)\n" : ""
            return line + #"data: {"type":"\#(e.type)","sequence_number":\#(i)\#(e.extra.isEmpty ? "" : ",")\#(e.extra)}"# + "\n\n"
        }.joined()
    }

    /// A correct stream whose deltas are `deltas` and whose final text is `Self.text`.
    static func stream(deltas: [String], eventLines: Bool = true) -> String {
        var list: [(String, String)] = [("response.created", #""response":{"id":"resp_abc","object":"response","status":"in_progress","output":[]}"#)]
        list += deltas.map { ("response.output_text.delta", #""item_id":"msg_1","output_index":0,"content_index":0,"delta":\#(JSONValue.string($0).serialized())"#) }
        list.append(("response.completed", #""response":\#(basic)"#))
        return events(list, eventLines: eventLines)
    }

    static let good = stream(deltas: ["Hello", " there,", " friend."])

    func probe(stream body: String, features: [String] = ["responses.stream"], models: String = #"{"object":"list","data":[{"id":"m"}]}"#,
               props: String? = nil, basic: String = ResponsesProbeTests.basic,
               retrieved: PathBox? = nil) async throws -> TargetReport {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        await server.appendRoute("POST /v1/responses") { request in
            let sent = (try? JSONValue(parsing: String(decoding: try await request.bodyData, as: UTF8.self))) ?? .null
            if sent["stream"]?.boolValue == true {
                return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "text/event-stream"], body: Data(body.utf8))
            }
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(basic.utf8))
        }
        await server.appendRoute("GET /v1/responses/*") { request in
            retrieved?.set(request.path)
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(basic.utf8))
        }
        await server.appendRoute("GET /v1/models") { _ in
            FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(models.utf8))
        }
        await server.appendRoute("GET /props") { _ in
            guard let props else { return FlyingFox.HTTPResponse(statusCode: .notFound) }
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(props.utf8))
        }
        let task = Task { try await server.run() }
        defer { task.cancel() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port) = await server.listeningAddress else { throw POSIXError(.EADDRNOTAVAIL) }
        let target = try Target(name: "crafted", baseURL: "http://127.0.0.1:\(port)/v1", model: "m")
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 30, include: features)).probe(target)
        await server.stop()
        return report
    }

    @Test("a by-the-book stream is supported, with or without event: lines, and sets no quirk")
    func goodStream() async throws {
        for body in [Self.good, Self.stream(deltas: ["Hello", " there,", " friend."], eventLines: false)] {
            let r = try await probe(stream: body)
            #expect(r.features["responses.basic"]?.verdict == .supported)
            #expect(r.features["responses.stream"]?.verdict == .supported, "\(r.features["responses.stream"]?.detail ?? "")")
            #expect(r.quirks["responses_done_sentinel"] == nil)
        }
    }

    @Test("data: [DONE] after response.completed is supported and recorded as quirk responses_done_sentinel")
    func doneSentinel() async throws {
        let r = try await probe(stream: Self.good + "data: [DONE]\n\n")
        #expect(r.features["responses.stream"]?.verdict == .supported, "\(r.features["responses.stream"]?.detail ?? "")")
        #expect(r.quirks["responses_done_sentinel"] == .bool(true))
    }

    @Test("each protocol violation makes the stream broken, and the detail names it", arguments: [
        ("deltas", stream(deltas: ["Hello", " there"]), "differ"),
        ("after close", good + events([("response.output_text.delta", #""delta":"x""#)]), "after response.completed"),
        ("no close", events([("response.created", #""response":{"object":"response"}"#), ("response.output_text.delta", #""delta":"Hi""#)]), "no response.completed"),
        ("first event", events([("response.in_progress", ""), ("response.completed", #""response":\#(basic)"#)]), "expected response.created"),
        ("sequence", good.replacingOccurrences(of: #""sequence_number":2"#, with: #""sequence_number":0"#), "sequence_number 0 after 1"),
        ("event line", good.replacingOccurrences(of: "event: response.completed", with: "event: response.done"), "names response.done"),
        ("chat chunks", #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}"# + "\n\ndata: [DONE]\n\n", "chat.completion.chunk"),
        ("done first", "data: [DONE]\n\n" + good, "before response.completed"),
    ])
    func brokenStreams(name: String, body: String, detail: String) async throws {
        let r = try await probe(stream: body)
        let result = try #require(r.features["responses.stream"])
        #expect(result.verdict == .broken, "\(name): \(result.verdict) \(result.detail)")
        #expect(result.detail.contains(detail), "\(name): \(result.detail)")
    }

    @Test("context_length comes from the model's /models entry, else from llama.cpp's /props, else is absent")
    func contextLength() async throws {
        let listed = try await probe(stream: Self.good, features: ["quirks.context_length"],
                                     models: #"{"object":"list","data":[{"id":"other","context_length":2048},{"id":"m","max_model_len":8192}]}"#,
                                     props: #"{"default_generation_settings":{"n_ctx":4096}}"#)
        #expect(listed.quirks["context_length"] == .int(8192))
        let props = try await probe(stream: Self.good, features: ["quirks.context_length"],
                                    props: #"{"default_generation_settings":{"n_ctx":4096},"total_slots":1}"#)
        #expect(props.quirks["context_length"] == .int(4096))
        let none = try await probe(stream: Self.good, features: ["quirks.context_length"],
                                   models: #"{"object":"list","data":[{"id":"m","context_length":"big"}]}"#)
        #expect(none.quirks["context_length"] == nil)
    }

    @Test("the emulator advertises the context window where its servers do, and the quirk reads it",
          arguments: [("reference", nil), ("vllm", 4096), ("openrouter", 4096), ("llamacpp", 4096)] as [(String, Int?)])
    func emulatorContextLength(name: String, window: Int?) async throws {
        let p = try #require(Personalities.named(name))
        let r = try await Probing.probe(p, options: ProbeOptions(timeout: 30, include: ["quirks.context_length"]))
        #expect(r.quirks["context_length"] == window.map(JSONValue.int), "\(name): \(r.quirks["context_length"].map { $0.serialized() } ?? "absent")")
    }

    @Test("an id from the upstream goes into GET /responses/{id} as one percent-encoded segment")
    func retrieveEncodesTheID() async throws {
        let odd = Self.basic.replacingOccurrences(of: #""id":"resp_abc""#, with: #""id":"resp a/b?c""#)
        let box = PathBox()
        let r = try await probe(stream: Self.good, features: ["responses.retrieve"], basic: odd, retrieved: box)
        #expect(r.features["responses.retrieve"]?.verdict == .supported, "\(r.features["responses.retrieve"]?.detail ?? "")")
        let path = try #require(box.value)
        // FlyingFox hands over the decoded path: the `?` arrived inside it, so it was sent encoded
        // (unencoded, it would have started a query, and the space would have made an invalid URL).
        #expect(path == "/v1/responses/resp a/b?c", "\(path)")
    }
}

/// The path a crafted route saw.
final class PathBox: @unchecked Sendable {
    private let lock = NSLock()
    private var path: String?
    func set(_ p: String) { lock.lock(); path = p; lock.unlock() }
    var value: String? { lock.lock(); defer { lock.unlock() }; return path }
}
