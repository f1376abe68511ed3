import TouchstoneCore
import TouchstoneHTTP

/// How many requests a server says it serves at once, where it says so: llama.cpp's
/// `GET /props` (`total_slots`), else the length of its `GET /slots` array. Both live at the
/// server's root (the base URL without a trailing `/v1`). Any other answer (404, 401, HTML, a
/// refused connection) means "not advertised" and changes nothing.
///
/// A server with fewer slots than `--jobs` queues the rest, and some cut a running stream
/// short when another request queues: the prober caps its requests in flight to the slots.
enum ServerCapacity {
    /// The advertised slot count (nil when not advertised), and the exchanges it took.
    static func learn(_ target: Target, transport: Transport) async -> (slots: Int?, exchanges: [Exchange]) {
        var exchanges: [Exchange] = []
        let props = await transport.perform(request(target, "props"))
        exchanges.append(props)
        if let n = slots(props.json?["total_slots"]) { return (n, exchanges) }
        // /slots is only worth asking a server that has /props (llama.cpp started without it).
        guard props.status == 200, props.json?.objectValue != nil else { return (nil, exchanges) }
        let list = await transport.perform(request(target, "slots"))
        exchanges.append(list)
        if list.status == 200, let a = list.json?.arrayValue, !a.isEmpty { return (a.count, exchanges) }
        return (nil, exchanges)
    }

    static func slots(_ v: JSONValue?) -> Int? {
        guard let n = v?.intValue, n >= 1, n <= 4096 else { return nil }
        return n
    }

    /// `GET {root}/{path}` with the target's key and headers.
    static func request(_ target: Target, _ path: String) -> PreparedRequest {
        var root = target.baseURL
        if root.hasSuffix("/v1") { root.removeLast(3) }
        var headers = [HTTPHeader("Accept", "application/json")]
        if let key = target.apiKey, let h = target.auth.keyHeader(key) { headers.append(h) }
        headers += target.headers
        return PreparedRequest(method: "GET", url: root + "/" + path, path: "/" + path, join: .clean,
                               headers: headers, body: nil, json: nil)
    }
}
