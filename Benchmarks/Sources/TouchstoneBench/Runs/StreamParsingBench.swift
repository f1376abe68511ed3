import BenchStreams
import Foundation

/// Target 3: SSE + chunk JSON decoding of one recorded stream of ~250-byte chat chunks, by
/// Touchstone and by the official OpenAI Python SDK, side by side on the same bytes.
enum StreamParsingBench {
    struct PyResult: Codable {
        var bytes: Int
        var events: Int
        var seconds: Double
        var mb_per_s: Double
        var events_per_s: Double
    }

    static func python(_ ctx: BenchContext, file: String, mode: String, repeats: Int) throws -> PyResult {
        let r = try Child.run([ctx.python, ctx.repo + "/Benchmarks/python/openai_stream_decode.py",
                               "--file", file, "--mode", mode, "--repeat", "\(repeats)"], timeout: 1800)
        return try JSONDecoder().decode(PyResult.self, from: Data(r.stdout.utf8))
    }

    static func swift(_ ctx: BenchContext, file: String, megabytes: Int, repeats: Int) throws -> PyResult {
        let r = try Child.run([ctx.me, "parse", "--file", file, "--megabytes", "\(megabytes)", "--repeat", "\(repeats)"])
        return try JSONDecoder().decode(PyResult.self, from: Data(r.stdout.utf8))
    }

    static func run(_ ctx: BenchContext) async throws -> BenchOutput {
        let mb = ctx.quick ? 8 : 64
        let file = "\(ctx.work)/stream-\(mb)MB.sse"
        _ = try StreamFile.load(file, megabytes: mb)
        let (bytes, events) = (try Data(contentsOf: URL(fileURLWithPath: file)).count, 0)
        _ = events
        // Interleaved, best of each: Touchstone, the SDK's decoder, Touchstone again, the whole SDK stream.
        let ts1 = try swift(ctx, file: file, megabytes: mb, repeats: 5)
        let dec = try python(ctx, file: file, mode: "decoder", repeats: ctx.quick ? 2 : 5)
        let ts2 = try swift(ctx, file: file, megabytes: mb, repeats: 5)
        let sdk = try python(ctx, file: file, mode: "sdk", repeats: 1)
        let ts = ts1.seconds <= ts2.seconds ? ts1 : ts2
        let ratio = dec.seconds / ts.seconds
        var out = BenchOutput()
        out.details["3 stream parsing"] = [
            "stream: \(bytes) bytes, \(ts.events) events (\(bytes / max(1, ts.events)) bytes/event), 16 KiB reads",
            "Touchstone: \(fmt(ts1.mb_per_s, 1)) and \(fmt(ts2.mb_per_s, 1)) MB/s (best of 5 each)",
            "OpenAI SDK SSEDecoder + json.loads: \(fmt(dec.mb_per_s, 1)) MB/s, \(fmt(dec.events_per_s, 0)) chunks/s",
            "OpenAI SDK Stream[ChatCompletionChunk] (typed objects): \(fmt(sdk.mb_per_s, 2)) MB/s, \(fmt(sdk.events_per_s, 0)) chunks/s",
        ]
        out.figures.append(Figure(
            target: 3, name: "SSE + chunk JSON decoding, \(mb) MB of ~\(bytes / max(1, ts.events))-byte chunks",
            goal: "≥ 10× OpenAI SDK", measured: "\(fmt(ts.mb_per_s, 1)) MB/s, \(fmt(ts.events_per_s / 1000, 0))k chunks/s",
            alternative: "SDK decoder \(fmt(dec.mb_per_s, 1)) MB/s, \(fmt(dec.events_per_s / 1000, 0))k chunks/s",
            ratio: "\(fmt(ratio, 1))×", met: ratio >= 10,
            note: "vs the SDK's whole Stream[ChatCompletionChunk] (\(fmt(sdk.mb_per_s, 2)) MB/s, \(fmt(sdk.events_per_s / 1000, 1))k chunks/s): \(fmt(sdk.seconds / ts.seconds, 0))×",
            load: ctx.load))
        return out
    }
}
