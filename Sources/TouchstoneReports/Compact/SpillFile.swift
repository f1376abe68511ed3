import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file that pieces of text are appended to and read back from: what a
/// run keeps of its finished targets lives on disk, not in memory. The file is unlinked as soon
/// as it is created, so nothing is left behind, whatever ends the process.
final class SpillFile: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var size = 0

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/touchstone-spill-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFile.WriteError(path: NSTemporaryDirectory(), operation: "create a temporary file in", code: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `data`; returns where it went.
    func append(_ data: Data) throws -> Range<Int> {
        try lock.withLock {
            let start = size
            try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var done = 0
                while done < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(start + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw AtomicFile.WriteError(path: "a temporary file", operation: "write", code: errno)
                    }
                    done += n
                }
            }
            size += data.count
            return start..<size
        }
    }

    /// The bytes at `range`.
    func read(_ range: Range<Int>) throws -> Data {
        var out = Data(count: range.count)
        try out.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            var done = 0
            while done < raw.count {
                let n = pread(fd, raw.baseAddress! + done, raw.count - done, off_t(range.lowerBound + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.WriteError(path: "a temporary file", operation: "read", code: errno)
                }
                if n == 0 { throw AtomicFile.WriteError(path: "a temporary file", operation: "read", code: EIO) }
                done += n
            }
        }
        return out
    }
}
