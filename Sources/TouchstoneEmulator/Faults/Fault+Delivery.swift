import TouchstoneCore

/// How one reply goes on the wire: the reply (possibly rewritten by a fault), the way its bytes
/// are delivered, and raw header lines added to its head (bytes a `String` header cannot hold).
struct Delivery: Sendable {
    enum Mode: Sendable, Equatable {
        /// As built: `Content-Length` or chunked, `Knobs.chunkDelay` between events, keep-alive honoured.
        case normal
        /// The head, a short pause, then a TCP reset.
        case resetAfterHead
        /// The head and half of the body (or the first events of a stream), then a close.
        case closeMidway
        /// These bytes instead of a response, then a close.
        case raw([UInt8])
        /// Nothing until the client closes.
        case stallBeforeHead
        /// The head and the first events (or half of a body), then nothing until the client closes.
        case stallMidway
        /// The head, then the body one byte per second.
        case drip
        /// The head with `Content-Length: bytes`, then that many bytes of JSON, in slices.
        case huge(bytes: Int)
        /// The head and the stream's events, its content events repeated forever.
        case endless
        /// The head (chunked), the first events, then a chunk cut in its middle and a close.
        case truncatedChunk
    }

    var reply: Reply
    var mode: Mode = .normal
    /// Complete header lines (`name: value\r\n`) written after the reply's headers.
    var extraHead: [UInt8] = []

    /// How many events (or what share of a body) the "midway" modes send before they stop.
    static let eventsBeforeFault = 3

    /// The size of `hugeBody`'s body: 50 MiB.
    static let hugeBodyBytes = 50 << 20

    /// What `paddedBodies` inserts after the opening brace of a 2xx JSON object: a `padding`
    /// member of small objects, 15 MiB in all (under the prober's 16 MiB cap).
    static let padding: [UInt8] = {
        let item = #"{"a":[]},"#
        let items = String(repeating: item, count: (15 << 20) / item.utf8.count).dropLast()  // the last comma
        return Array(#""padding":["#.utf8) + Array(items.utf8) + Array("],".utf8)
    }()
}

extension Fault {
    /// What goes on the wire for `reply`, the emulator's answer to `request`: the reply as is
    /// when the request is out of scope (save the `Server` header of `controlBytesInHeaders`,
    /// which every response carries), else the fault's rewrite or delivery.
    func delivery(of reply: Reply, to request: HTTPRequestMessage, emulator: Emulator) -> Delivery {
        let path = request.path
        let endpoint = emulator.endpoint(exactly: path) ?? emulator.endpoint(exactly: Emulator.cleaned(path))
        let hit = scope.contains(endpoint, request)
        if kind == .controlBytesInHeaders {
            // Tolerated bytes on every response; the NUL only in scope.
            let rewritten = reply.replacingHeader("server", with: nil)
            var head = Array("server: touchstone ".utf8) + Self.headerHazards + [13, 10]
            if hit { head += Array("x-touchstone-fault: before".utf8) + [0] + Array("after".utf8) + [13, 10] }
            return Delivery(reply: rewritten, extraHead: head)
        }
        if kind == .paddedBodies { return Delivery(reply: reply.padded()) }
        guard hit else { return Delivery(reply: reply) }
        switch kind {
        case .refused:
            return Delivery(reply: reply)  // handled by the server: nothing is ever accepted
        case .resetAfterHeaders: return Delivery(reply: reply, mode: .resetAfterHead)
        case .closeMidBody: return Delivery(reply: reply, mode: .closeMidway)
        case .notHTTP: return Delivery(reply: reply, mode: .raw(Self.notHTTPBytes))
        case .stallBeforeHeaders: return Delivery(reply: reply, mode: .stallBeforeHead)
        case .stallMidStream: return Delivery(reply: reply, mode: .stallMidway)
        case .slowDrip: return Delivery(reply: reply, mode: .drip)
        case .hugeBody:
            return Delivery(reply: .full(status: 200, headers: [("content-type", "application/json")], body: []),
                            mode: .huge(bytes: Delivery.hugeBodyBytes))
        case .endlessStream: return Delivery(reply: reply, mode: .endless)
        case .truncatedChunked: return Delivery(reply: reply, mode: .truncatedChunk)
        case .controlBytesInContent:
            return Delivery(reply: reply.injecting(Self.contentHazards(key: emulator.apiKey)))
        case .controlBytesInHeaders:
            return Delivery(reply: reply)  // handled above
        case .htmlErrorPage:
            return Delivery(reply: .full(status: 502, headers: [("content-type", "text/html"), ("server", "nginx")],
                                         body: Array(Self.badGatewayPage.utf8)))
        case .errorInside200:
            let error: JSONValue = ["error": [
                "message": "The server had an error while processing your request. Sorry about that!",
                "type": "server_error", "param": .null, "code": .null,
            ]]
            if case .stream(let status, let headers, let events) = reply {
                let first = events.first.map { [$0] } ?? []
                return Delivery(reply: .stream(status: status, headers: headers, events: first + [ChatStream.data(error)]))
            }
            return Delivery(reply: .json(200, error))
        case .redirectLoop:
            return Delivery(reply: .full(status: 307, headers: [("location", request.target), ("content-type", "text/plain")],
                                         body: Array("Temporary Redirect\n".utf8)))
        case .paddedBodies:
            return Delivery(reply: reply)  // handled above
        case .wrongContentType:
            let wrong = reply.isStream ? "application/json" : "text/html; charset=utf-8"
            return Delivery(reply: reply.replacingHeader("content-type", with: wrong))
        case .hostileRetryAfter:
            let error: JSONValue = ["error": ["message": "Rate limit reached", "type": "rate_limit_exceeded", "code": "rate_limit_exceeded"]]
            return Delivery(reply: .full(status: 429, headers: [("content-type", "application/json"), ("retry-after", "-inf"),
                                                                ("retry-after-ms", "-1e20")],
                                         body: Array(error.serialized(sortedKeys: true).utf8)))
        case .absurdUsage:
            return Delivery(reply: reply.replacingUsage(Self.absurdUsage))
        }
    }

    /// What `absurdUsage` puts in a stream's usage chunk.
    static let absurdUsage: JSONValue = [
        "prompt_tokens": .int(Int.max), "completion_tokens": .int(9_000_000_000_000_000_000), "total_tokens": 1,
    ]

    /// What `notHTTP` sends: an SSH server's banner and binary, as a client meets when the
    /// port belongs to another service.
    static let notHTTPBytes: [UInt8] = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8)
        + [0x00, 0x00, 0x01, 0x14, 0x0A, 0x14, 0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0xFE, 0x00]

    /// ESC (a colour escape), BEL, DEL, a C1 control, a noncharacter and invalid UTF-8: bytes a
    /// header may carry on the wire and a report must show escaped.
    static let headerHazards: [UInt8] = Array("\u{1B}[31mred\u{1B}[0m".utf8) + [0x07, 0x7F, 0xC2, 0x85, 0xEF, 0xBF, 0xBE, 0xFF, 0xFE]

    /// What `controlBytesInContent` puts inside the first content string, unescaped: terminal
    /// escapes, BEL, NUL, DEL, a C1 control, a noncharacter, invalid UTF-8, text that closes
    /// XML constructs, and the key the request must carry (which no report may show).
    static func contentHazards(key: String) -> [UInt8] {
        Array("\u{1B}[31mred\u{1B}[0m".utf8) + [0x07, 0x00, 0x7F, 0xC2, 0x85, 0xEF, 0xBF, 0xBE, 0xFF, 0xFE]
            + Array("]]></system-out></testcase><x a=\"&amp;\"> key=\(key) ".utf8)
    }

    static let badGatewayPage = """
        <html>\r
        <head><title>502 Bad Gateway</title></head>\r
        <body>\r
        <center><h1>502 Bad Gateway</h1></center>\r
        <hr><center>nginx</center>\r
        </body>\r
        </html>\r

        """
}

extension Reply {
    /// A 2xx JSON object body with `Delivery.padding` as its first member; any other reply as is.
    func padded() -> Reply {
        guard case .full(let status, let headers, let body) = self, (200..<300).contains(status),
              let open = body.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
              body[open] == UInt8(ascii: "{") else { return self }
        var out = body
        // An empty object gets the padding without the comma that would follow it.
        let rest = body[(open + 1)...].first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
        out.insert(contentsOf: rest == UInt8(ascii: "}") ? Delivery.padding.dropLast() : Delivery.padding[...], at: open + 1)
        return .full(status: status, headers: headers, body: out)
    }

    var isStream: Bool {
        if case .stream = self { return true }
        return false
    }

    /// The reply with every header `name` removed and, when `value` is given, set to it.
    func replacingHeader(_ name: String, with value: String?) -> Reply {
        func edit(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
            var out = headers.filter { $0.name.lowercased() != name }
            if let value { out.append((name, value)) }
            return out
        }
        switch self {
        case .full(let s, let h, let b): return .full(status: s, headers: edit(h), body: b)
        case .stream(let s, let h, let e): return .stream(status: s, headers: edit(h), events: e)
        case .drop: return .drop
        }
    }

    /// The stream with the `usage` of every event that carries one replaced by `usage`.
    func replacingUsage(_ usage: JSONValue) -> Reply {
        guard case .stream(let s, let h, let events) = self else { return self }
        let prefix = Array("data: ".utf8)
        let rewritten = events.map { event -> [UInt8] in
            guard event.starts(with: prefix),
                  var json = try? JSONParser.parse(Array(event.dropFirst(prefix.count)).trimmingTrailingNewlines()),
                  case .object(var object) = json, let u = object["usage"], !u.isNull else { return event }
            object["usage"] = usage
            json = .object(object)
            return ChatStream.data(json)
        }
        return .stream(status: s, headers: h, events: rewritten)
    }

    /// The reply with `bytes` inserted raw at the start of the first `"content":"` string (in a
    /// stream: of the first event that has one), else of the first string value.
    func injecting(_ bytes: [UInt8]) -> Reply {
        func inject(_ body: [UInt8]) -> [UInt8]? {
            for marker in [Array(#""content":""#.utf8), Array(#"":""#.utf8)] {
                if let at = Connection.Reader.find(marker, in: body) {
                    var out = body
                    out.insert(contentsOf: bytes, at: at + marker.count)
                    return out
                }
            }
            return nil
        }
        switch self {
        case .full(let s, let h, let b):
            return .full(status: s, headers: h, body: inject(b) ?? bytes + b)
        case .stream(let s, let h, var events):
            if let i = events.firstIndex(where: { inject($0) != nil }) { events[i] = inject(events[i])! }
            return .stream(status: s, headers: h, events: events)
        case .drop:
            return .drop
        }
    }
}

private extension Array where Element == UInt8 {
    func trimmingTrailingNewlines() -> [UInt8] {
        var out = self
        while let last = out.last, last == 10 || last == 13 { out.removeLast() }
        return out
    }
}
