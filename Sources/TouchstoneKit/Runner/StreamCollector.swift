import TouchstoneCore

/// Collects a streamed answer as it arrives: SSE events parsed from the bytes, each event's
/// JSON (while the events together stay under `JSONSize.limit`), with arrival times.
struct StreamCollector {
    private var parser = SSEParser()
    private(set) var record = StreamRecord()
    /// Set once the events' JSON together exceed what a run parses; later events keep no tree.
    private(set) var tooComplex: JSONSize?
    private var size = JSONSize(values: 0, containers: 0)
    let started: ContinuousClock.Instant

    init(started: ContinuousClock.Instant) {
        self.started = started
    }

    mutating func feed(_ bytes: [UInt8]) { take(parser.feed(bytes)) }

    /// The record once the transfer ended. Times are taken when this task sees the bytes, from
    /// before the transfer was queued; curl timed the first byte from the transfer's own start
    /// (`curlFirstByteMs`): the difference is this process's own delay (queueing, a busy thread
    /// pool), taken off every figure, `ttfbMs` included.
    mutating func finish(curlFirstByteMs: Double, ttfbMs: inout Double?) -> StreamRecord {
        take(parser.finish())
        record.violations = parser.violations
        record.comments = parser.commentCount
        if let seen = ttfbMs, curlFirstByteMs > 0, seen > curlFirstByteMs {
            let lag = seen - curlFirstByteMs
            ttfbMs = curlFirstByteMs
            for k in record.events.indices { record.events[k].atMs = max(curlFirstByteMs, record.events[k].atMs - lag) }
        }
        return record
    }

    private mutating func take(_ events: [SSEEvent]) {
        let at = (ContinuousClock.now - started).milliseconds
        for e in events {
            record.eventCount += 1
            if record.sawDone { record.afterDone += 1 }
            let done = e.isDone
            if done { record.sawDone = true }
            guard record.events.count < Transport.maxStreamEvents else { continue }
            if !done && tooComplex == nil && Transport.opensJSONContainer(e.dataBytes) {
                size = size + JSONSize.measure(e.dataBytes)
                if size.exceeds(.limit) { tooComplex = size }
            }
            let json = done || tooComplex != nil ? nil : parseJSON(e.dataBytes)
            let text = String(decoding: e.dataBytes.prefix(65536), as: UTF8.self)
            record.events.append(StreamEvent(data: text, json: json, atMs: at, event: e.event))
        }
    }
}
