import FlyingSocks
import Foundation

/// One client connection: reads HTTP/1.1 requests (Content-Length or chunked bodies, with
/// `Expect: 100-continue`), asks the emulator for replies and writes them, until the client
/// closes, asks to close, or a reply drops the connection.
struct Connection {
    let socket: AsyncSocket
    let emulator: Emulator
    /// The fault this server injects, if any (`Connection+Faults.swift` delivers it).
    var fault: Fault? = nil
    /// Told `METHOD path` of every request read (the server's request log).
    var onRequest: @Sendable (String) -> Void = { _ in }
    /// The model slot, when the server has one (`Knobs.slots`).
    var slot: SlotGate? = nil

    static let maxHeadBytes = 64 * 1024
    static let maxBodyBytes = 16 * 1024 * 1024

    enum Failure: Error {
        case closed
        case malformed(String)
        case tooLarge(Int)
    }

    func serve() async {
        defer { try? socket.close() }
        var reader = Reader(socket: socket)
        while !Task.isCancelled {
            do {
                guard let request = try await reader.readRequest(onExpectContinue: {
                    try await socket.write(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }) else { return }
                onRequest("\(request.method) \(request.path)")
                // A single-slot server: the model request waits for the slot, holds it while
                // its answer is written, and gives it to the next one.
                let gate = emulator.takesSlot(request) ? slot : nil
                await gate?.enter()
                defer { gate?.leave() }
                let reply = emulator.reply(to: request)
                let delay = emulator.knobs.responseDelay.milliseconds
                if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
                let keepOpen: Bool
                if let fault {
                    keepOpen = try await deliver(fault.delivery(of: reply, to: request, emulator: emulator),
                                                 keepAlive: request.keepsAlive)
                } else {
                    keepOpen = try await write(reply, keepAlive: request.keepsAlive, slot: gate)
                }
                if !keepOpen { return }
            } catch Failure.malformed(let why) {
                _ = try? await write(.full(status: 400, headers: [("content-type", "text/plain")], body: Array("\(why)\n".utf8)),
                                     keepAlive: false)
                return
            } catch Failure.tooLarge(let status) {
                _ = try? await write(.full(status: status, headers: [], body: []), keepAlive: false)
                return
            } catch {
                return
            }
        }
    }

    /// Writes a reply; returns whether the connection stays open. A stream holding `slot` ends
    /// early, after its first event, with `data: [DONE]` and no finish_reason as soon as another
    /// request waits for the slot (what a single-slot llama-server did to a running stream).
    func write(_ reply: Reply, keepAlive: Bool, extraHead: [UInt8] = [], slot: SlotGate? = nil) async throws -> Bool {
        switch reply {
        case .drop:
            return false
        case .full(let status, let headers, let body):
            var head = headers
            head.append(("content-length", String(body.count)))
            if !keepAlive { head.append(("connection", "close")) }
            try await socket.write(Self.head(status, head, extra: extraHead) + Data(body))
            return keepAlive
        case .stream(let status, let headers, let events):
            var head = headers
            head.append(("transfer-encoding", "chunked"))
            if !keepAlive { head.append(("connection", "close")) }
            try await socket.write(Self.head(status, head, extra: extraHead))
            let gap = UInt64(emulator.knobs.chunkDelay.milliseconds) * 1_000_000
            for (k, var event) in events.enumerated() {
                if k > 0, gap > 0 { try await Task.sleep(nanoseconds: gap) }
                let cut = k > 0 && slot?.contended == true
                if cut { event = Array("data: [DONE]\n\n".utf8) }
                var chunk = Data(String(event.count, radix: 16).utf8)
                chunk.append(contentsOf: [13, 10])
                chunk.append(contentsOf: event)
                chunk.append(contentsOf: [13, 10])
                try await socket.write(chunk)
                if cut { break }
            }
            try await socket.write(Data("0\r\n\r\n".utf8))
            return keepAlive
        }
    }

    /// The status line and headers; `extra` holds raw header lines (fault injection) put last.
    static func head(_ status: Int, _ headers: [(name: String, value: String)], extra: [UInt8] = []) -> Data {
        var text = "HTTP/1.1 \(status) \(HTTPStatus.phrase(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        var data = Data(text.utf8)
        data.append(contentsOf: extra)
        data.append(contentsOf: [13, 10])
        return data
    }

    /// Buffered reading of requests from the socket.
    struct Reader {
        let socket: AsyncSocket
        private var buffer: [UInt8] = []

        init(socket: AsyncSocket) { self.socket = socket }

        /// Reads more bytes; false at end of stream.
        private mutating func fill() async throws -> Bool {
            do {
                let bytes = try await socket.read(atMost: 64 * 1024)
                buffer.append(contentsOf: bytes)
                return !bytes.isEmpty
            } catch SocketError.disconnected {
                return false
            }
        }

        /// The next request, or nil when the client closed between requests.
        mutating func readRequest(onExpectContinue: () async throws -> Void) async throws -> HTTPRequestMessage? {
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headEnd != nil { break }
                guard buffer.count < Connection.maxHeadBytes else { throw Failure.tooLarge(431) }
                guard try await fill() else {
                    if buffer.isEmpty { return nil }
                    throw Failure.closed
                }
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            buffer.removeFirst(headEnd! + 4)

            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
            guard requestLine.count == 3 else { throw Failure.malformed("bad request line") }
            var headers: [(name: String, value: String)] = []
            for line in lines where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed("bad header line") }
                headers.append((String(line[..<colon]).lowercased(),
                                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var request = HTTPRequestMessage(method: String(requestLine[0]), target: String(requestLine[1]),
                                             version: String(requestLine[2]), headers: headers)

            let chunked = request.header("transfer-encoding")?.lowercased().contains("chunked") == true
            let length = Int(request.header("content-length") ?? "0") ?? -1
            guard length >= 0 else { throw Failure.malformed("bad content-length") }
            guard length <= Connection.maxBodyBytes else { throw Failure.tooLarge(413) }
            if request.header("expect")?.lowercased() == "100-continue", chunked || length > 0 {
                try await onExpectContinue()
            }
            request.body = chunked ? try await readChunkedBody() : try await readBytes(length)
            return request
        }

        private mutating func readBytes(_ count: Int) async throws -> [UInt8] {
            while buffer.count < count {
                guard try await fill() else { throw Failure.closed }
            }
            let bytes = Array(buffer[..<count])
            buffer.removeFirst(count)
            return bytes
        }

        private mutating func readLine() async throws -> String {
            while true {
                if let end = Self.find([13, 10], in: buffer) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self)
                    buffer.removeFirst(end + 2)
                    return line
                }
                guard buffer.count < Connection.maxHeadBytes else { throw Failure.tooLarge(431) }
                guard try await fill() else { throw Failure.closed }
            }
        }

        private mutating func readChunkedBody() async throws -> [UInt8] {
            var body: [UInt8] = []
            while true {
                let sizeField = try await readLine().split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
                guard let size = Int(sizeField, radix: 16), size >= 0 else { throw Failure.malformed("bad chunk size") }
                if size == 0 {
                    while try await !readLine().isEmpty {}  // trailers
                    return body
                }
                guard body.count + size <= Connection.maxBodyBytes else { throw Failure.tooLarge(413) }
                body += try await readBytes(size)
                _ = try await readBytes(2)  // CRLF after the chunk
            }
        }

        static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
                if Array(haystack[i..<i + needle.count]) == needle { return i }
            }
            return nil
        }
    }
}
