import FlyingSocks
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivering a reply the way a fault says (`Delivery.Mode`). Every mode but `normal` leaves the
/// connection to be closed afterwards (returns false), as a broken server would.
extension Connection {
    /// Writes `delivery`; returns whether the connection stays open.
    func deliver(_ delivery: Delivery, keepAlive: Bool) async throws -> Bool {
        let wire = Wire(delivery.reply, extraHead: delivery.extraHead)
        switch delivery.mode {
        case .normal:
            return try await write(delivery.reply, keepAlive: keepAlive, extraHead: delivery.extraHead)
        case .raw(let bytes):
            try await socket.write(Data(bytes))
            return false
        case .stallBeforeHead:
            await waitForClientToLeave()
            return false
        case .resetAfterHead:
            try await socket.write(wire.head)
            // Let the head reach the client before the reset, so it meets the RST after the headers.
            try await Task.sleep(for: .milliseconds(100))
            resetOnClose()
            return false
        case .closeMidway:
            try await socket.write(wire.head + wire.midway)
            return false
        case .stallMidway:
            try await socket.write(wire.head + wire.midway)
            await waitForClientToLeave()
            return false
        case .drip:
            try await socket.write(wire.head)
            for byte in wire.body + wire.end {
                try await Task.sleep(for: .seconds(1))
                try await socket.write(Data([byte]))
            }
            return keepAlive
        case .huge(let size):
            try await writeHuge(delivery.reply, size: size, extraHead: delivery.extraHead)
            return keepAlive
        case .endless:
            try await writeEndless(wire)
            return false
        case .truncatedChunk:
            try await socket.write(wire.truncatedChunk)
            return false
        }
    }

    /// Returns when the client closes the connection (or the server stops): a stalled server
    /// holds the connection without a byte until the client gives up.
    private func waitForClientToLeave() async {
        while !Task.isCancelled {
            guard let bytes = try? await socket.read(atMost: 4096), !bytes.isEmpty else { return }
        }
    }

    /// Makes the coming close send a TCP RST (SO_LINGER with a zero timeout) instead of a FIN.
    private func resetOnClose() {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(socket.socket.file.rawValue, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    /// A JSON document of `size` bytes (`{"object":"list","data":[],"padding":"aaa…"}`) behind
    /// `Content-Length: size`, written in 1 MiB slices so the emulator never holds it whole.
    private func writeHuge(_ reply: Reply, size: Int, extraHead: [UInt8]) async throws {
        guard case .full(let status, let headers, _) = reply else { return }
        let prefix = Data(#"{"object":"list","data":[],"padding":""#.utf8)
        let suffix = Data(#""}"#.utf8)
        try await socket.write(Connection.head(status, headers + [("content-length", String(size))], extra: extraHead)
                               + prefix)
        let slice = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        var left = size - prefix.count - suffix.count
        while left > 0 {
            let n = min(left, slice.count)
            try await socket.write(n == slice.count ? slice : slice.prefix(n))
            left -= n
        }
        try await socket.write(suffix)
    }

    /// The head, the stream's first two events, then its first content event again and again
    /// (about 64 KiB per write) until the client leaves. A full reply becomes a chunked body
    /// followed by endless spaces.
    private func writeEndless(_ wire: Wire) async throws {
        try await socket.write(wire.chunkedHead + wire.chunks.prefix(2).reduce(Data(), +))
        let repeated = wire.chunks.count > 1 ? wire.chunks[1] : Wire.chunk(Array(repeating: 0x20, count: 1024))
        var batch = Data()
        while batch.count < 64 << 10 { batch += repeated }
        while !Task.isCancelled {
            try await socket.write(batch)
        }
    }
}

/// The bytes of one reply as a fault needs them: the head, the body (a full body, or the
/// stream's events each framed as an HTTP chunk) and the end (the last chunk of a stream).
struct Wire {
    /// The head as the reply would send it (`Content-Length` or chunked).
    let head: Data
    /// The same head announcing a chunked body.
    let chunkedHead: Data
    /// Full reply: the body. Stream: every event framed as a chunk.
    let body: [UInt8]
    /// Stream: every event framed as a chunk. Full reply: the body as one chunk.
    let chunks: [Data]
    let end: [UInt8]
    /// What the "midway" modes send after the head: half the body, or the first events.
    let midway: Data
    /// A chunked head, the first events, then a chunk declaring its size with half its bytes.
    let truncatedChunk: Data

    init(_ reply: Reply, extraHead: [UInt8]) {
        switch reply {
        case .full(let status, let headers, let body):
            head = Connection.head(status, headers + [("content-length", String(body.count))], extra: extraHead)
            chunkedHead = Connection.head(status, headers + [("transfer-encoding", "chunked")], extra: extraHead)
            self.body = body
            chunks = [Wire.chunk(body)]
            end = []
            midway = Data(body.prefix(body.count / 2))
            let size = Data((String(body.count, radix: 16) + "\r\n").utf8)
            truncatedChunk = chunkedHead + size + Data(body.prefix(body.count / 2))
        case .stream(let status, let headers, let events):
            head = Connection.head(status, headers + [("transfer-encoding", "chunked")], extra: extraHead)
            chunkedHead = head
            chunks = events.map(Wire.chunk)
            body = chunks.reduce([UInt8]()) { $0 + $1 }
            end = Array("0\r\n\r\n".utf8)
            let sent = min(Delivery.eventsBeforeFault, max(0, events.count - 1))
            midway = chunks.prefix(sent).reduce(Data(), +)
            let cut = events.indices.contains(sent) ? events[sent] : Array("data: {}\n\n".utf8)
            let size = Data((String(cut.count, radix: 16) + "\r\n").utf8)
            truncatedChunk = head + midway + size + Data(cut.prefix(cut.count / 2))
        case .drop:
            head = Data()
            chunkedHead = Data()
            body = []
            chunks = []
            end = []
            midway = Data()
            truncatedChunk = Data()
        }
    }

    static func chunk(_ bytes: [UInt8]) -> Data {
        var data = Data(String(bytes.count, radix: 16).utf8)
        data.append(contentsOf: [13, 10])
        data.append(contentsOf: bytes)
        data.append(contentsOf: [13, 10])
        return data
    }
}
