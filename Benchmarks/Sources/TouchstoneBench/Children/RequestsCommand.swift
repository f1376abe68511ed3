import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// N identical POSTs with at most C in flight on Touchstone's HTTP client, each response
/// handled as the engine's transport handles it (JSON parsed; a stream parsed as SSE with
/// every event's JSON parsed). Prints `{"ok": n, "failed": n, "seconds": s}`.
struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Send N requests with concurrency C on Touchstone's HTTP client (a benchmark helper).")

    @Option var url: String
    @Option var count = 1000
    @Option var concurrency = 8
    @Option(help: "A file holding the JSON body.")
    var body: String
    @Option(help: "Environment variable holding the bearer key.")
    var keyEnv: String?

    func validate() throws {
        guard count >= 1, concurrency >= 1 else { throw ValidationError("--count and --concurrency must be at least 1") }
    }

    func run() async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: body)))
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let k = keyEnv.flatMap({ ProcessInfo.processInfo.environment[$0] }) {
            headers.append(HTTPHeader("Authorization", "Bearer \(k)"))
        }
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: bytes,
                                  timeouts: Timeouts(connect: 10, firstByte: 120, idle: 120, total: 120),
                                  maxBodyBytes: 16 << 20)
        let client = HTTPClient.shared
        let started = now()
        let (ok, failed) = await withTaskGroup(of: Bool.self) { group in
            var next = 0
            var ok = 0, failed = 0
            func add() {
                next += 1
                group.addTask { await Self.exchange(client, request) }
            }
            while next < min(count, concurrency) { add() }
            for await r in group {
                if r { ok += 1 } else { failed += 1 }
                if next < count { add() }
            }
            return (ok, failed)
        }
        let seconds = now() - started
        print("{\"ok\":\(ok),\"failed\":\(failed),\"seconds\":\(seconds)}")
    }

    /// One exchange, handled like `Transport.attemptOnce`: true when a 2xx came back and parsed.
    static func exchange(_ client: HTTPClient, _ request: HTTPRequest) async -> Bool {
        var status = 0
        var parser: SSEParser?
        var body: [UInt8] = []
        var events = 0, parsed = 0
        func take(_ evs: [SSEEvent]) {
            for e in evs {
                events += 1
                if e.isDone { continue }
                if (try? JSONParser.parse(e.dataBytes)) != nil { parsed += 1 }
                _ = String(decoding: e.dataBytes.prefix(65536), as: UTF8.self)
            }
        }
        do {
            for try await event in client.stream(request) {
                switch event {
                case .head(let h):
                    status = h.status
                    if (h.headers.value(for: "content-type") ?? "").contains("text/event-stream") { parser = SSEParser() }
                case .body(let b):
                    if parser != nil { take(parser!.feed(b)) } else { body += b }
                case .end:
                    break
                }
            }
        } catch {
            return false
        }
        if parser != nil {
            take(parser!.finish())
            return status / 100 == 2 && events > 0 && parsed == events - 1
        }
        return status / 100 == 2 && (try? JSONParser.parse(body)) != nil
    }
}
