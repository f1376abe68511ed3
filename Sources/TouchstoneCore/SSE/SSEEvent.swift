/// One dispatched server-sent event.
public struct SSEEvent: Sendable, Hashable {
    /// The event type: the last `event:` field of the block, or "message".
    public var event: String
    /// The data lines joined with "\n", as raw bytes (parse JSON straight from these).
    public var dataBytes: [UInt8]
    /// The last event ID at dispatch time (it persists across events, as in WHATWG);
    /// nil until an `id:` field has been seen.
    public var id: String?
    /// The `retry:` value given in this event's block, if any.
    public var retry: Int?
    /// Zero-based index among dispatched events.
    public var index: Int
    /// Byte offset in the stream (BOM included) of the first field line (comments excluded) of the event's block.
    public var byteOffset: Int

    public init(event: String = "message", dataBytes: [UInt8], id: String? = nil, retry: Int? = nil,
                index: Int = 0, byteOffset: Int = 0)
    {
        self.event = event
        self.dataBytes = dataBytes
        self.id = id
        self.retry = retry
        self.index = index
        self.byteOffset = byteOffset
    }

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil,
                index: Int = 0, byteOffset: Int = 0)
    {
        self.init(event: event, dataBytes: Array(data.utf8), id: id, retry: retry, index: index, byteOffset: byteOffset)
    }

    /// The data decoded as UTF-8, invalid sequences replaced by U+FFFD.
    public var data: String { String(decoding: dataBytes, as: UTF8.self) }

    /// True when the data is exactly `[DONE]` (the OpenAI end-of-stream sentinel).
    public var isDone: Bool { dataBytes.elementsEqual(SSEParser.doneSentinel) }
}

/// A protocol problem seen in an event stream. Reported, never thrown.
public enum SSEViolation: Sendable, Hashable, CustomStringConvertible {
    /// An event was dispatched after one whose data was exactly `[DONE]`.
    case dataAfterDone(eventIndex: Int, offset: Int)
    /// A line with the field name `error` (old llama.cpp builds), which clients ignore.
    case errorField(value: String, offset: Int)
    /// A field other than data/event/id/retry/error (clients ignore it).
    case unknownField(name: String, offset: Int)
    /// A line that is not valid UTF-8 (decoded with U+FFFD replacement).
    case invalidUTF8(offset: Int)
    /// A line containing a NUL byte.
    case nulByte(offset: Int)
    /// The stream ended inside an event (data lines without the closing blank line):
    /// the event is not dispatched.
    case incompleteEventAtEOF(offset: Int)
    /// A line longer than the configured maximum (`length`: its whole length, without the line
    /// ending); it was dropped.
    case lineTooLong(offset: Int, length: Int)
    /// An event's data grew past the configured maximum; the event was dropped.
    case eventTooLong(offset: Int)

    /// A stable identifier of the kind, for reports: `data_after_done`, `error_field`, …
    public var kind: String {
        switch self {
        case .dataAfterDone: "data_after_done"
        case .errorField: "error_field"
        case .unknownField: "unknown_field"
        case .invalidUTF8: "invalid_utf8"
        case .nulByte: "nul_byte"
        case .incompleteEventAtEOF: "incomplete_event_at_eof"
        case .lineTooLong: "line_too_long"
        case .eventTooLong: "event_too_long"
        }
    }

    /// Byte offset in the stream (BOM included) of the line or event concerned.
    public var offset: Int {
        switch self {
        case .dataAfterDone(_, let o), .errorField(_, let o), .unknownField(_, let o), .invalidUTF8(let o),
             .nulByte(let o), .incompleteEventAtEOF(let o), .lineTooLong(let o, _), .eventTooLong(let o):
            o
        }
    }

    public var description: String {
        switch self {
        case .dataAfterDone(let index, let o): "event #\(index) at byte \(o) dispatched after data: [DONE]"
        case .errorField(let value, let o): "'error:' field at byte \(o): \(value)"
        case .unknownField(let name, let o): "unknown field '\(name)' at byte \(o)"
        case .invalidUTF8(let o): "invalid UTF-8 in the line at byte \(o)"
        case .nulByte(let o): "NUL byte in the line at byte \(o)"
        case .incompleteEventAtEOF(let o): "stream ended inside the event starting at byte \(o) (no blank line)"
        case .lineTooLong(let o, let length): "line at byte \(o) longer than the limit (\(length) bytes), dropped"
        case .eventTooLong(let o): "event at byte \(o) longer than the limit, dropped"
        }
    }
}
