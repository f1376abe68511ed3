import Foundation
import Subprocess
import Testing
import TouchstoneCore
@testable import TouchstoneEmulator
import TouchstoneHTTP
@testable import TouchstoneKit
import TouchstoneReports
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Upstreams that misbehave: every fault personality over real sockets and real libcurl, the
/// verdicts and details they earn, reports that stay valid whatever came back, `--deadline`,
/// and SIGINT/SIGTERM partial reports.
@Suite("Faults")
struct FaultTests {
    /// Per-request timeout of probes of the faults that wait for the client (stalls, the slow
    /// drip): it is what ends them, and it bounds every other request of the probe too, so it
    /// leaves a loaded 2-core machine ample room to answer those.
    static let shortTimeout = 15.0
    /// The body cap of in-process probes (the CLI keeps its 16 MiB default).
    static let cap = 2 << 20

    /// What the detail of each personality's broken feature must say: the fault, in words.
    static let faultWords: [String: String] = [
        "fault-refused": "connection refused",
        "fault-reset-after-headers": "connection reset after headers (HTTP 200",
        "fault-close-mid-body": "connection closed mid-body",
        "fault-close-mid-stream": "connection closed mid-stream after 3 events",
        "fault-not-http": "invalid HTTP response",
        "fault-stall-before-headers": "stalled before headers",
        "fault-stall-mid-stream": "stream stalled after 3 events: no byte for",
        "fault-slow-drip": "slow drip: body still arriving",
        "fault-huge-body": "body exceeded the 2 MiB cap",
        "fault-endless-stream": "stream exceeded the 2 MiB cap",
        "fault-truncated-chunked": "chunked body truncated",
        "fault-control-bytes-content": "in the stream",
        "fault-control-bytes-headers": "Nul byte in header",
        "fault-html-error-page": "HTTP 502, an HTML page (text/html): \"502 Bad Gateway\"",
        "fault-error-in-200": "HTTP 200 with an error object inside",
        "fault-redirect-loop": "redirect loop: more than 5 redirects",
        "fault-wrong-content-type": "content-type application/json, expected text/event-stream",
        "fault-hostile-retry-after": "HTTP 429: Rate limit reached, expected 2xx (after 2 retries: 429, 429)",
        "fault-absurd-usage": "usage is inconsistent: 9223372036854775807 + 9000000000000000000 overflows",
        "fault-padded-bodies": "whose JSON holds more than 100,000 objects or arrays",
    ]

    static func timeout(_ p: Personality) -> Double {
        switch p.fault?.kind {
        case .stallBeforeHeaders, .stallMidStream, .slowDrip: shortTimeout
        default: 30
        }
    }

    // MARK: The emulator: each fault on the wire, as libcurl meets it

    @Test("the catalogue: fault personalities with unique names, every feature id each, reachable by name, not in `all`")
    func catalogue() {
        #expect(Personalities.faults.count == Set(Personalities.faults.map(\.name)).count)
        #expect(Set(Personalities.faults.compactMap(\.fault?.kind)) == Set(Fault.Kind.allCases))
        #expect(Set(Self.faultWords.keys) == Set(Personalities.faults.map(\.name)))
        for p in Personalities.faults {
            #expect(p.name.hasPrefix("fault-"))
            #expect(Set(p.expected.keys) == Set(Personalities.featureIDs), "\(p.name)")
            #expect(Personalities.named(p.name)?.fault == p.fault)
            #expect(!Personalities.all.contains { $0.name == p.name })
            // The rule: out of scope, the reference verdicts; in scope, broken or untested.
            let changed = p.expected.filter { $0.value != Personalities.reference.expected[$0.key] }
            #expect(!changed.isEmpty && changed.values.allSatisfy { $0 == .broken || $0 == .untested }, "\(p.name)")
        }
    }

    /// One request in scope through libcurl (`TouchstoneHTTP`), and one out of scope.
    @Test("each fault reaches libcurl as the failure it models; requests out of scope are answered normally",
          arguments: Personalities.faults.map(\.name))
    func onTheWire(name: String) async throws {
        let p = try #require(Personalities.named(name))
        let fault = try #require(p.fault)
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let base = server.baseURL
        let key = [HTTPHeader("Authorization", "Bearer \(p.apiKey!)"), HTTPHeader("Content-Type", "application/json")]
        // A short limit only for the phase a waiting fault trips; generous ones elsewhere, so
        // that a loaded machine does not turn a fault into another timeout.
        let faultLimits = switch fault.kind {
        case .stallBeforeHeaders: Timeouts(connect: 30, firstByte: 2, idle: 60, total: 60)
        case .stallMidStream: Timeouts(connect: 30, firstByte: 60, idle: 2, total: 60)
        // 15 s: the head must arrive within it even when the machine is loaded (one byte a second
        // follows, so the body stays far under the whole).
        case .slowDrip: Timeouts(connect: 30, firstByte: 60, idle: 60, total: 15)
        default: Timeouts(connect: 30, firstByte: 60, idle: 60, total: 60)
        }
        // Padded bodies fit under the prober's 16 MiB cap, not under 1 MiB.
        let cap = fault.kind == .paddedBodies ? 16 << 20 : 1 << 20
        func request(_ scope: Fault.Scope, limits: Timeouts? = nil) -> HTTPRequest {
            let timeouts = limits ?? faultLimits
            func post(_ path: String, _ body: String) -> HTTPRequest {
                HTTPRequest(method: "POST", url: base + path, headers: key, body: Array(body.utf8), timeouts: timeouts,
                            maxBodyBytes: cap)
            }
            switch scope {
            case .models:
                return HTTPRequest(url: base + "/models", headers: key, timeouts: timeouts, maxBodyBytes: cap)
            case .streams where fault.kind == .absurdUsage:
                return post("/chat/completions", #"{"model":"emulator-chat","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":8}"#)
            case .streams:
                return post("/chat/completions", #"{"model":"emulator-chat","messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":8}"#)
            case .embeddings:
                return post("/embeddings", #"{"model":"emulator-embed","input":"hello"}"#)
            case .responses:
                return post("/responses", #"{"model":"emulator-chat","input":"Hi","max_output_tokens":8}"#)
            case .completions:
                return post("/completions", #"{"model":"emulator-chat","prompt":"Hi","max_tokens":8}"#)
            }
        }
        /// The head, the body received, and how the transfer ended.
        func send(_ r: HTTPRequest) async -> (head: HTTPHead?, body: [UInt8], error: TransferError?) {
            var head: HTTPHead?
            var body: [UInt8] = []
            do {
                for try await event in HTTPClient.shared.stream(r) {
                    switch event {
                    case .head(let h): head = h
                    case .body(let b): body += b
                    case .end: break
                    }
                }
                return (head, body, nil)
            } catch {
                return (head, body, error as? TransferError)
            }
        }

        let got = await send(request(fault.scope))
        let text = String(decoding: got.body, as: UTF8.self)
        switch fault.kind {
        case .refused:
            #expect(got.error == .refused)
        case .resetAfterHeaders:
            #expect(got.head?.status == 200 && got.body.isEmpty && got.error == .reset)
        case .closeMidBody, .truncatedChunked:
            #expect(got.head?.status == 200 && !got.body.isEmpty && got.error == .truncated)
        case .notHTTP:
            guard case .protocolError = got.error else { Issue.record("\(String(describing: got.error))"); break }
        case .stallBeforeHeaders:
            #expect(got.head == nil && got.error == .timeout(.firstByte))
        case .stallMidStream:
            #expect(got.head?.status == 200 && got.error == .timeout(.idle), "\(String(describing: got.error))")
            #expect(SSEParser.parse(got.body).events.count == Delivery.eventsBeforeFault)
        case .slowDrip:
            #expect(got.head?.status == 200 && got.error == .timeout(.total))
            #expect(got.body.count < 50, "a drip, not the whole body: \(got.body.count) bytes")
        case .hugeBody:
            #expect(got.head?.headers.value(for: "content-length") == String(Delivery.hugeBodyBytes))
            #expect(got.error == .bodyTooLarge(1 << 20) && got.body.count == 1 << 20)
        case .endlessStream:
            #expect(got.error == .bodyTooLarge(1 << 20) && got.body.count == 1 << 20)
            #expect(!text.contains("finish_reason\":\"stop") && !text.contains("[DONE]"))
        case .controlBytesInContent:
            #expect(got.error == nil && got.head?.status == 200)
            for hazard: [UInt8] in [[0x00], [0x1B], [0x07], [0xFF, 0xFE]] {
                #expect(Connection.Reader.find(hazard, in: got.body) != nil, "\(hazard) missing")
            }
            #expect(text.contains("key=\(p.apiKey!)"))
        case .controlBytesInHeaders:
            guard case .protocolError(let m) = got.error else { Issue.record("\(String(describing: got.error))"); break }
            #expect(m.contains("Nul byte"))
        case .htmlErrorPage:
            #expect(got.head?.status == 502 && got.head?.headers.value(for: "content-type") == "text/html")
            #expect(text.contains("<title>502 Bad Gateway</title>"))
        case .errorInside200:
            #expect(got.head?.status == 200 && got.error == nil)
            #expect(try JSONValue(parsing: text)["error"]?["type"] == "server_error")
        case .redirectLoop:
            #expect(got.error == .tooManyRedirects)
        case .paddedBodies:
            #expect(got.error == nil && got.head?.status == 200, "\(String(describing: got.error))")
            #expect(got.body.count > 15 << 20 && got.body.count < 16 << 20, "\(got.body.count) bytes")
            // Not parsed here (seconds of a debug build's time, which the servers beside it need).
            #expect(text.hasPrefix(#"{"padding":[{"a":[]},{"a":[]},"#) && text.hasSuffix(#""object":"list"}"#))
            #expect(text.contains(#"{"a":[]}],"data":[{"#))
        case .wrongContentType:
            #expect(got.head?.headers.value(for: "content-type") == "application/json")
            #expect(text.hasPrefix("data: {") && text.contains("data: [DONE]"))
        case .hostileRetryAfter:
            #expect(got.head?.status == 429 && got.error == nil)
            #expect(got.head?.headers.value(for: "retry-after") == "-inf" && got.head?.headers.value(for: "retry-after-ms") == "-1e20")
        case .absurdUsage:
            #expect(got.head?.status == 200 && got.error == nil)
            #expect(text.contains("\"prompt_tokens\":9223372036854775807") && text.contains("data: [DONE]"), "\(text)")
        }

        // Out of scope: a normal answer (the headers fault still spices the Server header).
        guard fault.kind != .refused else { return }
        let other = await send(request(fault.scope == .models ? .embeddings : .models,
                                       limits: Timeouts(connect: 30, firstByte: 60, idle: 60, total: 60)))
        #expect(other.error == nil && other.head?.status == 200, "\(String(describing: other.error))")
        if fault.kind == .controlBytesInHeaders {
            let server = other.head?.headers.value(for: "server") ?? ""
            #expect(server.contains("\u{1B}[31m") && server.contains("\u{7}"), "\(server.debugDescription)")
        }
    }

    // MARK: The prober against each fault

    /// Probes the personality in-process and checks: every verdict as expected; each broken
    /// feature's detail names the fault; each untested one names its broken prerequisite; the
    /// JSON report parses back; the JUnit report validates against both XSDs; the key appears
    /// nowhere.
    /// `fault-padded-bodies` is probed apart (`paddedBodiesAreUntested`): a whole probe of 15 MiB
    /// answers in this process would starve the servers of the tests running beside it.
    @Test("each fault personality earns its expected verdicts, with the fault named in the detail",
          arguments: Personalities.faults.filter { $0.fault?.kind != .paddedBodies }.map(\.name))
    func verdicts(name: String) async throws {
        let p = try #require(Personalities.named(name))
        let report = try await Probing.probe(p, options: ProbeOptions(timeout: Self.timeout(p), maxBodyBytes: Self.cap))
        let mismatches = Probing.mismatches(report, p.expected)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")

        let words = try #require(Self.faultWords[name])
        for (id, verdict) in p.expected.sorted(by: { $0.key < $1.key }) where verdict != Personalities.reference.expected[id] {
            let detail = report.features[id]?.detail ?? ""
            if verdict == .broken || name == "fault-refused" || detail.hasPrefix("not decided") {
                #expect(detail.contains(words), "\(id): \(detail)")
            } else {
                #expect(detail.contains("supported, it is broken") || detail.contains("supported, it is untested")
                        || detail.contains("supported ("), "\(id): \(detail)")
            }
        }
        try Self.checkReports(Report(tool: ToolInfo(version: "test"), startedAt: "2026-01-02T03:04:05Z",
                                     finishedAt: "2026-01-02T03:04:09Z", targets: [report]),
                              secret: p.apiKey!)
    }

    /// Padded 2xx bodies (about 15 MiB each, under the prober's own 16 MiB cap) are over the size
    /// a run parses: what they decide is untested, saying so; a stream, not padded, is judged.
    /// Three features and their prerequisites only: a handful of padded answers, not fifty.
    @Test("fault-padded-bodies: features read from a padded 2xx body are untested, with the reason")
    func paddedBodiesAreUntested() async throws {
        let p = Personalities.faultPaddedBodies
        let features = ["models.list", "chat.basic", "stream.basic"]
        let report = try await Probing.probe(p, options: ProbeOptions(timeout: 60, include: features, maxBodyBytes: 16 << 20))
        #expect(Probing.mismatches(report, p.expected.filter { features.contains($0.key) }).isEmpty,
                "\(Probing.mismatches(report, p.expected.filter { features.contains($0.key) }))")
        for id in ["models.list", "chat.basic"] {
            let detail = report.features[id]?.detail ?? ""
            #expect(detail.contains(try #require(Self.faultWords[p.name])), "\(id): \(detail)")
        }
    }

    /// The JSON report parses back equal; the JUnit report is well-formed and valid against
    /// both XSDs; no form of the secret and no raw control byte is in either.
    static func checkReports(_ report: Report, secret: String) throws {
        let json = try JSONReportWriter.data(report)
        #expect(try JSONReportWriter.decode(json) == report)
        let xml = try JUnitWriter.data(report, redactor: Redactor(secrets: [secret]))
        try checkReportFiles(json: json, junit: xml, secret: secret)
    }

    static func checkReportFiles(json: Data, junit xml: Data, secret: String) throws {
        _ = try JSONReportWriter.decode(json)
        for schema in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(xml, schema: XMLSchemaValidation.schemaURL(schema))
            #expect(errors.isEmpty, "\(schema): \(errors.prefix(3))")
        }
        let forms = [secret, Data(secret.utf8).base64EncodedString().trimmingCharacters(in: ["="]),
                     secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!]
        for data in [json, xml] {
            let text = String(decoding: data, as: UTF8.self)
            for form in forms { #expect(!text.contains(form), "secret leaked as \(form)") }
            #expect(!data.contains(0x00) && !data.contains(0x1B) && !data.contains(0x07), "raw control byte in a report")
            #expect(String(data: data, encoding: .utf8) != nil, "a report is not valid UTF-8")
        }
    }

    /// The hostile bytes of the two control-byte faults reach the reports as visible escapes.
    @Test("hostile content and headers become escaped evidence and quirks, the key redacted")
    func hostileEvidence() async throws {
        let content = try await Probing.probe(Personalities.faultControlBytesInContent, options: ProbeOptions(timeout: 30))
        let evidence = try #require(content.features["stream.basic"]?.evidence.first?.response)
        #expect(evidence.contains("\\u001B[31mred") && evidence.contains("\\u0000") && evidence.contains("\\xFF"), "\(evidence.prefix(400))")
        #expect(evidence.contains("key=[REDACTED]") && !evidence.contains("sk-emulator-faults"))

        let headers = try await Probing.probe(Personalities.faultControlBytesInHeaders, options: ProbeOptions(timeout: 30))
        let server = headers.quirks["server"]?.stringValue ?? ""
        #expect(server.hasPrefix("touchstone \\u001B[31mred") && server.contains("\\u0007"), "\(server)")

        let report = Report(tool: ToolInfo(version: "test"), startedAt: "2026-01-02T03:04:05Z",
                            finishedAt: "2026-01-02T03:04:09Z", targets: [content, headers])
        let xml = String(decoding: try JUnitWriter.data(report, redactor: Redactor(secrets: ["sk-emulator-faults"])), as: UTF8.self)
        #expect(xml.contains("\\u001B[31mred") && xml.contains("]]&gt;&lt;/system-out&gt;"))
        try Self.checkReports(report, secret: "sk-emulator-faults")
    }

    // MARK: Bounded memory

    /// The engine keeps a bounded part of what it receives: a 50 MiB body ends at the cap, an
    /// endless stream too, and of a stream only the first events and 64 KiB of raw evidence stay.
    @Test("a 50 MiB body and an endless stream end at the body cap; what is kept is bounded")
    func boundedByTheCap() async throws {
        for p in [Personalities.faultHugeBody, Personalities.faultEndlessStream] {
            let server = EmulatorServer(personality: p)
            try await server.start()
            let transport = Transport(client: .shared, limiter: AsyncSemaphore(1),
                                      options: ProbeOptions(timeout: 30, maxBodyBytes: Self.cap), insecure: false)
            let key = [HTTPHeader("Authorization", "Bearer \(p.apiKey!)"), HTTPHeader("Content-Type", "application/json")]
            let chat: JSONValue = ["model": "emulator-chat", "stream": true, "messages": [["role": "user", "content": "Hi"]]]
            let request = p.fault?.scope == .models
                ? PreparedRequest(method: "GET", url: server.baseURL + "/models", path: "/models", join: .clean,
                                  headers: key, body: nil, json: nil)
                : PreparedRequest(method: "POST", url: server.baseURL + "/chat/completions", path: "/chat/completions",
                                  join: .clean, headers: key, body: chat.serializedBytes(), json: chat)
            let ex = await transport.perform(request)
            await server.stop()
            #expect(ex.error == .bodyTooLarge(Self.cap), "\(p.name): \(String(describing: ex.error))")
            #expect(ex.receivedBytes == Self.cap, "\(p.name): read \(ex.receivedBytes) bytes")
            if let stream = ex.stream {
                #expect(ex.body.count <= Transport.streamEvidenceBytes)
                #expect(stream.events.count <= Transport.maxStreamEvents && stream.eventCount > stream.events.count)
            } else {
                #expect(ex.body.count <= Self.cap)
            }
        }
    }

    // MARK: Stopping a run

    @Test("a deadline cuts the run: in-flight transfers cancelled, unfinished features untested, the rest decided")
    func deadlineCutsTheRun() async throws {
        let p = Personalities.faultStallBeforeHeaders
        let control = RunControl()
        let server = EmulatorServer(personality: p)
        try await server.start()
        let target = try Target(name: p.name, baseURL: server.baseURL, model: p.chatModel,
                                embeddingModel: p.embeddingModel, apiKey: p.apiKey)
        // The stall would hold responses.basic for the whole 300 s timeout; the deadline ends it.
        let options = ProbeOptions(timeout: 300, deadline: Deadline(seconds: 3))
        let report = await Prober(suites: Probing.suites, options: options).probe(target, control: control)
        await server.stop()
        #expect(control.cutShort)
        #expect(report.stats.wallSeconds < 300)
        let cut = try #require(report.features["responses.basic"])
        #expect(cut.verdict == .untested && cut.detail == "not decided: the run's deadline (3 s) passed", "\(cut.detail)")
        // What finished in time keeps the reference verdict; what did not says why.
        for (id, r) in report.features where r.verdict != .supported {
            #expect(r.verdict == .untested && r.detail == cut.detail, "\(id): \(r.verdict) \(r.detail)")
        }
    }

    @Test("stopping the control from outside cuts the run with its reason")
    func stopCutsTheRun() async throws {
        let p = Personalities.faultStallMidStream
        let control = RunControl()
        let server = EmulatorServer(personality: p)
        try await server.start()
        let target = try Target(name: p.name, baseURL: server.baseURL, model: p.chatModel,
                                embeddingModel: p.embeddingModel, apiKey: p.apiKey)
        // The stalled stream would hold stream.basic for 300 s: stop once another case finished.
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 300))
            .probe(target, control: control) { event in
                if case .caseFinished(_, _, "chat.basic", _) = event { control.stop(reason: "interrupted by a test") }
            }
        await server.stop()
        #expect(control.cutShort && control.stopReason == "interrupted by a test")
        #expect(report.features["chat.basic"]?.verdict == .supported)
        let cut = try #require(report.features["stream.basic"])
        #expect(cut.verdict == .untested && cut.detail == "not decided: interrupted by a test", "\(cut.detail)")
        #expect(report.features["stream.done_sentinel"]?.detail.contains("interrupted by a test") == true)
    }

    @Test("a run that finishes before its deadline is not cut")
    func deadlineNotReached() async throws {
        let p = Personalities.faultRedirectLoop
        let control = RunControl()
        let server = EmulatorServer(personality: p)
        try await server.start()
        let target = try Target(name: p.name, baseURL: server.baseURL, model: p.chatModel,
                                embeddingModel: p.embeddingModel, apiKey: p.apiKey)
        let options = ProbeOptions(timeout: 30, deadline: Deadline(seconds: 600))
        let report = await Prober(suites: Probing.suites, options: options).probe(target, control: control)
        await server.stop()
        #expect(!control.cutShort && control.stopReason == nil)
        #expect(Probing.mismatches(report, p.expected).isEmpty)
    }
}

// MARK: - The command line under faults

@Suite("Faults: command line")
struct FaultCLITests {
    func touchstone(_ args: [String]) async throws -> CLITests.Outcome {
        try await CLITests().touchstone(args)
    }

    @Test("a refused connection: exit 3, every feature untested, valid reports")
    func refusedExitsThree() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let r = try await touchstone(["probe", "--emulate", "fault-refused", "--quiet", "--timeout", "5",
                                      "--json", json.path, "--junit", junit.path])
        #expect(r.status == 3, "\(r.stderr)")
        let report = try JSONReportWriter.decode(try Data(contentsOf: json))
        #expect(!report.partial)
        let features = try #require(report.targets.first?.features)
        #expect(features.count == 44 && features.values.allSatisfy { $0.verdict == .untested && $0.detail.contains("connection refused") })
        try FaultTests.checkReportFiles(json: try Data(contentsOf: json), junit: try Data(contentsOf: junit),
                                        secret: "sk-emulator-faults")
    }

    @Test("hostile bytes: exit 1 (broken), reports valid, escaped, the key redacted")
    func hostileReports() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let markdown = dir.appendingPathComponent("m.md")
        let r = try await touchstone(["probe", "--emulate", "fault-control-bytes-content,fault-control-bytes-headers,fault-huge-body",
                                      "--timeout", "30", "--json", json.path, "--junit", junit.path, "--markdown", markdown.path])
        #expect(r.status == 1, "\(r.stderr)")
        let jsonData = try Data(contentsOf: json), junitData = try Data(contentsOf: junit)
        try FaultTests.checkReportFiles(json: jsonData, junit: junitData, secret: "sk-emulator-faults")
        for output in [r.stdout, r.stderr, try String(contentsOf: markdown, encoding: .utf8)] {
            #expect(!output.contains("sk-emulator-faults") && !output.contains("\u{0}"))
        }
        let report = try JSONReportWriter.decode(jsonData)
        #expect(report.targets.map(\.name) == ["fault-control-bytes-content", "fault-control-bytes-headers", "fault-huge-body"])
        #expect(report.targets[2].features["models.list"]?.detail.contains("body exceeded the 16 MiB cap") == true)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["j.xml", "m.md", "r.json"], "no temporary files left: \(files)")
    }

    /// Peak memory (GNU time's maximum resident set size, KiB) of one CLI run.
    func peakKiB(_ args: [String]) async throws -> Int {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("rss")
        _ = try await run(.path(FilePath("/usr/bin/time")),
                          arguments: Arguments(["-f", "%M", "-o", out.path, CLITests.binary] + args),
                          environment: .inherit.updating(["NO_COLOR": "1"]),
                          output: .discarded, error: .discarded)
        let text = try String(contentsOf: out, encoding: .utf8)
        return try #require(text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }, "\(text)")
    }

    /// The engine stops reading at the 16 MiB cap: probing a 50 MiB body (or an endless
    /// stream) raises the peak by about the cap, never by the body.
    @Test("a 50 MiB body and an endless stream: peak memory grows by the cap, not by the body",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time (Debian package `time`)"))
    func memoryBoundedByTheCap() async throws {
        let baseline = try await peakKiB(["probe", "--emulate", "reference", "--quiet"])
        for name in ["fault-huge-body", "fault-endless-stream"] {
            let peak = try await peakKiB(["probe", "--emulate", name, "--quiet", "--fail-on", "none"])
            #expect(peak - baseline < 40 << 10, "\(name): peak \(peak) KiB, baseline \(baseline) KiB")
        }
    }

    @Test("--deadline: exit 4, partial reports that say so, the stalled feature untested")
    func deadlineExitsFour() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let r = try await touchstone(["probe", "--emulate", "fault-stall-before-headers", "--timeout", "300",
                                      "--deadline", "3", "--json", json.path, "--junit", junit.path])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("deadline"), "\(r.stderr)")
        let report = try JSONReportWriter.decode(try Data(contentsOf: json))
        #expect(report.partial)
        let cut = try #require(report.targets.first?.features["responses.basic"])
        #expect(cut.verdict == .untested && cut.detail.contains("deadline (3 s) passed"), "\(cut.detail)")
        try FaultTests.checkReportFiles(json: try Data(contentsOf: json), junit: try Data(contentsOf: junit),
                                        secret: "sk-emulator-faults")
        let tree = try XMLSchemaValidation.tree(try Data(contentsOf: junit))
        let partial = tree.all("testsuite").flatMap { $0.first("properties")?.all("property") ?? [] }
            .filter { $0["name"] == "partial" }.map { $0["value"] }
        #expect(!partial.isEmpty && partial.allSatisfy { $0 == "true" })
    }

    /// Runs the CLI against a stalled stream, waits for its first progress line (the run is
    /// under way; the stall keeps it from finishing for 300 s), sends `signal`, and checks the
    /// exit code and the partial reports.
    func interrupt(with signal: Subprocess.Signal, expecting code: Int32, name: String) async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("r.json"), junit = dir.appendingPathComponent("j.xml")
        let result = try await run(
            .path(FilePath(CLITests.binary)),
            arguments: Arguments(["probe", "--emulate", "fault-stall-mid-stream", "--timeout", "300",
                                  "--json", json.path, "--junit", junit.path]),
            environment: .inherit.updating(["NO_COLOR": "1"]),
            input: .none, output: .discarded, error: .sequence
        ) { execution in
            var lines: [String] = []
            var sent = false
            for try await line in execution.standardError.strings() {
                lines.append(line)
                if !sent, line.hasPrefix("[fault-stall-mid-stream] ") {
                    try execution.send(signal: signal)
                    sent = true
                }
            }
            return lines
        }
        let status: Int32 = switch result.terminationStatus {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        let stderr = result.closureResult.joined(separator: "\n")
        #expect(status == code, "\(stderr.suffix(600))")
        #expect(stderr.contains("interrupted by \(name)"), "\(stderr.suffix(600))")
        let report = try JSONReportWriter.decode(try Data(contentsOf: json))
        #expect(report.partial)
        let cut = try #require(report.targets.first?.features["stream.basic"])
        #expect(cut.verdict == .untested && cut.detail == "not decided: interrupted by \(name)", "\(cut.detail)")
        try FaultTests.checkReportFiles(json: try Data(contentsOf: json), junit: try Data(contentsOf: junit),
                                        secret: "sk-emulator-faults")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["j.xml", "r.json"], "no temporary files left: \(files)")
    }

    @Test("SIGINT: transfers stopped, partial reports written, exit 130")
    func sigint() async throws {
        try await interrupt(with: .interrupt, expecting: 130, name: "SIGINT")
    }

    @Test("SIGTERM: transfers stopped, partial reports written, exit 143")
    func sigterm() async throws {
        try await interrupt(with: .terminate, expecting: 143, name: "SIGTERM")
    }
}
