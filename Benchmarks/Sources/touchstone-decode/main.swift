// Decodes a recorded SSE stream with Touchstone's parsers, synchronously and without
// Dispatch's main queue, so that `valgrind --tool=callgrind` can profile it
// (`scripts/bench.sh --profile`). Usage: touchstone-decode FILE [MEGABYTES] [REPEAT]
import BenchStreams
import Foundation

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: touchstone-decode FILE [MEGABYTES] [REPEAT]\n".utf8))
    exit(2)
}
do {
    let bytes = try StreamFile.load(args[1], megabytes: args.count > 2 ? Int(args[2]) ?? 8 : 8)
    let pieces = StreamDecoding.pieces(bytes, size: 16384)
    for _ in 0..<(args.count > 3 ? Int(args[3]) ?? 1 : 1) {
        let r = StreamDecoding.decode(pieces)
        print("\(r.bytes) bytes, \(r.events) events, \(String(format: "%.1f", r.mbPerSecond)) MB/s")
    }
} catch {
    FileHandle.standardError.write(Data("touchstone-decode: \(error)\n".utf8))
    exit(1)
}
