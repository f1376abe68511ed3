import Foundation
import Testing
import TouchstoneCore

@Suite struct SSEParserTests {
    /// Feeds `bytes` in the given chunk sizes (cycled), then finishes.
    private func run(_ bytes: [UInt8], chunks: [Int]? = nil,
                     configuration: SSEParser.Configuration = .init()) -> (events: [SSEEvent], parser: SSEParser)
    {
        var parser = SSEParser(configuration: configuration)
        var events: [SSEEvent] = []
        if let chunks {
            var i = 0
            var k = 0
            while i < bytes.count {
                let size = max(1, chunks[k % chunks.count])
                let end = min(bytes.count, i + size)
                events += parser.feed(bytes[i..<end])
                i = end
                k += 1
            }
        } else {
            events += parser.feed(bytes)
        }
        events += parser.finish()
        return (events, parser)
    }

    private func offset(of needle: String, in text: String) -> Int {
        text.utf8.distance(from: text.startIndex, to: text.range(of: needle)!.lowerBound)
    }

    private func run(_ text: String, chunks: [Int]? = nil) -> (events: [SSEEvent], parser: SSEParser) {
        run(Array(text.utf8), chunks: chunks)
    }

    /// A stream exercising every feature, with all three line endings.
    static let mixedStream: [UInt8] = Array((
        "\u{FEFF}: welcome\r\n" + "retry: 1500\n" + "id: 7\r" +
        "data: {\"a\":1}\r\n" + "data: [2]\r\n\r\n" +
        "event: delta\n" + "data: first\n" + "data:second\n" + "data:  third\n\n" +
        ": keep-alive\r\r" +
        "data\n\n" + "data:\n" + "data:\n\n" +
        "id\n" + "event:\n" + "data: é中😀\n\n" +
        "id: a\u{0}b\n" + "data: x\n" + "event: custom\n\n" +
        "event: ignored\n\n" +
        "data: [DONE]\n\n" +
        "data: tail\n"
    ).utf8)

    private static func expectedMixed() -> [SSEEvent] {
        [
            SSEEvent(data: "{\"a\":1}\n[2]", id: "7", retry: 1500, index: 0),
            SSEEvent(event: "delta", data: "first\nsecond\n third", id: "7", index: 1),
            SSEEvent(data: "", id: "7", index: 2),
            SSEEvent(data: "\n", id: "7", index: 3),
            SSEEvent(data: "é中😀", id: "", index: 4),
            SSEEvent(event: "custom", data: "x", id: "", index: 5),
            SSEEvent(data: "[DONE]", id: "", index: 6),
        ]
    }

    /// Compares everything but the byte offsets.
    private func strip(_ events: [SSEEvent]) -> [SSEEvent] {
        events.map { var e = $0; e.byteOffset = 0; return e }
    }

    @Test func parsesTheMixedStream() {
        let (events, parser) = run(Self.mixedStream)
        #expect(strip(events) == Self.expectedMixed())
        #expect(parser.commentCount == 2)
        #expect(parser.comments == ["welcome", "keep-alive"])
        #expect(parser.sawDone)
        #expect(parser.reconnectionTime == 1500)
        #expect(parser.lastEventID == "")
        #expect(parser.violations.map(\.kind) == ["nul_byte", "incomplete_event_at_eof"])
        #expect(parser.bytesConsumed == Self.mixedStream.count)
        // Offsets point at the first field line of each block (BOM counted).
        #expect(events.first?.byteOffset == 14)
        let text = Self.mixedStream
        for e in events {
            let head = String(decoding: text[e.byteOffset...].prefix(5), as: UTF8.self)
            #expect(["data", "event", "retry", "id"].contains { head.hasPrefix($0) }, "event \(e.index): \(head)")
            #expect(text[e.byteOffset - 1] == 0x0A || text[e.byteOffset - 1] == 0x0D)
        }
    }

    @Test func everySplitPointGivesTheSameResult() {
        let (reference, refParser) = run(Self.mixedStream)
        let bytes = Self.mixedStream
        for cut in 0...bytes.count {
            var parser = SSEParser()
            var events = parser.feed(bytes[0..<cut])
            events += parser.feed(bytes[cut...])
            events += parser.finish()
            #expect(events == reference, "split at \(cut)")
            #expect(parser.violations == refParser.violations, "split at \(cut)")
            #expect(parser.commentCount == refParser.commentCount && parser.comments == refParser.comments)
        }
        // Two cuts everywhere too (catches state carried across several chunks: BOM, CR|LF).
        for a in 0...min(24, bytes.count) {
            for b in a...min(a + 24, bytes.count) {
                var parser = SSEParser()
                var events = parser.feed(bytes[0..<a])
                events += parser.feed(bytes[a..<b])
                events += parser.feed(bytes[b...])
                events += parser.finish()
                #expect(events == reference, "splits at \(a), \(b)")
            }
        }
    }

    @Test func byteAtATimeAndSeededRandomChunkings() {
        let (reference, refParser) = run(Self.mixedStream)
        let single = run(Self.mixedStream, chunks: [1])
        #expect(single.events == reference)
        #expect(single.parser.violations == refParser.violations)
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            let sizes = (0..<8).map { _ in Int(rng.next() % 17) + 1 }
            let r = run(Self.mixedStream, chunks: sizes)
            #expect(r.events == reference, "chunks \(sizes)")
            #expect(r.parser.violations == refParser.violations, "chunks \(sizes)")
        }
        // Empty chunks are harmless.
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for b in Self.mixedStream {
            events += parser.feed([UInt8]())
            events += parser.feed([b])
        }
        events += parser.finish()
        #expect(events == reference)
    }

    @Test func lineEndingsCRLFandCRLFSplitAcrossChunks() {
        for ending in ["\n", "\r", "\r\n"] {
            let text = "data: a" + ending + "data: b" + ending + ending + "data: c" + ending + ending
            let (events, parser) = run(text)
            #expect(events.map(\.data) == ["a\nb", "c"], "ending \(ending.debugDescription)")
            #expect(parser.violations.isEmpty)
        }
        // CR at the end of one chunk, LF at the start of the next: one line ending, not two.
        var parser = SSEParser()
        #expect(parser.feed(Array("data: a\r".utf8)).isEmpty)
        #expect(parser.feed(Array("\ndata: b\r".utf8)).isEmpty)
        let events = parser.feed(Array("\n\r\n".utf8))
        #expect(events.map(\.data) == ["a\nb"])
        // CR then a different chunk that does not start with LF.
        var p2 = SSEParser()
        _ = p2.feed(Array("data: a\r".utf8))
        let e2 = p2.feed(Array("\r".utf8))
        #expect(e2.map(\.data) == ["a"])
        // LF CR is two line endings (a blank line).
        #expect(run("data: x\n\rdata: y\n\n").events.map(\.data) == ["x", "y"])
    }

    @Test func commentsFieldsWithoutColonAndSpaces() {
        let (events, parser) = run(":\n: ping\n:no space\ndata:no space\ndata:  two spaces\ndata\n\n")
        #expect(events.map(\.data) == ["no space\n two spaces\n"])
        #expect(parser.commentCount == 3)
        #expect(parser.comments == ["", "ping", "no space"])
        #expect(parser.violations.isEmpty)
    }

    @Test func bomOnlyAtStreamStart() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = Array("data: x\n\n".utf8)
        #expect(run(bom + body).events.map(\.data) == ["x"])
        // A second BOM is part of the first field name: "\u{FEFF}data" is an unknown field.
        let (events, parser) = run(bom + bom + body)
        #expect(events.isEmpty)
        #expect(parser.violations.map(\.kind) == ["unknown_field"])
        // A partial BOM that turns out not to be one is ordinary (invalid UTF-8) input.
        let (e3, p3) = run([0xEF, 0xBB] + Array(":c\ndata: y\n\n".utf8), chunks: [1])
        #expect(e3.map(\.data) == ["y"])
        #expect(p3.violations.map(\.kind) == ["invalid_utf8", "unknown_field"])
        // A lone partial BOM at EOF.
        let (e4, p4) = run([0xEF])
        #expect(e4.isEmpty)
        #expect(p4.violations.map(\.kind) == ["invalid_utf8", "unknown_field"])
    }

    @Test func noDispatchAtEOFForAnIncompleteBlock() {
        for tail in ["data: x", "data: x\n", "data: x\r", "data: x\r\n", "event: e\ndata: x\n"] {
            let (events, parser) = run("data: a\n\n" + tail)
            #expect(events.map(\.data) == ["a"], "\(tail.debugDescription)")
            #expect(parser.violations.map(\.kind) == ["incomplete_event_at_eof"], "\(tail.debugDescription)")
            #expect(parser.violations.first?.offset == 9)
        }
        // Nothing pending: no violation. A trailing comment or a data-less block is not an event.
        for tail in ["", ": bye", ": bye\n", "event: x\n", "id: 3"] {
            let (events, parser) = run("data: a\n\n" + tail)
            #expect(events.count == 1)
            #expect(parser.violations.isEmpty, "\(tail.debugDescription)")
        }
        // Lenient mode dispatches it, still reporting the violation.
        var parser = SSEParser(configuration: .init(dispatchIncompleteEventAtEOF: true))
        #expect(parser.feed(Array("data: [DONE]\n".utf8)).isEmpty)
        #expect(parser.finish().map(\.data) == ["[DONE]"])
        #expect(parser.violations.map(\.kind) == ["incomplete_event_at_eof"])
        #expect(parser.sawDone)
    }

    @Test func blankLinesWithoutDataDispatchNothing() {
        let (events, parser) = run("\n\n\nevent: x\n\nid: 5\nretry: 10\n\ndata: y\n\n")
        #expect(events.count == 1)
        #expect(events.first?.event == "message")  // the type from the data-less block was reset
        #expect(events.first?.id == "5")  // but the last event ID persists
        #expect(events.first?.retry == nil)
        #expect(parser.reconnectionTime == 10)
        #expect(parser.lineCount == 10)
    }

    @Test func idAndRetryRules() {
        let (events, parser) = run("id: 1\ndata: a\n\nid: x\u{0}y\nretry: 12a\nretry:\nretry: -1\ndata: b\n\nid\ndata: c\n\nretry: 99999999999999999999999\n\n")
        #expect(events.map(\.id) == ["1", "1", ""])
        #expect(events.map(\.retry) == [nil, nil, nil])
        #expect(parser.reconnectionTime == nil)
        #expect(parser.violations.map(\.kind) == ["nul_byte"])
    }

    @Test func violationsDataAfterDoneErrorFieldAndUnknownFields() {
        let text = "data: {\"x\":1}\n\nerror: {\"message\":\"boom\"}\n\ndata: [DONE]\n\ndata: late\n\nfoo: bar\nDATA: y\n\n"
        let (events, parser) = run(text)
        #expect(events.map(\.data) == ["{\"x\":1}", "[DONE]", "late"])
        #expect(events.map(\.isDone) == [false, true, false])
        #expect(parser.sawDone)
        #expect(parser.violations == [
            .errorField(value: "{\"message\":\"boom\"}", offset: offset(of: "error:", in: text)),
            .dataAfterDone(eventIndex: 2, offset: offset(of: "data: late", in: text)),
            .unknownField(name: "foo", offset: offset(of: "foo:", in: text)),
            .unknownField(name: "DATA", offset: offset(of: "DATA:", in: text)),
        ])
        #expect(offset(of: "error:", in: text) == 15)
        #expect(parser.violations.map(\.kind) == ["error_field", "data_after_done", "unknown_field", "unknown_field"])
        // Not dispatched [DONE] with extra spaces is not the sentinel.
        #expect(!run("data: [DONE] \n\n").parser.sawDone)
        #expect(run("data:[DONE]\n\n").parser.sawDone)
    }

    @Test func unknownFieldsAreCapped() {
        var text = ""
        for k in 0..<100 { text += "f\(k): v\n" }
        text += "data: x\n\n"
        let (events, parser) = run(text)
        #expect(events.count == 1)
        #expect(parser.violations.count == 16)
        #expect(parser.violationCounts["unknown_field"] == 100)
    }

    @Test func invalidUTF8AndNulAreReplacedAndReported() {
        var bytes = Array("data: a".utf8) + [0xFF, 0xC3] + Array("b\n".utf8)
        bytes += Array("data: n".utf8) + [0x00] + Array("ul\n\n".utf8)
        let (events, parser) = run(bytes)
        #expect(events.count == 1)
        #expect(events.first?.data == "a\u{FFFD}\u{FFFD}b\nn\u{0}ul")
        #expect(events.first?.dataBytes == Array(bytes[6..<10]) + [0x0A] + Array(bytes[17..<21]))
        #expect(parser.violations == [.invalidUTF8(offset: 0), .nulByte(offset: 11)])
    }

    @Test func overlongLinesAreDroppedWithBoundedMemory() {
        let config = SSEParser.Configuration(maxLineLength: 64)
        let long = "data: " + String(repeating: "x", count: 200)
        let text = "data: a\n" + long + "\ndata: b\n\n"
        for chunks in [nil, [1], [7], [100]] as [[Int]?] {
            let (events, parser) = run(Array(text.utf8), chunks: chunks, configuration: config)
            #expect(events.map(\.data) == ["a\nb"], "chunks \(String(describing: chunks))")
            #expect(parser.violations.map(\.kind) == ["line_too_long"])
            #expect(parser.violations.first?.offset == 8)
        }
        // An endless line never grows the parser past the limit.
        var parser = SSEParser(configuration: config)
        let chunk = [UInt8](repeating: UInt8(ascii: "y"), count: 1000)
        for _ in 0..<1000 { #expect(parser.feed(chunk).isEmpty) }
        #expect(parser.violations.count == 1)
        #expect(parser.feed(Array("\ndata: ok\n\n".utf8)).map(\.data) == ["ok"])
    }

    @Test func overlongEventsAreDropped() {
        let config = SSEParser.Configuration(maxLineLength: 100, maxEventLength: 50)
        var text = ""
        for _ in 0..<10 { text += "data: 0123456789\n" }
        text += "\ndata: small\n\n"
        let (events, parser) = run(Array(text.utf8), configuration: config)
        #expect(events.map(\.data) == ["small"])
        #expect(parser.violations.map(\.kind) == ["event_too_long"])
    }

    @Test func openAIStyleStream() throws {
        var text = ""
        for k in 0..<50 {
            text += "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t\(k)\"}}]}\n\n"
            if k % 10 == 0 { text += ": OPENROUTER PROCESSING\n\n" }
        }
        text += "data: [DONE]\n\n"
        let bytes = Array(text.utf8)
        var rng = SplitMix64(seed: 42)
        let sizes = (0..<16).map { _ in Int(rng.next() % 300) + 1 }
        let (events, parser) = run(bytes, chunks: sizes)
        #expect(events.count == 51)
        #expect(parser.sawDone)
        #expect(parser.violations.isEmpty)
        #expect(parser.commentCount == 5)
        for (k, e) in events.dropLast().enumerated() {
            let json = try JSONParser.parse(e.dataBytes)
            #expect(json["choices"]?[0]?["delta"]?["content"] == .string("t\(k)"))
            #expect(Array(bytes[e.byteOffset..<(e.byteOffset + 5)]) == Array("data:".utf8))
        }
    }

    @Test func violationKindsAreStable() {
        let all: [SSEViolation] = [
            .dataAfterDone(eventIndex: 1, offset: 2), .errorField(value: "v", offset: 3), .unknownField(name: "n", offset: 4),
            .invalidUTF8(offset: 5), .nulByte(offset: 6), .incompleteEventAtEOF(offset: 7),
            .lineTooLong(offset: 8, length: 9), .eventTooLong(offset: 10),
        ]
        #expect(all.map(\.kind) == ["data_after_done", "error_field", "unknown_field", "invalid_utf8", "nul_byte",
                                    "incomplete_event_at_eof", "line_too_long", "event_too_long"])
        #expect(all.map(\.offset) == [2, 3, 4, 5, 6, 7, 8, 10])
        #expect(all.allSatisfy { !$0.description.isEmpty })
    }

    /// A deliberately naive WHATWG implementation over decoded text, used as an oracle.
    private static func reference(_ bytes: [UInt8]) -> [String] {
        var scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var k = 0
        while k < scalars.count {
            let c = scalars[k]
            if c == "\r" || c == "\n" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
                if c == "\r" && k + 1 < scalars.count && scalars[k + 1] == "\n" { k += 1 }
            } else {
                current.append(c)
            }
            k += 1
        }
        var out: [String] = []
        var data = ""
        var type = ""
        var id = "<none>"
        for line in lines {
            if line.isEmpty {
                if !data.isEmpty {
                    data.removeLast()
                    out.append("\(type.isEmpty ? "message" : type)|\(id)|\(data)")
                }
                data = ""
                type = ""
                continue
            }
            if line.hasPrefix(":") { continue }
            var name = line
            var value = ""
            if let colon = line.firstIndex(of: ":") {
                name = String(line[..<colon])
                value = String(line[line.index(after: colon)...])
                if value.hasPrefix(" ") { value.removeFirst() }
            }
            switch name {
            case "data": data += value + "\n"
            case "event": type = value
            case "id": if !value.contains("\u{0}") { id = value }
            default: break
            }
        }
        return out
    }

    @Test func randomStreamsMatchANaiveOracleUnderRandomChunking() {
        let tokens: [[UInt8]] = [
            "data", "data", "data:", "event:", "id:", "retry:", "error:", "foo:", ":", " ", "x", "é", "中", "[DONE]",
            "\r", "\n", "\n", "\r\n", "\n\n", "1", "\u{0}",
        ].map { Array($0.utf8) } + [[0xFF], [0xE4, 0xB8], [0xEF, 0xBB, 0xBF]]
        var rng = SplitMix64(seed: 2024)
        for round in 0..<400 {
            var bytes: [UInt8] = round % 5 == 0 ? [0xEF, 0xBB, 0xBF] : []
            for _ in 0..<Int(rng.next() % 60) { bytes += tokens[Int(rng.next() % UInt64(tokens.count))] }
            let whole = run(bytes)
            let rendered = whole.events.map { "\($0.event)|\($0.id ?? "<none>")|\($0.data)" }
            #expect(rendered == Self.reference(bytes), "stream \(bytes)")
            let sizes = (0..<4).map { _ in Int(rng.next() % 9) + 1 }
            let chunked = run(bytes, chunks: sizes)
            #expect(chunked.events == whole.events, "stream \(bytes) chunks \(sizes)")
            #expect(chunked.parser.violations == whole.parser.violations, "stream \(bytes) chunks \(sizes)")
            #expect(chunked.parser.commentCount == whole.parser.commentCount)
        }
    }

    @Test func finishIsIdempotentAndFeedAfterFinishIsIgnored() {
        var parser = SSEParser()
        _ = parser.feed(Array("data: a\n\n".utf8))
        #expect(parser.finish().isEmpty)
        #expect(parser.finish().isEmpty)
        #expect(parser.feed(Array("data: b\n\n".utf8)).isEmpty)
        #expect(parser.eventCount == 1)
        #expect(parser.isFinished)
    }
}

