import TouchstoneCore

/// The size a request body will have once its `${name}` placeholders are filled, computed
/// before it is built: a captured value repeated in a body (a 15 MiB answer used twenty
/// times) would otherwise build hundreds of megabytes before anything could object.
enum RequestSize {
    /// The largest body a suite may build, as large as the largest answer the prober reads.
    static let maxBodyBytes = 16 << 20

    /// The body would be larger than `maxBodyBytes`.
    struct TooLarge: Error, CustomStringConvertible {
        var bytes: Int
        var description: String {
            "the request body would be \(bytes >> 20) MiB once its variables are filled, over the \(RequestSize.maxBodyBytes >> 20) MiB cap (a large captured value used in it?)"
        }
    }

    /// Throws `TooLarge` when filling `template` (a JSON body, or the text of a raw one) with
    /// `vars` would pass the cap. Sizes are estimates from above of the serialized text.
    static func check(_ template: JSONValue?, raw: String?, _ vars: [String: JSONValue]) throws {
        var sizes: [String: Int] = [:]
        func size(of name: String) -> Int {
            if let known = sizes[name] { return known }
            guard let v = vars[name] else { return 0 }
            let n = v.stringValue.map { 2 * $0.utf8.count + 2 } ?? v.serialized().utf8.count
            sizes[name] = n
            return n
        }
        func text(_ s: String) -> Int {
            var total = s.utf8.count
            var rest = Substring(s)
            while let r = rest.range(of: "${"), let end = rest[r.upperBound...].firstIndex(of: "}") {
                total = total.saturatingAdd(size(of: String(rest[r.upperBound..<end])))
                rest = rest[rest.index(after: end)...]
            }
            return total
        }
        func walk(_ v: JSONValue) -> Int {
            switch v {
            case .string(let s): return text(s)
            case .array(let a): return a.reduce(2) { $0.saturatingAdd(walk($1) + 1) }
            case .object(let o): return o.reduce(2) { $0.saturatingAdd(text($1.key) + walk($1.value) + 4) }
            default: return 24
            }
        }
        let total = raw.map(text) ?? template.map(walk) ?? 0
        if total > maxBodyBytes { throw TooLarge(bytes: total) }
    }
}
