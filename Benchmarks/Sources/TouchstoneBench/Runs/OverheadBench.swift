import Foundation

/// Target 4: N identical requests against a zero-latency upstream, C in flight, on
/// Touchstone's HTTP client (each response handled as the engine handles it) and with the
/// `curl` command-line tool (`--parallel --parallel-max C`), whole processes timed alike.
enum OverheadBench {
    static let chatBody = #"{"model":"emulator-chat","messages":[{"role":"user","content":"Say hello."}],"max_tokens":32}"#
    static let streamBody = #"{"model":"emulator-chat","messages":[{"role":"user","content":"Say hello."}],"max_tokens":32,"stream":true}"#

    struct Side {
        var wall: Double
        var ok: Int
    }

    static func touchstone(_ ctx: BenchContext, url: String, body: String, count: Int, concurrency: Int, key: String?) throws -> Side {
        let r = try Child.run([ctx.me, "requests", "--url", url, "--count", "\(count)", "--concurrency", "\(concurrency)",
                               "--body", body] + (key == nil ? [] : ["--key-env", "TOUCHSTONE_BENCH_KEY"]),
                              environment: ["TOUCHSTONE_BENCH_KEY": key ?? ""])
        struct Out: Codable { var ok: Int; var failed: Int }
        let o = try JSONDecoder().decode(Out.self, from: Data(r.stdout.utf8))
        return Side(wall: r.wall, ok: o.ok)
    }

    static func curl(_ ctx: BenchContext, url: String, body: String, count: Int, concurrency: Int, key: String?, stream: Bool) throws -> Side {
        let config = ctx.temporaryFile("curl.cfg")
        defer { try? FileManager.default.removeItem(atPath: config) }
        var one = "url = \"\(url)\"\noutput = \"/dev/null\"\ndata-binary = \"@\(body)\"\nheader = \"Content-Type: application/json\"\n"
        if let key { one += "header = \"Authorization: Bearer \(key)\"\n" }
        if stream { one += "no-buffer\n" }
        one += "write-out = \"%{http_code}\\n\"\n"
        try Array(repeating: one, count: count).joined(separator: "next\n").write(toFile: config, atomically: true, encoding: .utf8)
        let r = try Child.run(["curl", "--silent", "--show-error", "--parallel", "--parallel-max", "\(concurrency)", "--config", config])
        let ok = r.stdout.split(separator: "\n").filter { $0.hasPrefix("2") }.count
        return Side(wall: r.wall, ok: ok)
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        let count = ctx.quick ? 300 : 3000
        let concurrency = 8
        let e = try CriticalPathBench.Emulators.start(ctx, count: 1, responseDelay: 0, chunkDelay: 0)
        defer { e.child.stop() }
        let (source, line) = try Child.serve([ctx.me, "source"])
        defer { source.stop() }
        let port = try JSONDecoder().decode([String: Int].self, from: Data(line.utf8))["port"]!
        let chat = ctx.temporaryFile("chat.json"), streamFile = ctx.temporaryFile("stream.json")
        try chatBody.write(toFile: chat, atomically: true, encoding: .utf8)
        try streamBody.write(toFile: streamFile, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: chat)
            try? FileManager.default.removeItem(atPath: streamFile)
        }
        var out = BenchOutput()
        let cases: [(String, String, String, Bool, String?, Int)] = [
            ("emulator, chat completion", e.urls[0] + "/chat/completions", chat, false, e.key, count),
            ("emulator, streamed chat (22 events)", e.urls[0] + "/chat/completions", streamFile, true, e.key, count / 3),
            ("raw canned server, chat completion", "http://127.0.0.1:\(port)/canned/v1/chat/completions", chat, false, nil, count),
        ]
        for (i, (name, url, body, stream, key, n)) in cases.enumerated() {
            var ts: [Side] = [], cu: [Side] = []
            // Alternate the two, five rounds; the median round of each counts (a single lucky or
            // unlucky round on a shared machine decides nothing).
            for _ in 0..<(ctx.quick ? 1 : 5) {
                ts.append(try touchstone(ctx, url: url, body: body, count: n, concurrency: concurrency, key: key))
                cu.append(try curl(ctx, url: url, body: body, count: n, concurrency: concurrency, key: key, stream: stream))
            }
            let t = ts.sorted { $0.wall < $1.wall }[ts.count / 2], c = cu.sorted { $0.wall < $1.wall }[cu.count / 2]
            let ratio = t.wall / c.wall
            out.details["4 overhead", default: []].append(
                "\(name): \(n) requests, \(concurrency) in flight: Touchstone \(ts.map { fmt($0.wall) }.joined(separator: "/")) s, curl \(cu.map { fmt($0.wall) }.joined(separator: "/")) s; ok \(t.ok)/\(c.ok)")
            out.figures.append(Figure(
                target: 4, name: "per request, \(name), \(concurrency) in flight",
                goal: i == 0 ? "≤ 1.5× curl" : "≤ 1.5× curl (supporting)",
                measured: "\(fmt(t.wall * 1e6 / Double(n), 0)) µs/request",
                alternative: "curl \(fmt(c.wall * 1e6 / Double(n), 0)) µs/request", ratio: "\(fmt(ratio))×",
                met: ratio <= 1.5 && t.ok == n && c.ok == n,
                note: t.ok == n && c.ok == n ? "" : "failed requests: Touchstone \(n - t.ok), curl \(n - c.ok)",
                load: ctx.load))
        }
        return out
    }
}
