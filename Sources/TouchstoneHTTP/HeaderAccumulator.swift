/// Parses the header lines curl hands to CURLOPT_HEADERFUNCTION, one line per call.
///
/// curl passes every header block: interim 1xx responses, each redirect response, then the final
/// one. A status line (`HTTP/...`) starts a new block; a completed 3xx block with a `Location` that is
/// followed by another block becomes a redirect hop. Bytes are decoded as UTF-8 with replacement, so
/// hostile header bytes (invalid UTF-8, NULs) cannot crash anything.
struct HeaderAccumulator {
    enum Outcome: Equatable {
        case more
        /// The blank line ending a block.
        case blockEnded(status: Int, hasLocation: Bool)
    }

    private(set) var status = 0
    /// "1.1", "2", … as written on the status line.
    private(set) var version = ""
    private(set) var headers: [HTTPHeader] = []
    private(set) var redirects: [RedirectHop] = []
    private var blockComplete = false

    mutating func consume(_ raw: UnsafeBufferPointer<UInt8>) -> Outcome {
        var end = raw.count
        while end > 0, raw[end - 1] == 0x0A || raw[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeBufferPointer(rebasing: raw[0..<end])

        if line.isEmpty {
            blockComplete = true
            return .blockEnded(status: status, hasLocation: headers.value(for: "location") != nil)
        }
        if line.starts(with: Self.httpPrefix) {
            startBlock(statusLine: String(decoding: line, as: UTF8.self))
            return .more
        }
        if line[0] == 0x20 || line[0] == 0x09, !headers.isEmpty {
            // obs-fold: a continuation of the previous header's value
            let more = String(decoding: line, as: UTF8.self).trimmingHTTPWhitespace()
            headers[headers.count - 1].value += " " + more
            return .more
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .more }  // not a header: ignored
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[0..<colon]), as: UTF8.self).trimmingHTTPWhitespace()
        let value = String(decoding: UnsafeBufferPointer(rebasing: line[(colon + 1)...]), as: UTF8.self).trimmingHTTPWhitespace()
        headers.append(HTTPHeader(name, value))
        return .more
    }

    private static let httpPrefix: [UInt8] = Array("HTTP/".utf8)

    private mutating func startBlock(statusLine: String) {
        if blockComplete, (300..<400).contains(status), let location = headers.value(for: "location") {
            redirects.append(RedirectHop(status: status, location: location))
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        version = parts.first.map { String($0.dropFirst(5)) } ?? ""
        status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        headers = []
        blockComplete = false
    }
}

fileprivate extension String {
    func trimmingHTTPWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
