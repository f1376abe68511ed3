import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old content or the new, never a mix:
/// a temporary file in the same directory, `fsync`, `rename` over the destination, `fsync`
/// of the directory. The parent directory is created when missing. On any failure the
/// temporary file is removed and the destination is left untouched.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var operation: String
        public var code: Int32
        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(code)))"
        }
    }

    public static func write(_ data: Data, to path: String) throws {
        try write(parts: [data], to: path)
    }

    /// Writes the concatenation of `parts`, one after the other, without joining them in memory.
    public static func write(parts: [some DataProtocol], to path: String) throws {
        try write(to: path) { emit in for part in parts { try emit(Data(part)) } }
    }

    /// Writes what `produce` emits, piece by piece (a large report streamed from its per-target
    /// pieces, `CompactReport`): only the piece at hand is in memory.
    public static func write(to path: String, _ produce: (_ emit: (Data) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let temp = directory + "/." + name + ".tmp-\(getpid())-" + randomSuffix()
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw WriteError(path: temp, operation: "open", code: errno) }
        var committed = false
        defer { if !committed { unlink(temp) } }
        do {
            defer { close(fd) }
            // Keep the permissions of the file being replaced.
            var st = stat()
            if stat(path, &st) == 0 { _ = fchmod(fd, st.st_mode & 0o7777) }
            try produce { try writeAll($0, to: fd, path: temp) }
            guard fsync(fd) == 0 else { throw WriteError(path: temp, operation: "fsync", code: errno) }
        }
        guard rename(temp, path) == 0 else { throw WriteError(path: path, operation: "rename", code: errno) }
        committed = true
        // Make the rename itself durable; best effort.
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and interruptions.
    static func writeAll(_ bytes: some DataProtocol, to fd: Int32, path: String) throws {
        for region in bytes.regions {
            try region.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < raw.count {
                    let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(path: path, operation: "write", code: errno)
                    }
                    offset += n
                }
            }
        }
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}

/// `write(2)`, out of reach of `AtomicFile.write` shadowing it.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
