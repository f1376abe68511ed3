import Foundation
import Testing
import FlyingFox
import TouchstoneHTTP

#if canImport(Glibc)
import Glibc
#endif

// Both FlyingFox and TouchstoneHTTP have HTTPRequest/HTTPResponse/HTTPHeader/HTTPClient.
private typealias Request = TouchstoneHTTP.HTTPRequest
private typealias Client = TouchstoneHTTP.HTTPClient

/// Tests of the libcurl client against real local servers over real sockets: FlyingFox for
/// well-behaved HTTP, a scripted raw-socket server (on its own threads) for faults.
/// Serialized so the timing tests do not compete with the 50-transfer test on 2 cores; every time
/// bound is generous and only an upper bound on failure detection, never a speed assertion.
@Suite("HTTPClient", .serialized)
struct HTTPClientTests {
    let client = Client.shared

    // MARK: Round trips (FlyingFox)

    @Test("GET round trip: status, headers, version, timings")
    func getRoundTrip() async throws {
        try await withFoxServer { base in
            let response = try await client.send(Request(url: "\(base)/echo?x=1"))
            #expect(response.head.status == 200)
            #expect(response.head.headers.value(for: "x-method") == "GET")
            #expect(response.head.httpVersion == "1.1")
            #expect(response.head.redirects.isEmpty)
            #expect(response.body.isEmpty)
            #expect(response.timings.total > 0)
            #expect(response.timings.firstByte >= response.timings.connect)
            #expect(response.timings.total >= response.timings.firstByte)
        }
    }

    @Test("POST echoes a binary body with NULs byte for byte")
    func postRoundTrip() async throws {
        try await withFoxServer { base in
            let body: [UInt8] = [0, 1, 2, 0, 255, 254, 0x0D, 0x0A, 0] + Array("{\"a\":1}".utf8)
            let response = try await client.send(Request(
                method: "POST", url: "\(base)/echo",
                headers: [HTTPHeader("Content-Type", "application/octet-stream")], body: body))
            #expect(response.head.status == 200)
            #expect(response.head.headers.value(for: "x-method") == "POST")
            #expect(response.head.headers.value(for: "x-content-type") == "application/octet-stream")
            #expect(response.head.headers.value(for: "x-expect") == "")
            #expect(response.body == body)
        }
    }

    @Test("Other methods with a body go out as-is (PUT)")
    func putRoundTrip() async throws {
        try await withFoxServer { base in
            let response = try await client.send(Request(method: "PUT", url: "\(base)/echo", body: Array("put-body".utf8)))
            #expect(response.head.headers.value(for: "x-method") == "PUT")
            #expect(response.body == Array("put-body".utf8))
        }
    }

    @Test("307 and 308 re-send the POST body with the same method; hops are recorded")
    func redirectsResendBody() async throws {
        try await withFoxServer { base in
            let body = Array("redirect me".utf8)
            let response = try await client.send(Request(method: "POST", url: "\(base)/hop307", body: body))
            #expect(response.head.status == 200)
            #expect(response.head.headers.value(for: "x-method") == "POST")
            #expect(response.body == body)
            #expect(response.head.redirects == [RedirectHop(status: 307, location: "/hop308"),
                                                RedirectHop(status: 308, location: "/echo")])
            // Only the final block's headers are reported.
            #expect(response.head.headers.value(for: "location") == nil)
        }
    }

    @Test("Without followRedirects the 3xx itself is the response")
    func redirectNotFollowed() async throws {
        try await withFoxServer { base in
            let response = try await client.send(Request(url: "\(base)/hop307", followRedirects: false))
            #expect(response.head.status == 307)
            #expect(response.head.headers.value(for: "location") == "/hop308")
            #expect(response.head.redirects.isEmpty)
        }
    }

    @Test("A redirect loop ends in .tooManyRedirects")
    func redirectLoop() async throws {
        try await withFoxServer { base in
            let error = await transferError { try await client.send(Request(url: "\(base)/loop", maxRedirects: 3)) }
            #expect(error == .tooManyRedirects)
        }
    }

    @Test("50 concurrent transfers all succeed")
    func fiftyConcurrent() async throws {
        try await withFoxServer { base in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let body = Array("transfer \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: 2000)
                        let r = try await client.send(Request(method: "POST", url: "\(base)/echo", body: body,
                                                              timeouts: Timeouts(connect: 30, total: 60)))
                        return r.head.status == 200 && r.body == body
                    }
                }
                var all: [Bool] = []
                for try await ok in group { all.append(ok) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0 })
        }
    }

    // MARK: Streaming (raw server)

    @Test("Body chunks reach the consumer before the server sends the next one")
    func incrementalDelivery() async throws {
        let firstSeen = DispatchSemaphore(value: 0)
        let ackedInTime = Flag()
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("first"))
            // Waits (on the server's own thread) until the client has seen chunk 1.
            if firstSeen.wait(timeout: .now() + 10) == .success { ackedInTime.set() }
            Thread.sleep(forTimeInterval: 0.3)
            conn.write(chunk("second") + "0\r\n\r\n")
        }
        defer { server.stop() }

        var events: [String] = []
        var body: [UInt8] = []
        for try await event in client.stream(Request(url: server.url("/stream"))) {
            switch event {
            case .head(let head):
                events.append("head \(head.status)")
            case .body(let bytes):
                if body.isEmpty { events.append("first:\(String(decoding: bytes, as: UTF8.self))"); firstSeen.signal() }
                body += bytes
            case .end:
                events.append("end")
            }
        }
        #expect(ackedInTime.isSet, "the first chunk was not delivered while the server held back the second")
        #expect(events == ["head 200", "first:first", "end"])
        #expect(String(decoding: body, as: UTF8.self) == "firstsecond")
    }

    @Test("Cancelling the consuming task aborts the transfer and closes the connection")
    func cancellation() async throws {
        let serverSawClose = Flag()
        let server = try RawServer { conn in
            _ = conn.readRequest()
            guard conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") else { return }
            let until = Date().addingTimeInterval(20)
            while Date() < until {
                if !conn.write(chunk("tick")) { serverSawClose.set(); return }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        defer { server.stop() }

        let gotFirst = Flag()
        let consumer = Task {
            var events = 0
            for try await event in client.stream(Request(url: server.url("/forever"))) {
                if case .body = event { gotFirst.set() }
                events += 1
            }
            return events
        }
        #expect(await waitFor(seconds: 10) { gotFirst.isSet })
        consumer.cancel()
        // The stream ends (no .end event, no hang) and the server notices the closed connection.
        _ = try? await consumer.value
        #expect(await waitFor(seconds: 10) { serverSawClose.isSet }, "server kept writing: transfer not aborted")
    }

    @Test("send() in a cancelled task throws .cancelled")
    func sendCancelled() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            Thread.sleep(forTimeInterval: 3)
        }
        defer { server.stop() }
        let task = Task { try await client.send(Request(url: server.url("/stall"))) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let error = await transferError { try await task.value }
        #expect(error == .cancelled)
    }

    // MARK: Failures

    @Test("Connecting to a closed port is .refused")
    func refused() async throws {
        let port = try closedPort()
        let error = await transferError { try await client.send(Request(url: "http://127.0.0.1:\(port)/")) }
        #expect(error == .refused)
        #expect(error?.isConnectionFailure == true)
    }

    @Test("An unresolvable host is .dns")
    func dns() async throws {
        let error = await transferError {
            try await client.send(Request(url: "http://touchstone-no-such-host.invalid/", timeouts: Timeouts(connect: 30)))
        }
        #expect(error == .dns)
    }

    @Test("A connect that never completes trips .timeout(.connect)")
    func connectTimeout() async throws {
        // A listener that never accepts, with its accept queue full: further SYNs are dropped.
        let (listener, port, fillers) = try fullListener()
        defer { ([listener] + fillers).forEach { _ = close($0) } }
        let limit = 1.0
        let start = Date()
        let error = await transferError {
            try await client.send(Request(url: "http://127.0.0.1:\(port)/", timeouts: Timeouts(connect: limit, total: 30),
                                          freshConnection: true))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(error == .timeout(.connect))
        // Well before the next limit (total 30 s): this limit fired, however loaded the machine.
        #expect(elapsed < limit + 10, "fired \(elapsed - limit) s late")
    }

    @Test("A server that stalls before the headers trips .timeout(.firstByte) near its deadline")
    func firstByteTimeout() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try RawServer { conn in
            _ = conn.readRequest()
            _ = release.wait(timeout: .now() + 15)
        }
        defer { release.signal(); server.stop() }
        let limit = 1.0
        let start = Date()
        let error = await transferError {
            try await client.send(Request(url: server.url("/stall"), timeouts: Timeouts(firstByte: limit, total: 30)))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(error == .timeout(.firstByte))
        #expect(elapsed >= limit - 0.05)
        // Well before the next limit (total 30 s): this limit fired, however loaded the machine.
        #expect(elapsed < limit + 10, "fired \(elapsed - limit) s late")
    }

    @Test("Silence mid-body trips .timeout(.idle) after the bytes already received")
    func idleTimeout() async throws {
        let release = DispatchSemaphore(value: 0)
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("data: a\n\n"))
            _ = release.wait(timeout: .now() + 15)
        }
        defer { release.signal(); server.stop() }
        let limit = 1.0
        var received: [UInt8] = []
        var sawHead = false
        let start = Date()
        var caught: TransferError?
        do {
            for try await event in client.stream(Request(url: server.url("/sse"),
                                                         timeouts: Timeouts(firstByte: 10, idle: limit, total: 30))) {
                if case .head = event { sawHead = true }
                if case .body(let b) = event { received += b }
            }
        } catch let e as TransferError {
            caught = e
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(caught == .timeout(.idle))
        #expect(sawHead)
        #expect(received == Array("data: a\n\n".utf8))
        #expect(elapsed >= limit - 0.05)
        // Well before the next limit (total 30 s): this limit fired, however loaded the machine.
        #expect(elapsed < limit + 10, "fired \(elapsed - limit) s late")
    }

    @Test("A total deadline cuts a body that keeps trickling")
    func totalTimeout() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            guard conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") else { return }
            for _ in 0..<200 {
                if !conn.write(chunk("x")) { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        defer { server.stop() }
        let error = await transferError {
            try await client.send(Request(url: server.url("/trickle"), timeouts: Timeouts(idle: 5, total: 1)))
        }
        #expect(error == .timeout(.total))
    }

    @Test("Content-Length longer than what was sent, then close, is .truncated")
    func truncatedContentLength() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        }
        defer { server.stop() }
        var received: [UInt8] = []
        let error = await transferError {
            for try await event in client.stream(Request(url: server.url("/short"), freshConnection: true)) {
                if case .body(let b) = event { received += b }
            }
        }
        #expect(error == .truncated)
        #expect(received == Array("0123456789".utf8))
    }

    @Test("A chunked body cut mid-stream or with a bad chunk header is .truncated",
          arguments: ["5\r\nhello\r\n", "5\r\nhel", "zz\r\nhello\r\n0\r\n\r\n"])
    func truncatedChunked(tail: String) async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tail)
        }
        defer { server.stop() }
        let error = await transferError { try await client.send(Request(url: server.url("/chunked"), freshConnection: true)) }
        #expect(error == .truncated)
    }

    @Test("An empty reply (connection closed, no bytes) is .reset")
    func emptyReply() async throws {
        let server = try RawServer { conn in _ = conn.readRequest() }
        defer { server.stop() }
        let error = await transferError { try await client.send(Request(url: server.url("/nothing"), freshConnection: true)) }
        #expect(error == .reset)
    }

    @Test("A reply that is not HTTP is a .protocolError")
    func notHTTP() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("SSH-2.0-OpenSSH_9.2\r\nwhat is this\r\n\r\n")
        }
        defer { server.stop() }
        let error = await transferError { try await client.send(Request(url: server.url("/ssh"), freshConnection: true)) }
        guard case .protocolError = error else {
            Issue.record("expected protocolError, got \(String(describing: error))")
            return
        }
    }

    @Test("maxBodyBytes stops the transfer with .bodyTooLarge after exactly the cap")
    func bodyTooLarge() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n")
            let block = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
            for _ in 0..<20 { if !conn.write(block) { return } }
        }
        defer { server.stop() }
        var received = 0
        let error = await transferError {
            for try await event in client.stream(Request(url: server.url("/big"), maxBodyBytes: 1000)) {
                if case .body(let b) = event { received += b.count }
            }
        }
        #expect(error == .bodyTooLarge(1000))
        #expect(received == 1000)
    }

    @Test("A reader slower than the network gets every byte in order (the transfer pauses and resumes)")
    func slowReaderBackpressure() async throws {
        // 24 MiB, far past the 4 MiB a transfer buffers for its reader before pausing; each
        // 64 KiB block is filled with its own number so that a lost or repeated block shows.
        let blocks = 384, size = 65_536
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: \(blocks * size)\r\n\r\n")
            for k in 0..<blocks {
                if !conn.write([UInt8](repeating: UInt8(k % 251), count: size)) { return }
            }
        }
        defer { server.stop() }
        var offset = 0
        var mismatches = 0
        var sawEnd = false
        for try await event in client.stream(Request(url: server.url("/slow"), maxBodyBytes: blocks * size)) {
            switch event {
            case .head(let head):
                #expect(head.status == 200)
                // Let the network run ahead of the reader.
                try await Task.sleep(for: .milliseconds(200))
            case .body(let bytes):
                // The first and last byte of each block's part in this chunk: a lost or repeated
                // piece shifts the block boundaries.
                var j = 0
                while j < bytes.count {
                    let block = (offset + j) / size
                    let end = min(bytes.count, (block + 1) * size - offset)
                    if bytes[j] != UInt8(block % 251) || bytes[end - 1] != UInt8(block % 251) { mismatches += 1 }
                    j = end
                }
                offset += bytes.count
                if offset % (4 << 20) < bytes.count { try await Task.sleep(for: .milliseconds(20)) }
            case .end:
                sawEnd = true
            }
        }
        #expect(sawEnd)
        #expect(offset == blocks * size)
        #expect(mismatches == 0)
    }

    @Test("Hostile headers (invalid UTF-8, obs-fold) and NULs in the body do not crash")
    func hostileHeaders() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            var bytes = Array("HTTP/1.1 200 OK\r\nX-Bad: ".utf8) + [0xFF, 0xFE, 0x41]
            bytes += Array("\r\nX-Fold: one\r\n  two\r\nContent-Length: 3\r\n\r\n".utf8) + [0, 0, 0]
            conn.write(bytes)
        }
        defer { server.stop() }
        let response = try await client.send(Request(url: server.url("/hostile"), freshConnection: true))
        #expect(response.head.status == 200)
        #expect(response.head.headers.value(for: "x-bad") == "\u{FFFD}\u{FFFD}A")
        #expect(response.head.headers.value(for: "x-fold") == "one two")
        #expect(response.body == [0, 0, 0])
    }

    @Test("A NUL byte inside a response header is a .protocolError (curl refuses it)")
    func nulInHeader() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            conn.write(Array("HTTP/1.1 200 OK\r\nX-Nul: a".utf8) + [0] + Array("b\r\nContent-Length: 0\r\n\r\n".utf8))
        }
        defer { server.stop() }
        let error = await transferError { try await client.send(Request(url: server.url("/nul"), freshConnection: true)) }
        guard case .protocolError = error else {
            Issue.record("expected protocolError, got \(String(describing: error))")
            return
        }
    }

    @Test("A huge response header fails cleanly instead of crashing")
    func hugeHeader() async throws {
        let server = try RawServer { conn in
            _ = conn.readRequest()
            let big = String(repeating: "a", count: 300_000)
            conn.write("HTTP/1.1 200 OK\r\nX-Huge: \(big)\r\nContent-Length: 2\r\n\r\nok")
        }
        defer { server.stop() }
        let error = await transferError { try await client.send(Request(url: server.url("/huge"), freshConnection: true)) }
        guard case .protocolError = error else {
            Issue.record("expected protocolError, got \(String(describing: error))")
            return
        }
    }

    @Test("After shutdown, a client ends new streams with .cancelled")
    func shutdownClient() async throws {
        let own = Client()
        own.shutdown()
        let error = await transferError { try await own.send(Request(url: "http://127.0.0.1:9/")) }
        #expect(error == .cancelled)
    }
}

// MARK: - Helpers

/// Runs `body` and returns the `TransferError` it threw (nil when it did not throw).
private func transferError<T>(_ body: () async throws -> T) async -> TransferError? {
    do {
        _ = try await body()
        return nil
    } catch let error as TransferError {
        return error
    } catch {
        Issue.record("not a TransferError: \(error)")
        return nil
    }
}

/// Polls `condition` without blocking the concurrency pool.
private func waitFor(seconds: Double, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

private func chunk(_ s: String) -> String {
    "\(String(s.utf8.count, radix: 16))\r\n\(s)\r\n"
}

/// A thread-safe one-way flag.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// FlyingFox on 127.0.0.1, an ephemeral port, SOMAXCONN backlog. Routes:
/// `/echo` (method, content-type, expect and body echoed), `/hop307` → `/hop308` → `/echo`, `/loop` → itself.
private func withFoxServer(_ body: (String) async throws -> Void) async throws {
    let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
    await server.appendRoute("/echo") { request in
        let data = try await request.bodyData
        return FlyingFox.HTTPResponse(statusCode: .ok, headers: [
            FlyingFox.HTTPHeader("X-Method"): request.method.rawValue,
            FlyingFox.HTTPHeader("X-Content-Type"): request.headers[.contentType] ?? "",
            FlyingFox.HTTPHeader("X-Expect"): request.headers[FlyingFox.HTTPHeader("Expect")] ?? "",
        ], body: data)
    }
    for (path, status, location) in [("/hop307", HTTPStatusCode.temporaryRedirect, "/hop308"),
                                     ("/hop308", .permanentRedirect, "/echo"),
                                     ("/loop", .found, "/loop")] {
        await server.appendRoute(HTTPRoute(path)) { request in
            _ = try await request.bodyData
            return FlyingFox.HTTPResponse(statusCode: status, headers: [.location: location])
        }
    }
    let task = Task { try await server.run() }
    do {
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port) = await server.listeningAddress else {
            throw TransferError.other(code: 0, message: "FlyingFox is not listening on IPv4")
        }
        try await body("http://127.0.0.1:\(port)")
    } catch {
        await server.stop()
        task.cancel()
        throw error
    }
    await server.stop()
    task.cancel()
}

/// A port on 127.0.0.1 that nothing listens on (bound, then closed).
private func closedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var addr = loopbackAddress(port: 0)
    try withUnsafePointer(to: &addr) { p in
        try p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            guard bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 else { throw POSIXError(.EADDRINUSE) }
        }
    }
    return boundPort(fd)
}

/// A listening socket (backlog 0) that never accepts, plus enough connections to fill its queue.
private func fullListener() throws -> (Int32, UInt16, [Int32]) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var addr = loopbackAddress(port: 0)
    let ok = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard ok == 0, listen(fd, 0) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
    let port = boundPort(fd)
    var fillers: [Int32] = []
    for _ in 0..<8 {
        let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard c >= 0 else { continue }
        var target = loopbackAddress(port: port)
        _ = withUnsafePointer(to: &target) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(c, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        fillers.append(c)
    }
    usleep(200_000)
    return (fd, port, fillers)
}
