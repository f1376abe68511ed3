import TouchstoneCore

// The fault personalities: the reference upstream with one `Fault` injected on one scope of
// requests. They are not in `Personalities.all` (so `--emulate all` stays a matrix of working
// upstreams); `--emulate fault-…` and `touchstone emulate --list` reach them.
//
// Their `expected` tables follow one rule, written out by hand for each:
// - the feature whose probe request the scope hits is `broken` (features.md: a dropped
//   connection, malformed JSON or SSE, a 5xx, an error inside a 200, a transport failure that
//   survives the retry policy);
// - the features that need it (features.md § Prerequisites) are `untested`;
// - every other feature keeps the reference verdict;
// - `fault-refused` reaches nothing at all: every feature `untested` (no request got an answer,
//   so nothing was decided), and the CLI exits 3.
// (`fault-absurd-usage` hits only stream.include_usage: its streams are well-formed but for the
// usage chunk.)
// Scopes: `models` → models.list; `streams` → stream.basic, then stream.done_sentinel,
// stream.include_usage, stream.tool_calls and stream.response_format untested; `embeddings` →
// embeddings.basic, then embeddings.batch, .base64 and .dimensions untested; `responses` (every
// POST /responses) → responses.basic and responses.tools, then responses.stream, .retrieve and
// .previous_response untested;
// `completions` → completions.legacy.
//
// Faults that wait for the client (stalls, the slow drip) end at the prober's `--timeout`: probe
// them with a short one (`--timeout 2`).

extension Personalities {
    /// Every fault personality, in the order of docs/emulator.md.
    public static let faults: [Personality] = [
        faultRefused, faultResetAfterHeaders, faultCloseMidBody, faultCloseMidStream, faultNotHTTP,
        faultStallBeforeHeaders, faultStallMidStream, faultSlowDrip, faultHugeBody, faultEndlessStream,
        faultTruncatedChunked, faultControlBytesInContent, faultControlBytesInHeaders, faultHTMLErrorPage,
        faultErrorInside200, faultRedirectLoop, faultWrongContentType, faultHostileRetryAfter, faultAbsurdUsage, faultPaddedBodies,
    ]

    /// The reference, with `fault` injected.
    private static func faulty(_ name: String, _ summary: String, _ fault: Fault,
                               expected: [String: Verdict]) -> Personality {
        Personality(name: name, summary: summary, knobs: Knobs(), expected: expected,
                    chatModel: "emulator-chat", embeddingModel: "emulator-embed", apiKey: "sk-emulator-faults",
                    fault: fault)
    }

    static let modelsBroken: [String: Verdict] = ["models.list": .broken]
    static let streamsBroken: [String: Verdict] = [
        "stream.basic": .broken, "stream.done_sentinel": .untested,
        "stream.include_usage": .untested, "stream.tool_calls": .untested, "stream.response_format": .untested,
    ]
    static let embeddingsBroken: [String: Verdict] = [
        "embeddings.basic": .broken, "embeddings.batch": .untested,
        "embeddings.base64": .untested, "embeddings.dimensions": .untested,
    ]
    /// Every POST /responses is hit: responses.tools too (it needs no basis).
    static let responsesBroken: [String: Verdict] = [
        "responses.basic": .broken, "responses.tools": .broken, "responses.stream": .untested,
        "responses.retrieve": .untested, "responses.previous_response": .untested,
    ]
    static let completionsBroken: [String: Verdict] = ["completions.legacy": .broken]

    public static let faultRefused = faulty(
        "fault-refused", "Nothing listens: every connection is refused (a closed port).",
        Fault(.refused, scope: .models),
        expected: Dictionary(uniqueKeysWithValues: featureIDs.map { ($0, Verdict.untested) }))

    public static let faultResetAfterHeaders = faulty(
        "fault-reset-after-headers", "GET /models: the headers, then a TCP reset instead of the body.",
        Fault(.resetAfterHeaders, scope: .models), expected: expecting(modelsBroken))

    public static let faultCloseMidBody = faulty(
        "fault-close-mid-body", "POST /embeddings: half of the body, then the connection closes.",
        Fault(.closeMidBody, scope: .embeddings), expected: expecting(embeddingsBroken))

    public static let faultCloseMidStream = faulty(
        "fault-close-mid-stream", "Streamed chat: three events, then the connection closes without the last chunk.",
        Fault(.closeMidBody, scope: .streams), expected: expecting(streamsBroken))

    public static let faultNotHTTP = faulty(
        "fault-not-http", "POST /completions: an SSH banner and binary bytes instead of HTTP.",
        Fault(.notHTTP, scope: .completions), expected: expecting(completionsBroken))

    public static let faultStallBeforeHeaders = faulty(
        "fault-stall-before-headers", "POST /responses: not a byte until the client gives up (use a short --timeout).",
        Fault(.stallBeforeHeaders, scope: .responses), expected: expecting(responsesBroken))

    public static let faultStallMidStream = faulty(
        "fault-stall-mid-stream", "Streamed chat: three events, then silence until the client gives up (use a short --timeout).",
        Fault(.stallMidStream, scope: .streams), expected: expecting(streamsBroken))

    public static let faultSlowDrip = faulty(
        "fault-slow-drip", "POST /embeddings: the headers, then the body at one byte per second (use a short --timeout).",
        Fault(.slowDrip, scope: .embeddings), expected: expecting(embeddingsBroken))

    public static let faultHugeBody = faulty(
        "fault-huge-body", "GET /models: a 50 MiB body (the prober stops at its body cap).",
        Fault(.hugeBody, scope: .models), expected: expecting(modelsBroken))

    public static let faultEndlessStream = faulty(
        "fault-endless-stream", "Streamed chat: content events forever, never a finish (the prober stops at its body cap).",
        Fault(.endlessStream, scope: .streams), expected: expecting(streamsBroken))

    public static let faultTruncatedChunked = faulty(
        "fault-truncated-chunked", "POST /completions: a chunked body whose chunk is cut short by the close.",
        Fault(.truncatedChunked, scope: .completions), expected: expecting(completionsBroken))

    public static let faultControlBytesInContent = faulty(
        "fault-control-bytes-content", "Streamed chat: raw ESC, NUL, BEL, invalid UTF-8 and the key inside the content.",
        Fault(.controlBytesInContent, scope: .streams), expected: expecting(streamsBroken))

    public static let faultControlBytesInHeaders = faulty(
        "fault-control-bytes-headers", "ESC and invalid UTF-8 in every Server header; a NUL byte in a header of GET /models.",
        Fault(.controlBytesInHeaders, scope: .models), expected: expecting(modelsBroken))

    public static let faultHTMLErrorPage = faulty(
        "fault-html-error-page", "POST /embeddings: a proxy's 502 Bad Gateway HTML page.",
        Fault(.htmlErrorPage, scope: .embeddings), expected: expecting(embeddingsBroken))

    public static let faultErrorInside200 = faulty(
        "fault-error-in-200", "POST /responses: 200 OK carrying {\"error\": {…}}.",
        Fault(.errorInside200, scope: .responses), expected: expecting(responsesBroken))

    public static let faultRedirectLoop = faulty(
        "fault-redirect-loop", "GET /models: 307 back to the same URL, forever.",
        Fault(.redirectLoop, scope: .models), expected: expecting(modelsBroken))

    public static let faultWrongContentType = faulty(
        "fault-wrong-content-type", "Streamed chat: the SSE body labelled application/json.",
        Fault(.wrongContentType, scope: .streams), expected: expecting(streamsBroken))

    public static let faultHostileRetryAfter = faulty(
        "fault-hostile-retry-after", "GET /models: 429 every time, with Retry-After: -inf and retry-after-ms: -1e20.",
        Fault(.hostileRetryAfter, scope: .models), expected: expecting(modelsBroken))

    /// Only the usage chunk is absurd: the stream itself is well-formed, so only the feature
    /// that reads usage from it breaks.
    public static let faultAbsurdUsage = faulty(
        "fault-absurd-usage", "Streamed chat: the usage chunk says 9223372036854775807 prompt and 9e18 completion tokens.",
        Fault(.absurdUsage, scope: .streams), expected: expecting(["stream.include_usage": .broken]))

    /// Valid answers, only huge: each body is under the byte cap, but its tree (about 300 MB)
    /// is over the size a run parses, so every feature decided from a 2xx JSON body is
    /// untested; errors and streams are not padded and keep the reference verdict. The
    /// prober's memory stays bounded by its body cap (docs/security.md).
    public static let faultPaddedBodies = faulty(
        "fault-padded-bodies", "Every 2xx JSON body padded to ~15 MiB with 1.7 million small objects (valid, just huge).",
        Fault(.paddedBodies, scope: .models), expected: expecting(paddedUntested))
    static let paddedUntested: [String: Verdict] = Dictionary(uniqueKeysWithValues: featureIDs.filter {
        !["auth.invalid_key_rejected", "errors.envelope", "errors.invalid_json", "errors.missing_messages",
          "stream.basic", "stream.done_sentinel", "stream.include_usage"].contains($0)
    }.map { ($0, Verdict.untested) })
}
