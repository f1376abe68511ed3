import TouchstoneCore
import TouchstoneHTTP

/// Quirks read from every exchange of a target (features.md § Quirks): `server`,
/// `rate_limit_headers`, `sse_comments`, `reasoning_field`. Quirks decided by one probe
/// are set by its suite instead.
enum Observers {
    static func quirks(_ log: [Exchange]) -> [String: JSONValue] {
        var q: [String: JSONValue] = [:]
        if let server = log.lazy.compactMap({ $0.headers.value(for: "server") }).first {
            q["server"] = .string(TextSanitizer.oneLine(server, limit: 100))
        }
        var rate = Set<String>()
        for e in log {
            for h in e.headers {
                let n = h.name.lowercased()
                if n.hasPrefix("x-ratelimit-") || n == "retry-after" || n == "retry-after-ms" { rate.insert(n) }
            }
        }
        if !rate.isEmpty { q["rate_limit_headers"] = .array(rate.sorted().map(JSONValue.string)) }
        if log.contains(where: { ($0.stream?.comments ?? 0) > 0 }) { q["sse_comments"] = .bool(true) }
        if let r = reasoningField(log) { q["reasoning_field"] = .string(r) }
        return q
    }

    /// Where reasoning text shows up in chat answers, if any chat answer was seen.
    static func reasoningField(_ log: [Exchange]) -> String? {
        var sawChat = false
        for e in log where (e.status ?? 0) / 100 == 2 {
            var messages: [JSONValue] = []
            if let m = e.json?["choices"]?[0]?["message"] { messages.append(m) }
            for ev in e.stream?.events ?? [] {
                if let d = ev.json?["choices"]?[0]?["delta"] { messages.append(d) }
            }
            for m in messages {
                sawChat = true
                if m["reasoning_content"]?.stringValue?.isEmpty == false { return "reasoning_content" }
                if m["reasoning"]?.stringValue?.isEmpty == false { return "reasoning" }
                if let c = m["content"]?.stringValue, c.contains("<think>") { return "think_tags" }
            }
        }
        return sawChat ? "none" : nil
    }

    static func redact(_ v: JSONValue, _ r: Redactor) -> JSONValue {
        switch v {
        case .string(let s): .string(r.redact(s))
        case .array(let a): .array(a.map { redact($0, r) })
        case .object(let o): .object(Dictionary(o.map { (r.redact($0.key), redact($0.value, r)) }, uniquingKeysWith: { a, _ in a }))
        default: v
        }
    }
}

/// Turns an exchange into redacted, capped evidence.
enum EvidenceBuilder {
    static let responseLimit = 2048
    static let requestLimit = 1024

    /// With the target, the evidence carries a `curl` command reproducing the request.
    static func make(step: String, _ ex: Exchange, redactor: Redactor, target: Target? = nil) -> Evidence {
        // Masked before the cut to an excerpt (a cut must not leave part of a secret) and after.
        let request = ex.request.body.map { redactor.redact(TextSanitizer.excerpt(redactor.redact(bytes: $0), limit: requestLimit)) }
        return Evidence(step: step, method: ex.request.method, url: redactor.redact(ex.request.url),
                        status: ex.status, error: ex.error.map { redactor.redact($0.description) },
                        elapsedMs: (ex.elapsedMs * 10).rounded() / 10, attempts: ex.attempts,
                        redirects: ex.redirects.map { "\($0.status) \(redactor.redact($0.location))" },
                        request: request,
                        response: redactor.redact(TextSanitizer.excerpt(redactor.redact(bytes: ex.body), limit: responseLimit)),
                        curl: target.map { t in
                            CurlCommand.render(ex.request, context: CurlCommand.Context(
                                key: t.apiKey, keyVariable: t.apiKeyEnv, insecure: t.insecure), redactor: redactor)
                        })
    }
}

/// Latency figures of a streamed exchange.
enum Latency {
    static func figures(_ ex: Exchange) -> LatencyFigures? {
        guard let s = ex.stream, let ttfb = ex.ttfbMs else { return nil }
        let data = s.events.filter { $0.data != "[DONE]" }
        func carriesToken(_ e: StreamEvent) -> Bool {
            guard let d = e.json?["choices"]?[0]?["delta"] else { return false }
            return d["content"]?.stringValue?.isEmpty == false || d["tool_calls"] != nil
                || d["reasoning_content"] != nil || d["reasoning"] != nil
        }
        let firstToken = data.first(where: carriesToken)
        let times = data.map(\.atMs)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
        func pct(_ p: Double) -> Double? {
            guard !gaps.isEmpty else { return nil }
            let i = min(gaps.count - 1, Int((p * Double(gaps.count - 1)).rounded()))
            return (gaps[i] * 100).rounded() / 100
        }
        // From the first token to the last one: the finish and usage chunks after the last
        // token carry none, and counting their gaps would understate the rate.
        var tps: Double? = nil
        if let first = firstToken?.atMs, let lastT = data.last(where: carriesToken)?.atMs, lastT > first {
            let tokens = ex.completionTokens > 0 ? ex.completionTokens
                : data.filter { $0.json?["choices"]?[0]?["delta"]?["content"]?.stringValue?.isEmpty == false }.count
            if tokens > 1 { tps = (Double(tokens - 1) / ((lastT - first) / 1000) * 10).rounded() / 10 }
        }
        return LatencyFigures(ttfbMs: (ttfb * 100).rounded() / 100, ttftMs: firstToken.map { ($0.atMs * 100).rounded() / 100 },
                              gapP50Ms: pct(0.5), gapP95Ms: pct(0.95), tokensPerSecond: tps)
    }
}
