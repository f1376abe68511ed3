import FuzzDriver
import TouchstoneCore

/// libFuzzer entry: the input is a raw `text/event-stream` body.
///
/// Besides "no crash, no hang", it checks one property the engine relies on: network chunks
/// never line up with events, so feeding the same bytes in one piece or split anywhere must
/// give the same events, violations and counters. It checks this with the default limits and
/// with tiny ones (so the line/event caps and the violation cap are hit too).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSEParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let tiny = SSEParser.Configuration(maxLineLength: 16, maxEventLength: 40, maxRecordedViolations: 3,
                                       maxRecordedUnknownFields: 2, maxRecordedComments: 2, maxEvidenceLength: 8,
                                       dispatchIncompleteEventAtEOF: true)
    for configuration in [SSEParser.Configuration(), tiny] {
        let whole = Run(bytes, configuration: configuration, chunkSizes: [])
        // Chunk sizes derived from the input, so every input has its own deterministic splits
        // (1-byte chunks included: a CR at the end of one chunk and an LF at the start of the next).
        let seed = bytes.reduce(into: UInt64(size)) { $0 = $0 &* 31 &+ UInt64($1) }
        let sizes = (0..<8).map { k in Int((seed >> (k * 3)) & 7) + 1 }
        let split = Run(bytes, configuration: configuration, chunkSizes: sizes)
        if whole != split {
            fatalError("SSE parse differs when split into chunks of \(sizes):\nwhole: \(whole)\nsplit: \(split)")
        }
    }
    return 0
}

/// Everything a parse observably produced.
struct Run: Equatable, CustomStringConvertible {
    var events: [SSEEvent] = []
    var violations: [SSEViolation] = []
    var violationCounts: [String: Int] = [:]
    var comments: [String] = []
    var commentCount = 0
    var sawDone = false
    var eventCount = 0
    var lineCount = 0
    var bytesConsumed = 0
    var lastEventID: String?
    var reconnectionTime: Int?

    init(_ bytes: UnsafeBufferPointer<UInt8>, configuration: SSEParser.Configuration, chunkSizes: [Int]) {
        var parser = SSEParser(configuration: configuration)
        if chunkSizes.isEmpty {
            events += parser.feed(buffer: bytes)
        } else {
            var offset = 0
            var k = 0
            while offset < bytes.count {
                let n = min(chunkSizes[k % chunkSizes.count], bytes.count - offset)
                events += parser.feed(buffer: UnsafeBufferPointer(rebasing: bytes[offset..<offset + n]))
                offset += n
                k += 1
            }
        }
        events += parser.finish()
        violations = parser.violations
        violationCounts = parser.violationCounts
        comments = parser.comments
        commentCount = parser.commentCount
        sawDone = parser.sawDone
        eventCount = parser.eventCount
        lineCount = parser.lineCount
        bytesConsumed = parser.bytesConsumed
        lastEventID = parser.lastEventID
        reconnectionTime = parser.reconnectionTime
        precondition(eventCount == events.count, "eventCount \(eventCount) but \(events.count) events returned")
        precondition(bytesConsumed == bytes.count, "bytesConsumed \(bytesConsumed) of \(bytes.count)")
        precondition(violations.count <= configuration.maxRecordedViolations, "violation cap exceeded")
        precondition(violationCounts.values.reduce(0, +) >= violations.count, "uncounted violations")
        for v in violations {
            precondition(v.offset >= 0 && v.offset <= bytes.count, "violation offset \(v.offset) outside the stream")
        }
        for e in events {
            precondition(e.byteOffset >= 0 && e.byteOffset < max(1, bytes.count), "event offset \(e.byteOffset) outside the stream")
            precondition(e.dataBytes.count <= configuration.maxEventLength, "event longer than the cap")
        }
    }

    var description: String {
        "events \(events.map { "\($0.event)@\($0.byteOffset):\($0.data.debugDescription)" }), violations \(violations), "
            + "counts \(violationCounts), comments \(commentCount) \(comments), lines \(lineCount), id \(lastEventID.debugDescription), "
            + "retry \(reconnectionTime.map(String.init) ?? "nil"), done \(sawDone)"
    }
}

@_cdecl("FuzzSSEParser_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    touchstone_fuzz_main(argc, argv)
}
