import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one report goes, decided (and checked) before a run sends anything.
///
/// - `-` is standard output.
/// - A character device or a FIFO (`/dev/stdout`, `/dev/null`, a named pipe) is opened and
///   written in place, never replaced.
/// - A symbolic link is followed: the report is written to its target, and the link stays.
/// - Anything else must be a regular file, or a new name in an existing directory where files
///   can be created: it is replaced atomically (`AtomicFile`).
/// A directory, a missing parent directory, a directory where no file can be created, a block
/// device or a socket is refused with a message saying which.
public enum ReportDestination: Sendable, Equatable {
    case standardOutput
    /// A character device or FIFO, written in place (the path after symbolic links).
    case special(String)
    /// A regular file, replaced atomically (the path after symbolic links).
    case file(String)

    /// Checks `path` and says where the report will go; the only side effect is a file
    /// created and removed at once in the directory, to know that one can be.
    public static func of(_ path: String) throws(ReportPathError) -> ReportDestination {
        if path == "-" { return .standardOutput }
        guard !path.isEmpty else { throw ReportPathError(path: path, problem: "an empty path") }
        guard !path.utf8.contains(0) else { throw ReportPathError(path: path, problem: "the path contains a NUL byte") }
        let resolved = try resolveLinks(path)
        var st = stat()
        if stat(resolved, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                throw ReportPathError(path: path, problem: "is a directory; give a file name")
            case S_IFCHR, S_IFIFO:
                guard access(resolved, W_OK) == 0 else {
                    throw ReportPathError(path: path, problem: "cannot be written (\(String(cString: strerror(errno))))")
                }
                return .special(resolved)
            case S_IFREG:
                try checkCreatable(in: parent(of: resolved), for: path)
                return .file(resolved)
            default:
                throw ReportPathError(path: path, problem: "is neither a regular file, a character device nor a FIFO")
            }
        }
        let directory = parent(of: resolved)
        var dst = stat()
        guard stat(directory, &dst) == 0 else {
            throw ReportPathError(path: path, problem: "no such directory `\(directory)`; create it first")
        }
        guard dst.st_mode & S_IFMT == S_IFDIR else {
            throw ReportPathError(path: path, problem: "`\(directory)` is not a directory")
        }
        try checkCreatable(in: directory, for: path)
        return .file(resolved)
    }

    /// Follows symbolic links (a chain, relative or absolute; a dangling last link names the
    /// file to create).
    static func resolveLinks(_ path: String) throws(ReportPathError) -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, Int(PATH_MAX))
            guard n > 0 else { return current }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : parent(of: current) + "/" + target
        }
        throw ReportPathError(path: path, problem: "too many levels of symbolic links")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let p = String(path[..<slash])
        return p.isEmpty ? "/" : p
    }

    /// Creates and removes a file in `directory`: the one sure test that the report can be
    /// written there (permissions, a read-only file system, /proc).
    static func checkCreatable(in directory: String, for path: String) throws(ReportPathError) {
        let probe = directory + "/.touchstone-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ReportPathError(path: path, problem: "cannot create files in `\(directory)` (\(String(cString: strerror(errno))))")
        }
        close(fd)
        unlink(probe)
    }
}
