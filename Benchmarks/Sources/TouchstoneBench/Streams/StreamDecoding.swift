import ArgumentParser
import BenchStreams
import Foundation

/// Decodes a recorded stream file with Touchstone's parsers (best of `--repeat`); prints JSON.
/// Also the target of `valgrind --tool=callgrind` when profiling.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Decode a recorded SSE stream with Touchstone's parsers (a benchmark helper).")

    @Option(help: "The recorded stream (written when missing).")
    var file: String

    @Option(help: "Size of the stream to record when the file is missing, MB.")
    var megabytes = 64

    @Option(help: "Bytes per network read.")
    var piece = 16384

    @Option(name: .customLong("repeat"))
    var repetitions = 5

    func run() throws {
        let bytes = try StreamFile.load(file, megabytes: megabytes)
        let pieces = StreamDecoding.pieces(bytes, size: piece)
        var best: StreamDecoding.Result?
        for _ in 0..<max(1, repetitions) {
            let r = StreamDecoding.decode(pieces)
            if best == nil || r.seconds < best!.seconds { best = r }
        }
        let b = best!
        print("{\"bytes\":\(b.bytes),\"events\":\(b.events),\"seconds\":\(b.seconds),\"mb_per_s\":\(b.mbPerSecond),\"events_per_s\":\(b.eventsPerSecond)}")
    }
}

