import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes reports where `ReportDestination` says, and checks a command's outputs together
/// before anything is done.
public enum ReportOutput {
    /// Every problem with `outputs` (option, path): each path's own, one file named twice, and
    /// more than one `-`.
    /// Empty when all can be written.
    public static func problems(_ outputs: [(option: String, path: String)]) -> [ReportPathError] {
        var out: [ReportPathError] = []
        var files: [String: String] = [:]  // resolved path → the option that named it first
        for (option, path) in outputs {
            do {
                // Two reports to one file: the second would replace the first.
                if case .file(let resolved) = try ReportDestination.of(path) {
                    if let first = files[resolved] {
                        out.append(ReportPathError(path: path, problem: "the same file as \(first)", option: option))
                    } else {
                        files[resolved] = option
                    }
                }
            } catch {
                var e = error
                e.option = option
                out.append(e)
            }
        }
        let stdout = outputs.filter { $0.path == "-" }
        if stdout.count > 1 {
            out.append(ReportPathError(path: "-", problem: "only one report can go to standard output (\(stdout.map(\.option).joined(separator: ", ")))"))
        }
        return out
    }

    /// Writes `data` where `path` leads (see `ReportDestination`).
    public static func write(_ data: Data, to path: String) throws {
        try write(parts: [data], to: path)
    }

    /// Writes the concatenation of `parts` where `path` leads, without joining them in memory.
    public static func write(parts: [Data], to path: String) throws {
        try write(to: path) { emit in for part in parts { try emit(part) } }
    }

    /// Writes what `produce` emits where `path` leads, piece by piece.
    public static func write(to path: String, _ produce: (_ emit: (Data) throws -> Void) throws -> Void) throws {
        switch try ReportDestination.of(path) {
        case .standardOutput:
            try produce { try AtomicFile.writeAll($0, to: STDOUT_FILENO, path: "standard output") }
        case .special(let resolved):
            let fd = open(resolved, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw AtomicFile.WriteError(path: path, operation: "open", code: errno) }
            defer { close(fd) }
            try produce { try AtomicFile.writeAll($0, to: fd, path: path) }
        case .file(let resolved):
            try AtomicFile.write(to: resolved, produce)
        }
    }
}
