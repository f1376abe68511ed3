import CCurl

/// CURLcode → TransferError. Our own aborts (callbacks returning an error, loop deadlines) never get
/// here: the transfer reports the reason it recorded instead.
enum CurlErrorMapping {
    /// - Parameter inHeaders: the failure came before the final response head was complete.
    static func transferError(for code: CURLcode, detail: String, inHeaders: Bool) -> TransferError {
        let summary = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty ? summary : detail
        let lower = message.lowercased()
        switch code {
        case CURLE_COULDNT_CONNECT:
            return .refused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_OPERATION_TIMEDOUT:
            // We never set CURLOPT_TIMEOUT_MS (total, first byte and idle are ours), so curl's own
            // timeout is CONNECTTIMEOUT_MS (name lookup, TCP, TLS handshake).
            return lower.contains("operation timed out") ? .timeout(.total) : .timeout(.connect)
        case CURLE_GOT_NOTHING:
            // The server closed the connection without sending a single byte of response.
            return .reset
        case CURLE_SEND_ERROR:
            return .reset
        case CURLE_RECV_ERROR:
            if lower.contains("chunk") { return .truncated }
            if lower.contains("header") { return .protocolError(message) }
            return .reset
        case CURLE_PARTIAL_FILE:
            return .truncated
        case CURLE_HTTP2_STREAM:
            // RST_STREAM or a stream closed uncleanly by the peer.
            return .reset
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL, CURLE_HTTP2, CURLE_BAD_CONTENT_ENCODING,
             CURLE_HTTP_RETURNED_ERROR:
            return .protocolError(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT:
            return .tls(message)
        case CURLE_OUT_OF_MEMORY where inHeaders:
            // curl 7.88 reports a response header line over its 100 KB limit as "out of memory".
            return .protocolError("response header too large (\(message))")
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            let text = detail.isEmpty || detail == summary ? summary : "\(summary): \(detail)"
            return .other(code: Int(code.rawValue), message: text)
        }
    }
}
