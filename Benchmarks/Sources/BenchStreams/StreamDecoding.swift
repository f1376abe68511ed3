import Foundation
import TouchstoneCore

/// Touchstone's per-event stream work, as the engine's transport does it for every event it
/// keeps: SSE parsing, the event's JSON parsed into a `JSONValue`, its text kept as a String.
/// (The transport keeps and parses the first 4096 events of a stream and counts the rest; here
/// every event is parsed, so the figure is the cost of full decoding.)
public enum StreamDecoding {
    public struct Result: Codable, Sendable {
        public var bytes: Int
        public var events: Int
        public var seconds: Double
        public var mbPerSecond: Double { Double(bytes) / 1e6 / seconds }
        public var eventsPerSecond: Double { Double(events) / seconds }
    }

    /// Splits a recorded stream into network-sized pieces (as curl hands them over).
    public static func pieces(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min(bytes.count, $0 + size)]) }
    }

    public static func decode(_ pieces: [[UInt8]]) -> Result {
        let bytes = pieces.reduce(0) { $0 + $1.count }
        let started = DispatchTime.now().uptimeNanoseconds
        var parser = SSEParser()
        var events = 0, parsed = 0, textBytes = 0
        func take(_ evs: [SSEEvent]) {
            for e in evs {
                events += 1
                if e.isDone { continue }
                if let v = try? JSONParser.parse(e.dataBytes), case .object = v { parsed += 1 }
                textBytes &+= String(decoding: e.dataBytes.prefix(65536), as: UTF8.self).utf8.count
            }
        }
        for p in pieces { take(parser.feed(p)) }
        take(parser.finish())
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        precondition(parsed == events - 1 && textBytes > 0, "the recorded stream did not decode")
        return Result(bytes: bytes, events: events, seconds: seconds)
    }
}

/// The recorded stream: generated once, deterministically, and kept as a file so that both
/// decoders read the very same bytes.
public enum StreamFile {
    public static func load(_ path: String, megabytes: Int) throws -> [UInt8] {
        if let d = FileManager.default.contents(atPath: path), d.count >= megabytes * 1_000_000 {
            return [UInt8](d)
        }
        let (bytes, _) = ChatChunks.stream(bytes: megabytes * 1_000_000)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return bytes
    }
}
