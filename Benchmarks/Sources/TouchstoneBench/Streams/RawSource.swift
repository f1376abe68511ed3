import BenchStreams
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on plain sockets, one thread per connection, for the streams the
/// emulator is not meant for: gigabytes as fast as loopback goes, endless streams, stalls,
/// and events on an exact clock. The mode is the first path segment, so a base URL such as
/// `http://127.0.0.1:PORT/fast/1000000000/v1` makes every `POST …/chat/completions` that stream:
///
/// - `/fast/BYTES/…`: chat chunks as fast as the socket takes them, BYTES in all (0: endless), then `[DONE]`.
/// - `/trickle/MS/…`: one chat chunk every MS milliseconds, endless.
/// - `/stall/N/…`: N chat chunks, then silence with the connection open.
/// - `/timed/DELAY/GAP/…`: the head DELAY ms after the request, then a 19-word answer with one
///   event every GAP ms, on an absolute clock (no drift), usage when asked, `[DONE]`.
/// - `/canned/…`: a small non-stream chat completion (keep-alive), for per-request overhead.
///
/// Any other request (GET `/models`, …) gets a small JSON body.
final class RawSource: @unchecked Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Child.Failure(description: "socket: \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else { throw Child.Failure(description: "bind/listen: \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Accepts forever, one thread per connection.
    func serve() -> Never {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { RawConnection(fd: fd).serve() }
        }
    }
}

private struct RawConnection {
    let fd: Int32

    struct Closed: Error {}

    func serve() {
        defer { close(fd) }
        var buffer: [UInt8] = []
        do {
            while true {
                guard let (head, body) = try readRequest(&buffer) else { return }
                try respond(head: head, body: body)
            }
        } catch {
            return
        }
    }

    /// The request line + headers (lower-cased names) and body, or nil at a clean close.
    private func readRequest(_ buffer: inout [UInt8]) throws -> (String, [UInt8])? {
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    end = i
                    break
                }
            }
            if end != nil { break }
            guard try fill(&buffer) else {
                if buffer.isEmpty { return nil }
                throw Closed()
            }
        }
        let head = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var length = 0
        for line in head.split(separator: "\r\n").dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        while buffer.count < length {
            guard try fill(&buffer) else { throw Closed() }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (head, body)
    }

    private func fill(_ buffer: inout [UInt8]) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
        if n < 0 { throw Closed() }
        if n == 0 { return false }
        buffer += chunk[..<n]
        return true
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        try bytes.withUnsafeBytes { p in
            while sent < p.count {
                let n = send(fd, p.baseAddress! + sent, p.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    throw Closed()
                }
                sent += n
            }
        }
    }

    /// One HTTP chunk.
    private func chunk(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + [13, 10]
    }

    private static let streamHead = Array("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n".utf8)
    private static let lastChunk = Array("0\r\n\r\n".utf8)

    private func json(_ status: Int, _ body: String) throws {
        let bytes = Array(body.utf8)
        try write(Array("HTTP/1.1 \(status) \(status == 200 ? "OK" : "Not Found")\r\ncontent-type: application/json\r\ncontent-length: \(bytes.count)\r\n\r\n".utf8) + bytes)
    }

    private func respond(head: String, body: [UInt8]) throws {
        let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let parts = requestLine.split(separator: " ")
        let method = parts.first.map(String.init) ?? ""
        let path = parts.count > 1 ? String(parts[1]) : "/"
        let segments = path.split(separator: "/").map(String.init)
        let mode = segments.first ?? ""
        func number(_ i: Int) -> Int { segments.count > i ? Int(segments[i]) ?? 0 : 0 }
        guard method == "POST", path.hasSuffix("/chat/completions") else {
            try json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"bench-model\",\"object\":\"model\",\"created\":0,\"owned_by\":\"bench\"}]}")
            return
        }
        switch mode {
        case "fast": try fast(total: number(1))
        case "trickle": try trickle(gapMs: max(1, number(1)))
        case "stall": try stall(events: number(1))
        case "timed": try timed(delayMs: number(1), gapMs: number(2), usage: body.contains(subsequence: Array("include_usage".utf8)))
        default:
            try json(200, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! I am a canned answer.\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6,\"total_tokens\":15}}")
        }
    }

    /// `total` bytes of chat chunks (0: endless) in 1 MiB blocks, then `[DONE]`.
    private func fast(total: Int) throws {
        try write(Self.streamHead)
        var g = ChatChunks()
        var block: [UInt8] = g.roleEvent()
        while block.count < 1 << 20 { block += g.contentEvent() }
        let framed = chunk(block)
        var sent = 0
        while total == 0 || sent + block.count <= total {
            try write(framed)
            sent += block.count
        }
        var tail: [UInt8] = []
        while sent + tail.count < total { tail += g.contentEvent() }
        tail += g.finishEvent() + ChatChunks.done
        try write(chunk(tail) + Self.lastChunk)
    }

    private func trickle(gapMs: Int) throws {
        try write(Self.streamHead)
        var g = ChatChunks()
        try write(chunk(g.roleEvent()))
        while true {
            usleep(UInt32(gapMs * 1000))
            try write(chunk(g.contentEvent()))
        }
    }

    private func stall(events: Int) throws {
        try write(Self.streamHead)
        var g = ChatChunks()
        var first = g.roleEvent()
        for _ in 0..<max(0, events - 1) { first += g.contentEvent() }
        try write(chunk(first))
        // Silence until the client gives up and closes.
        var b = [UInt8](repeating: 0, count: 16)
        while b.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, 16, 0) }) > 0 {}
        throw Closed()
    }

    /// The emulator's answer shape (role, 19 words, finish, usage when asked, `[DONE]`) on an
    /// absolute schedule: head at +DELAY, event k at +DELAY + k·GAP.
    private func timed(delayMs: Int, gapMs: Int, usage: Bool) throws {
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        func sleep(untilMs ms: Int) {
            var t = start
            let ns = Int(t.tv_nsec) + (ms % 1000) * 1_000_000
            t.tv_sec += ms / 1000 + ns / 1_000_000_000
            t.tv_nsec = ns % 1_000_000_000
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nil) == EINTR {}
        }
        var g = ChatChunks()
        let words = "Hello! I am the Touchstone emulator, a deterministic stand-in model, and I answer every prompt with this same sentence."
            .split(separator: " ")
        var events: [[UInt8]] = [g.roleEvent()]
        for (i, w) in words.enumerated() {
            _ = g.contentEvent()
            events.append(Array("data: {\"id\":\"\(g.id)\",\"object\":\"chat.completion.chunk\",\"created\":\(ChatChunks.created),\"model\":\"\(ChatChunks.model)\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(i == 0 ? "" : " ")\(w)\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n".utf8))
        }
        events.append(g.finishEvent())
        if usage { events.append(g.usageEvent(completionTokens: words.count)) }
        events.append(ChatChunks.done)
        sleep(untilMs: delayMs)
        try write(Self.streamHead + chunk(events[0]))
        for k in 1..<events.count {
            sleep(untilMs: delayMs + k * gapMs)
            try write(chunk(events[k]) + (k == events.count - 1 ? Self.lastChunk : []))
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence s: [UInt8]) -> Bool {
        guard !s.isEmpty, count >= s.count else { return false }
        for i in 0...(count - s.count) where self[i] == s[0] && Array(self[i..<i + s.count]) == s { return true }
        return false
    }
}
