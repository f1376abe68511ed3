import Foundation

/// A child process: the benchmark's own helpers (emulators, stream sources, probe runs) and the
/// tools it compares with (`curl`, Python). Output goes to files, never pipes, so a chatty
/// child cannot block on a full pipe.
final class Child: @unchecked Sendable {
    let process = Process()
    let arguments: [String]
    private let stdoutURL: URL
    private let stderrURL: URL
    private(set) var started = 0.0

    struct Finished: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Seconds from launch to exit.
        var wall: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `arguments[0]` is a path or a name looked up on PATH.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        self.arguments = arguments
        let dir = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString
        stdoutURL = dir.appendingPathComponent("touchstone-bench-\(tag).out")
        stderrURL = dir.appendingPathComponent("touchstone-bench-\(tag).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: try Child.resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
    }

    static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure(description: "`\(name)` is not on PATH")
    }

    var pid: Int32 { process.processIdentifier }

    func start() throws {
        started = now()
        try process.run()
    }

    /// Waits for exit (killing the child after `timeout` seconds).
    func wait(timeout: Double = 600) throws -> Finished {
        let deadline = now() + timeout
        while process.isRunning {
            if now() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "\(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s")
            }
            usleep(2000)
        }
        process.waitUntilExit()
        let wall = now() - started
        return Finished(status: process.terminationStatus, stdout: read(stdoutURL), stderr: read(stderrURL), wall: wall)
    }

    /// Stops a long-running child (SIGTERM) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    var stdoutSoFar: String { read(stdoutURL) }
    var stderrSoFar: String { read(stderrURL) }

    private func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    /// Runs to completion; a non-zero exit is an error carrying the child's stderr.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 600,
                    allowFailure: Bool = false) throws -> Finished {
        let child = try Child(arguments, environment: environment)
        try child.start()
        let r = try child.wait(timeout: timeout)
        if r.status != 0 && !allowFailure {
            throw Failure(description: "\(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr.suffix(2000))")
        }
        return r
    }

    /// Starts a server child and waits for the first stdout line (its JSON announcement).
    static func serve(_ arguments: [String], timeout: Double = 60) throws -> (Child, String) {
        let child = try Child(arguments)
        try child.start()
        let deadline = now() + timeout
        while now() < deadline {
            let out = child.stdoutSoFar
            if let nl = out.firstIndex(of: "\n") { return (child, String(out[..<nl])) }
            if !child.process.isRunning {
                throw Failure(description: "\(arguments.joined(separator: " ")) exited: \(child.stderrSoFar.suffix(2000))")
            }
            usleep(10_000)
        }
        child.stop()
        throw Failure(description: "\(arguments.joined(separator: " ")) did not announce itself in \(Int(timeout)) s")
    }
}

/// Samples a process's resident set size on a thread of its own until stopped.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [(t: Double, kB: Int)] = []
    private var running = true

    init(pid: Int32, interval: Double = 0.05) {
        let start = now()
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                if let kB = ProcStatus.rssKB(pid: pid) {
                    let t = now() - start
                    lock.withLock { samples.append((t, kB)) }
                }
                usleep(UInt32(interval * 1e6))
            }
        }
    }

    /// Stops sampling; the samples so far (seconds since start, kB).
    func stop() -> [(t: Double, kB: Int)] {
        lock.withLock {
            running = false
            return samples
        }
    }
}
