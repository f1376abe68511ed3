import TouchstoneCore
import TouchstoneHTTP

/// How many requests a server says it serves at once, where it says so: llama.cpp's
/// `GET /props` (`total_slots`), else the length of its `GET /slots` array. Both live at the
/// server's origin, beside the API root. Any other answer (404, 401, HTML, a
/// refused connection) means "not advertised" and changes nothing.
///
/// A server with fewer slots than `--jobs` queues the rest, and some cut a running stream
/// short when another request queues: the prober caps its requests in flight to the slots.
enum ServerCapacity {
    /// The name its requests go by in the session's sharing.
    static let caseID = "server-capacity"

    /// The advertised slot count, nil when not advertised. The requests go through the session,
    /// so the suites' identical `GET /props` (the `context_length` quirk) is not sent again.
    static func learn(builder: RequestBuilder, session: Session) async -> Int? {
        func get(_ path: String) async -> Exchange? {
            guard let request = try? builder.build(template(path), variables: [:]) else { return nil }
            return await session.exchange(request, for: caseID)
        }
        func ask() async -> Int? {
            guard let props = await get("/props") else { return nil }
            if let n = slots(props.json?["total_slots"]) { return n }
            // /slots is only worth asking a server that has /props (llama.cpp started without it).
            guard props.status == 200, props.json?.objectValue != nil, let list = await get("/slots") else { return nil }
            if list.status == 200, let a = list.json?.arrayValue, !a.isEmpty { return a.count }
            return nil
        }
        let advertised = await ask()
        await session.finishCase(caseID)
        return advertised
    }

    static func slots(_ v: JSONValue?) -> Int? {
        guard let n = v?.intValue, n >= 1, n <= 4096 else { return nil }
        return n
    }

    /// `GET {origin}{path}` with the target's key and headers, as a suite step would write it.
    static func template(_ path: String) -> RequestTemplate {
        RequestTemplate(method: "GET", path: path, join: .origin, headers: [], auth: .target, body: nil, rawBody: nil,
                        extends: nil, merge: nil, location: SourceLocation(file: "server capacity", line: 0, column: 0))
    }
}
