import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
@testable import TouchstoneKit

/// Verdicts describe the upstream, not the harness's own load (docs/features.md): a
/// single-slot server that cuts a running stream short when another request queues gets the
/// same verdicts at the default `--jobs` as at `--jobs 1`.
@Suite("Verdicts describe the upstream: not the harness's load, not an answer that cannot decide")
struct UpstreamVerdictTests {
    /// One slot, a queued request ends the running stream, streams paced like a small model.
    static func oneSlot(advertised: Bool, chunkDelay: Int = 8) -> Personality {
        var knobs = Personalities.llamacpp.knobs
        knobs.slots = advertised ? .oneAdvertised : .one
        knobs.n = .reject  // -np 1 refuses n > 1
        knobs.chunkDelay = .milliseconds(chunkDelay)
        let p = Personalities.llamacpp
        return Personality(name: "one-slot", summary: "", knobs: knobs, expected: Personalities.llamacppOneSlot.expected,
                           chatModel: p.chatModel, embeddingModel: p.embeddingModel, apiKey: p.apiKey)
    }

    static func verdicts(_ r: TargetReport) -> [String: Verdict] { r.features.mapValues(\.verdict) }

    @Test("the single-slot knob: a queued request ends the running stream with [DONE] and no finish_reason")
    func singleSlotCutsRunningStream() async throws {
        // A stream of about sixteen seconds, cut as soon as the queued request arrives (in well
        // under a second on a quiet machine): room for a loaded one.
        let p = Self.oneSlot(advertised: false, chunkDelay: 400)
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: "t", baseURL: server.baseURL, model: p.chatModel, apiKey: p.apiKey)
        func post(_ body: JSONValue) -> PreparedRequest {
            PreparedRequest(method: "POST", url: server.baseURL + "/chat/completions", path: "/chat/completions", join: .clean,
                            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Authorization", "Bearer \(p.apiKey!)")],
                            body: body.serializedBytes(), json: body)
        }
        let stream = post(["model": .string(p.chatModel), "messages": [["role": "user", "content": "Count from 1 to 50."]],
                           "max_tokens": 40, "stream": true])
        let plain = post(["model": .string(p.chatModel), "messages": [["role": "user", "content": "Hi"]], "max_tokens": 4])
        _ = target
        let transport = Transport(client: .shared, limiter: AsyncSemaphore(8), options: ProbeOptions(timeout: 40), insecure: false)
        // Read the stream; once its first bytes are in (it holds the slot), queue a second request.
        var bytes: [UInt8] = []
        var queuedTask: Task<Exchange, Never>? = nil
        let http = HTTPRequest(method: "POST", url: stream.url, headers: stream.headers, body: stream.body,
                               timeouts: Timeouts(connect: 10, firstByte: 20, idle: 20, total: 60))
        for try await event in HTTPClient.shared.stream(http) {
            if case .body(let b) = event {
                bytes += b
                if queuedTask == nil { queuedTask = Task { await transport.attemptOnce(plain) } }
            }
        }
        let queued = await queuedTask!.value
        await server.stop()
        // The queued request waited for the slot and was answered in full.
        #expect(queued.status == 200 && queued.json?["choices"]?[0]?["finish_reason"] == "length")
        // The running stream ended early: [DONE], no finish_reason, fewer than 40 content events.
        let events = SSEParser.parse(bytes).events
        #expect(events.last?.data == "[DONE]")
        let chunks = events.dropLast().compactMap { try? JSONValue(parsing: $0.data) }
        #expect(!chunks.isEmpty && chunks.count < 40)
        #expect(chunks.allSatisfy { $0["choices"]?[0]?["finish_reason"]?.isNull ?? true })
    }

    @Test("one slot, not advertised: default --jobs gives the --jobs 1 verdicts (re-run alone)")
    func defaultJobsEqualOneJob() async throws {
        let p = Self.oneSlot(advertised: false)
        let parallel = try await Probing.probe(p, options: ProbeOptions(jobs: 8, timeout: 20))
        let serial = try await Probing.probe(p, options: ProbeOptions(jobs: 1, timeout: 20))
        #expect(serial.quirks["server_slots"] == nil)
        let differ = Set(parallel.features.keys).union(serial.features.keys).filter {
            parallel.features[$0]?.verdict != serial.features[$0]?.verdict
        }.sorted().map { "\($0): \(parallel.features[$0]?.verdict.rawValue ?? "-") at 8 jobs (\(parallel.features[$0]?.detail ?? "")), \(serial.features[$0]?.verdict.rawValue ?? "-") at 1" }
        #expect(differ.isEmpty, "\(differ.joined(separator: "\n"))")
        #expect(Probing.mismatches(serial, p.expected).isEmpty, "\(Probing.mismatches(serial, p.expected))")
        // The load showed: something was re-run alone, and its detail says so.
        let rerun = parallel.features.values.filter { $0.detail.contains("re-run alone") }
        #expect(!rerun.isEmpty, "no feature was re-run alone at 8 jobs")
        #expect(serial.features.values.allSatisfy { !$0.detail.contains("re-run alone") })
    }

    @Test("one slot, advertised by GET /props: the prober sends one request at a time and reports the slots")
    func advertisedSlotsCapConcurrency() async throws {
        let p = Self.oneSlot(advertised: true)
        let report = try await Probing.probe(p, options: ProbeOptions(jobs: 8, timeout: 20))
        #expect(report.quirks["server_slots"] == 1)
        #expect(Probing.mismatches(report, p.expected).isEmpty, "\(Probing.mismatches(report, p.expected))")
        // Capped to the slot, nothing overlapped: nothing had to be re-run.
        #expect(report.features.values.allSatisfy { !$0.detail.contains("re-run alone") })
    }

    @Test("a server without /props is probed as before (its 404 changes nothing)")
    func noPropsChangesNothing() async throws {
        let report = try await Probing.probe(Personalities.reference)
        #expect(report.quirks["server_slots"] == nil)
        #expect(report.features.values.allSatisfy { $0.verdict == .supported })
    }

    @Test("an unrequested usage chunk with choices: [] breaks stream.basic, in words")
    func unrequestedEmptyChoicesChunk() async throws {
        let p = Personality(name: "empty-choices", summary: "", knobs: Knobs {
            $0.streamUsage = .always
            $0.usageChunkChoices = .empty
        }, expected: [:], chatModel: "emulator-chat", embeddingModel: nil, apiKey: "sk-emulator-x")
        let report = try await Probing.probe(p, options: ProbeOptions(timeout: 20, include: ["stream.*"]))
        let basic = try #require(report.features["stream.basic"])
        #expect(basic.verdict == .broken)
        #expect(basic.detail.contains("choices[0] would crash"), "\(basic.detail)")
        // Asked for, the same chunk is fine: Mistral's usage on the finish chunk is too.
        let mistral = try await Probing.probe(Personalities.mistral, options: ProbeOptions(timeout: 20, include: ["stream.*"]))
        #expect(mistral.features["stream.basic"]?.verdict == .supported)
        #expect(mistral.features["stream.include_usage"]?.verdict == .supported)
    }

    @Test("a 400 whose error body is cut short decides nothing about the model field")
    func cutErrorBodyIsUntested() async throws {
        let server = try RawServer { conn in
            let request = String(decoding: conn.readRequest() ?? [], as: UTF8.self)
            if !request.hasPrefix("POST") {
                conn.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            } else if request.contains("touchstone-no-such-model-zz9") {
                // The status line, then the body stops at its seventh byte of 120.
                conn.write("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n{\"error")
            } else {
                let body = #"{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            }
        }
        defer { server.stop() }
        let target = try Target(name: "cut", baseURL: server.url("/v1"), model: "m")
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10, include: ["errors.unknown_model", "errors.envelope"]))
            .probe(target)
        let r = try #require(report.features["errors.unknown_model"])
        #expect(r.verdict == .untested, "\(r.detail)")
        #expect(r.detail.contains("HTTP 400 but its body was cut"), "\(r.detail)")
        // Nor does the cut body count as an error envelope of some dialect.
        #expect(report.features["errors.envelope"]?.verdict == .untested)
    }

    @Test("a model that stops on its own with no token leaves the caps and logprobs untested",
          arguments: [true, false])
    func silentModelIsUntested(withUsage: Bool) async throws {
        let usage = withUsage ? #","usage":{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9}"# : ""
        let server = try RawServer { conn in
            let request = String(decoding: conn.readRequest() ?? [], as: UTF8.self)
            guard request.hasPrefix("POST") else {
                conn.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            }
            let body = #"{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"stop"}]"# + usage + "}"
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
        defer { server.stop() }
        let target = try Target(name: "silent", baseURL: server.url("/v1"), model: "m")
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 10, include: ["chat.max_tokens", "chat.max_completion_tokens", "chat.logprobs"]))
            .probe(target)
        for f in ["chat.max_tokens", "chat.max_completion_tokens"] {
            let r = try #require(report.features[f])
            #expect(r.verdict == .untested, "\(f): \(r.verdict) \(r.detail)")
            #expect(r.detail.contains("stopped on its own before the cap could matter"), "\(r.detail)")
        }
        let lp = try #require(report.features["chat.logprobs"])
        #expect(lp.verdict == .untested && lp.detail.contains("nothing to carry logprobs"), "\(lp.verdict) \(lp.detail)")
    }

    @Test("a bogus key's 401 is supported whatever its body; an HTML or empty one is a quirk",
          arguments: [("perplexity", "html"), ("tgi", "empty"), ("reference", nil)] as [(String, String?)])
    func authBodyIsAQuirk(name: String, body: String?) async throws {
        let p = try #require(Personalities.named(name))
        let report = try await Probing.probe(p, options: ProbeOptions(timeout: 20, include: ["auth.invalid_key_rejected"]))
        #expect(report.features["auth.invalid_key_rejected"]?.verdict == .supported)
        #expect(report.quirks["auth_error_body"] == body.map(JSONValue.string))
    }

    @Test("errors.unknown_model is untested when the configured model's chat.basic request fails")
    func unknownModelNeedsAWorkingEndpoint() async throws {
        // Every chat request carries max_tokens, which this server refuses: the endpoint fails
        // for the configured model too, so a refusal of the unknown one says nothing.
        let p = Personality(name: "refuses-cap", summary: "", knobs: Knobs { $0.maxTokens = .reject }, expected: [:],
                            chatModel: "emulator-chat", embeddingModel: nil, apiKey: "sk-emulator-x")
        let report = try await Probing.probe(p, options: ProbeOptions(timeout: 20, include: ["errors.unknown_model"]))
        let r = try #require(report.features["errors.unknown_model"])
        #expect(r.verdict == .untested, "\(r.detail)")
        #expect(r.detail.contains("configured model got HTTP 400"), "\(r.detail)")
    }

    @Test("acquireAlone waits for the requests in flight, and nothing starts beside it")
    func aloneIsAlone() async throws {
        let s = AsyncSemaphore(4)
        let a = await s.acquire()
        let b = await s.acquire()
        let log = EventLog()
        let alone = Task {
            let t = await s.acquireAlone()
            await log.add("alone in")
            try? await Task.sleep(for: .milliseconds(30))
            await log.add("alone out")
            return await s.release(t)
        }
        while await s.waiting < 1 { await Task.yield() }
        let later = Task {
            let t = await s.acquire()
            await log.add("later")
            await s.release(t)
        }
        while await s.waiting < 2 { await Task.yield() }
        #expect(await s.release(a))  // b was in flight beside a
        await log.add("a out")
        await s.release(b)
        await log.add("b out")
        #expect(await alone.value == false)  // nothing else ran while it held the target
        await later.value
        #expect(await log.events == ["a out", "b out", "alone in", "alone out", "later"])
    }
}

private actor EventLog {
    var events: [String] = []
    func add(_ e: String) { events.append(e) }
}
