import CCurl

/// The origin of a URL — scheme, host and port (the default port made explicit) — as curl
/// parses it: what a credential is bound to. `http://h` and `https://h`, `h:8080` and `h:8081`
/// are different origins.
public struct URLOrigin: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: String

    /// The origin of `url`, or of `url` resolved against `base` when it is relative (a
    /// `Location` header); nil when curl cannot parse it.
    public init?(_ url: String, relativeTo base: String? = nil) {
        guard !url.utf8.contains(0), base?.utf8.contains(0) != true, let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        if let base, curl_url_set(handle, CURLUPART_URL, base, 0) != CURLUE_OK { return nil }
        guard curl_url_set(handle, CURLUPART_URL, url, TS_CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK else { return nil }
        func part(_ what: CURLUPart, _ flags: UInt32 = 0) -> String? {
            var out: UnsafeMutablePointer<CChar>? = nil
            guard curl_url_get(handle, what, &out, flags) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        // A URL without a host or a port (`file:///etc/passwd`) has the empty host and port.
        guard let scheme = part(CURLUPART_SCHEME) else { return nil }
        let host = part(CURLUPART_HOST) ?? ""
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        let port = part(CURLUPART_PORT, TS_CURLU_DEFAULT_PORT) ?? ""
        self.port = port == "0" ? "" : port
    }

    /// `http://127.0.0.1:8080`.
    public var description: String { "\(scheme)://\(host)\(port.isEmpty ? "" : ":\(port)")" }
}
