import Foundation

/// An incremental `text/event-stream` parser following the WHATWG HTML Living Standard
/// ("Interpreting an event stream"), that also records protocol violations.
///
/// Feed network chunks in any split with `feed(_:)`, then call `finish()` at end of stream.
/// - Lines end with LF, CR or CRLF; a CR ending one chunk and an LF starting the next are one
///   line ending. A UTF-8 BOM at the start of the stream is skipped (even split across chunks).
/// - `field:value` (one space after the colon removed); a line without a colon is a field with
///   an empty value; lines starting with `:` are comments (counted; the first few kept).
/// - `data` lines join with "\n"; `event` sets the type (empty → "message"); `id` sets the last
///   event ID unless it contains NUL; `retry` is honoured only when it is all ASCII digits.
/// - A blank line dispatches the block when it had at least one `data` line; otherwise the
///   block is discarded. At end of stream an unfinished block is NOT dispatched (reported as
///   `incompleteEventAtEOF`), unless `Configuration.dispatchIncompleteEventAtEOF` is set.
/// - Lines are scanned with `memchr`; Strings are built only for event types, ids and evidence.
///
/// Memory is bounded: a line longer than `maxLineLength` is dropped (`lineTooLong`), an
/// event's data longer than `maxEventLength` drops that event (`eventTooLong`), and at most
/// `maxRecordedViolations` violations are kept (`violationCounts` counts all of them).
public struct SSEParser: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var maxLineLength: Int
        public var maxEventLength: Int
        public var maxRecordedViolations: Int
        public var maxRecordedUnknownFields: Int
        public var maxRecordedComments: Int
        /// Comments and `error:` values are kept as excerpts of at most this many bytes.
        public var maxEvidenceLength: Int
        /// Lenient mode: `finish()` dispatches a block that has data but no closing blank line
        /// (still reported as `incompleteEventAtEOF`). Off by default, as in WHATWG.
        public var dispatchIncompleteEventAtEOF: Bool

        public init(maxLineLength: Int = 8 << 20, maxEventLength: Int = 64 << 20,
                    maxRecordedViolations: Int = 256, maxRecordedUnknownFields: Int = 16,
                    maxRecordedComments: Int = 8, maxEvidenceLength: Int = 200,
                    dispatchIncompleteEventAtEOF: Bool = false)
        {
            self.maxLineLength = maxLineLength
            self.maxEventLength = maxEventLength
            self.maxRecordedViolations = maxRecordedViolations
            self.maxRecordedUnknownFields = maxRecordedUnknownFields
            self.maxRecordedComments = maxRecordedComments
            self.maxEvidenceLength = maxEvidenceLength
            self.dispatchIncompleteEventAtEOF = dispatchIncompleteEventAtEOF
        }
    }

    static let doneSentinel: [UInt8] = Array("[DONE]".utf8)

    public let configuration: Configuration
    /// Recorded violations, in stream order (at most `maxRecordedViolations`).
    public private(set) var violations: [SSEViolation] = []
    /// Every violation seen, recorded or not, by `SSEViolation.kind`.
    public private(set) var violationCounts: [String: Int] = [:]
    public private(set) var commentCount = 0
    /// The text of the first comments (after the colon and one optional space), as excerpts.
    public private(set) var comments: [String] = []
    /// True once an event whose data is exactly `[DONE]` has been dispatched.
    public private(set) var sawDone = false
    /// Events dispatched so far.
    public private(set) var eventCount = 0
    /// Lines seen (blank, comment and field lines, including dropped ones).
    public private(set) var lineCount = 0
    /// Every byte fed so far, BOM included.
    public private(set) var bytesConsumed = 0
    /// The last event ID buffer; nil until an `id` field has been seen.
    public private(set) var lastEventID: String?
    /// The last valid `retry` value (milliseconds).
    public private(set) var reconnectionTime: Int?
    public private(set) var isFinished = false

    // Line assembly across chunks.
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var pendingStart = 0
    private var discarding = false
    /// The length so far of the too-long line being discarded, and where its violation was
    /// recorded: the violation gets the whole length when the line ends, so it is the same
    /// however the stream was split into chunks.
    private var discardedLength = 0
    private var discardedViolation: Int?
    private var skipLF = false
    private var bomMatched = 0  // bytes of a BOM matched at stream start; -1 once decided
    // The block being accumulated.
    private var dataBuffer: [UInt8] = []
    private var dataLines = 0
    private var eventType: String?
    private var blockRetry: Int?
    private var blockStart: Int?
    private var droppingEvent = false
    private var unknownFieldsRecorded = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Parses a whole stream at once.
    public static func parse(_ bytes: some Collection<UInt8>, configuration: Configuration = Configuration())
        -> (events: [SSEEvent], parser: SSEParser)
    {
        var parser = SSEParser(configuration: configuration)
        var events = parser.feed(bytes)
        events += parser.finish()
        return (events, parser)
    }

    /// Consumes the next chunk of the stream; returns the events it completes.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        UTF8Scan.withBytes(bytes) { p in feed(buffer: p) }
    }

    public mutating func feed(buffer p: UnsafeBufferPointer<UInt8>) -> [SSEEvent] {
        guard !isFinished else { return [] }
        var events: [SSEEvent] = []
        let base = bytesConsumed
        bytesConsumed += p.count
        var start = 0
        if bomMatched >= 0 {
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while start < p.count && bomMatched < 3 && p[start] == bom[bomMatched] {
                bomMatched += 1
                start += 1
            }
            if bomMatched == 3 {
                bomMatched = -1
            } else if start == p.count {
                return []  // still a possible BOM: wait for more bytes
            } else {
                // Not a BOM: the bytes held back are ordinary input at offset 0.
                let held = Array(bom[0..<bomMatched])
                bomMatched = -1
                held.withUnsafeBufferPointer { scan($0, from: 0, base: 0, events: &events) }
            }
        }
        scan(p, from: start, base: base, events: &events)
        return events
    }

    /// Ends the stream. Under WHATWG rules an unfinished block is discarded, so this returns
    /// no event unless `dispatchIncompleteEventAtEOF` is set.
    public mutating func finish() -> [SSEEvent] {
        guard !isFinished else { return [] }
        var events: [SSEEvent] = []
        if bomMatched > 0 {
            let held = Array([UInt8](arrayLiteral: 0xEF, 0xBB, 0xBF)[0..<bomMatched])
            held.withUnsafeBufferPointer { scan($0, from: 0, base: 0, events: &events) }
        }
        bomMatched = -1
        isFinished = true
        skipLF = false
        if discarding {
            discarding = false
            endDiscardedLine(length: discardedLength)
        } else if !pending.isEmpty {
            // An unterminated last line: looked at for the report, never dispatched on its own.
            processPending(events: &events)
        }
        if dataLines > 0 || droppingEvent {
            record(.incompleteEventAtEOF(offset: blockStart ?? pendingStart))
            if configuration.dispatchIncompleteEventAtEOF { dispatch(events: &events) }
        }
        resetBlock()
        return events
    }

    // MARK: - Lines

    private mutating func scan(_ p: UnsafeBufferPointer<UInt8>, from: Int, base: Int, events: inout [SSEEvent]) {
        guard let ptr = p.baseAddress else { return }
        let end = p.count
        var i = from
        if skipLF && i < end {
            skipLF = false
            if p[i] == 0x0A { i += 1 }
        }
        var nextCR = -1  // position of the next CR at or after i, or `end` when none
        while i < end {
            if nextCR < i {
                if let cr = memchr(ptr + i, 0x0D, end - i) {
                    nextCR = UnsafeRawPointer(cr).assumingMemoryBound(to: UInt8.self) - ptr
                } else {
                    nextCR = end
                }
            }
            let searchEnd = nextCR
            var eol = searchEnd
            if searchEnd > i, let lf = memchr(ptr + i, 0x0A, searchEnd - i) {
                eol = UnsafeRawPointer(lf).assumingMemoryBound(to: UInt8.self) - ptr
            }
            if eol == end {
                appendPending(UnsafeBufferPointer(rebasing: p[i..<end]), offset: base + i)
                return
            }
            // A complete line p[i..<eol] (joined to any pending bytes).
            if discarding {
                discarding = false
                lineCount += 1
                endDiscardedLine(length: discardedLength + eol - i)
            } else if pending.isEmpty {
                let length = eol - i
                if length > configuration.maxLineLength {
                    lineCount += 1
                    record(.lineTooLong(offset: base + i, length: length))
                } else {
                    processLine(UnsafeBufferPointer(rebasing: p[i..<eol]), offset: base + i, events: &events)
                }
            } else if pending.count + (eol - i) > configuration.maxLineLength {
                lineCount += 1
                record(.lineTooLong(offset: pendingStart, length: pending.count + eol - i))
                pending.removeAll(keepingCapacity: false)
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<eol]))
                processPending(events: &events)
            }
            if p[eol] == 0x0D {
                if eol + 1 < end {
                    i = p[eol + 1] == 0x0A ? eol + 2 : eol + 1
                } else {
                    skipLF = true
                    i = eol + 1
                }
            } else {
                i = eol + 1
            }
        }
    }

    private mutating func appendPending(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int) {
        if discarding {
            discardedLength += bytes.count
            return
        }
        if pending.isEmpty { pendingStart = offset }
        if pending.count + bytes.count > configuration.maxLineLength {
            discardedLength = pending.count + bytes.count
            let recorded = violations.count
            record(.lineTooLong(offset: pendingStart, length: discardedLength))
            discardedViolation = violations.count > recorded ? recorded : nil
            pending.removeAll(keepingCapacity: false)
            discarding = true
            return
        }
        pending.append(contentsOf: bytes)
    }

    /// The discarded line ended: its violation gets the line's whole length.
    private mutating func endDiscardedLine(length: Int) {
        if let k = discardedViolation { violations[k] = .lineTooLong(offset: pendingStart, length: length) }
        discardedViolation = nil
        discardedLength = 0
    }

    private mutating func processPending(events: inout [SSEEvent]) {
        var line = spare
        swap(&line, &pending)
        let offset = pendingStart
        line.withUnsafeBufferPointer { processLine($0, offset: offset, events: &events) }
        line.removeAll(keepingCapacity: line.capacity <= 1 << 16)
        spare = line
    }

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, offset: Int, events: inout [SSEEvent]) {
        lineCount += 1
        let count = line.count
        guard count > 0, let base = line.baseAddress else {
            dispatch(events: &events)
            return
        }
        if memchr(base, 0, count) != nil { record(.nulByte(offset: offset)) }
        if UTF8Scan.firstInvalid(line, from: 0, to: count) != nil { record(.invalidUTF8(offset: offset)) }

        if line[0] == UInt8(ascii: ":") {
            commentCount += 1
            if comments.count < configuration.maxRecordedComments {
                comments.append(evidence(SSEParser.value(line, afterColonAt: 0)))
            }
            return
        }
        if blockStart == nil { blockStart = offset }
        let colon: Int
        if let c = memchr(base, Int32(UInt8(ascii: ":")), count) {
            colon = UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self) - base
        } else {
            colon = count
        }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        let value = colon < count ? SSEParser.value(line, afterColonAt: colon) : UnsafeBufferPointer(rebasing: line[count...])

        if SSEParser.equals(name, "data") {
            if droppingEvent { return }
            if dataBuffer.count + value.count + 1 > configuration.maxEventLength {
                record(.eventTooLong(offset: blockStart ?? offset))
                droppingEvent = true
                dataBuffer = []
                return
            }
            if dataLines > 0 { dataBuffer.append(0x0A) }
            dataBuffer.append(contentsOf: value)
            dataLines += 1
        } else if SSEParser.equals(name, "event") {
            eventType = String(decoding: value, as: UTF8.self)
        } else if SSEParser.equals(name, "id") {
            if let vb = value.baseAddress, memchr(vb, 0, value.count) != nil { return }
            lastEventID = String(decoding: value, as: UTF8.self)
        } else if SSEParser.equals(name, "retry") {
            guard !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return }
            var v = 0
            for d in value {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(d - 0x30))
                if o1 || o2 { return }
                v = a
            }
            reconnectionTime = v
            blockRetry = v
        } else if SSEParser.equals(name, "error") {
            record(.errorField(value: evidence(value), offset: offset))
        } else {
            if unknownFieldsRecorded < configuration.maxRecordedUnknownFields {
                unknownFieldsRecorded += 1
                record(.unknownField(name: TextSanitizer.excerpt(name, limit: 64), offset: offset))
            } else {
                violationCounts["unknown_field", default: 0] += 1
            }
        }
    }

    /// The value after the colon at `colon`, without one leading space.
    @inline(__always)
    private static func value(_ line: UnsafeBufferPointer<UInt8>, afterColonAt colon: Int) -> UnsafeBufferPointer<UInt8> {
        var start = colon + 1
        if start < line.count && line[start] == 0x20 { start += 1 }
        return UnsafeBufferPointer(rebasing: line[start...])
    }

    @inline(__always)
    private static func equals(_ name: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard name.count == n, let b = name.baseAddress else { return false }
        return memcmp(b, s.utf8Start, n) == 0
    }

    private func evidence(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        TextSanitizer.excerpt(bytes, limit: configuration.maxEvidenceLength)
    }

    // MARK: - Events

    private mutating func dispatch(events: inout [SSEEvent]) {
        defer { resetBlock() }
        guard dataLines > 0, !droppingEvent else { return }
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        let event = SSEEvent(event: type, dataBytes: dataBuffer, id: lastEventID, retry: blockRetry,
                             index: eventCount, byteOffset: blockStart ?? 0)
        if sawDone { record(.dataAfterDone(eventIndex: eventCount, offset: event.byteOffset)) }
        if event.isDone { sawDone = true }
        eventCount += 1
        events.append(event)
    }

    private mutating func resetBlock() {
        dataBuffer = []
        dataLines = 0
        eventType = nil
        blockRetry = nil
        blockStart = nil
        droppingEvent = false
    }

    private mutating func record(_ violation: SSEViolation) {
        violationCounts[violation.kind, default: 0] += 1
        if violations.count < configuration.maxRecordedViolations {
            violations.append(violation)
        }
    }
}
