import Foundation
import Subprocess
import Testing
import TouchstoneCore
import TouchstoneReports
#if canImport(System)
import System
#else
import SystemPackage
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where reports go: every path is checked before a request is sent; FIFOs, devices and `-`
/// are written in place; a symlink is written through (the link stays); one report that
/// cannot be written never costs the others. And no user- or upstream-supplied string reaches
/// the terminal with its control bytes. The real executable, real files.
@Suite("Report paths", .serialized)
struct ReportPathTests {
    /// Runs `touchstone` in `directory` (so a stray relative file lands in a temporary place).
    func touchstone(_ args: [String], in directory: URL) async throws -> CLITests.Outcome {
        let env: [Environment.Key: String?] = ["NO_COLOR": "1"]
        let r = try await run(.path(FilePath(CLITests.binary)), arguments: Arguments(args),
                              environment: .inherit.updating(env), workingDirectory: FilePath(directory.path),
                              output: .string(limit: 4 << 20), error: .string(limit: 1 << 20))
        let status: Int32 = switch r.terminationStatus {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
        return CLITests.Outcome(status: status, stdout: r.standardOutput, stderr: r.standardError)
    }

    @Test("a directory, a missing parent or an unwritable place as an output: exit 2 before any request")
    func badOutputPathsExitTwoBeforeSending() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let connections = Counter()
        let server = try RawServer { conn in
            _ = connections.next()
            guard conn.readRequest() != nil else { return }
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"data\":[]}")
        }
        defer { server.stop() }
        let probe = ["probe", server.url("/v1"), "--model", "m", "--features", "models.list", "--quiet", "--fail-on", "none"]
        let cases: [(flag: String, path: String, says: String)] = [
            ("--json", dir.path, "is a directory"),
            ("--junit", dir.appendingPathComponent("missing/parent/j.xml").path, "no such directory"),
            ("--markdown", "/proc/touchstone-report.md", "cannot create"),
        ]
        for c in cases {
            let other = c.flag == "--json" ? ["--html", dir.appendingPathComponent("ok.html").path]
                                           : ["--json", dir.appendingPathComponent("ok.json").path]
            let r = try await touchstone(probe + [c.flag, c.path] + other, in: dir)
            #expect(r.status == 2, "\(c.flag) \(c.path): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(c.flag) && r.stderr.contains(c.says), "\(c.flag) \(c.path): \(r.stderr)")
            #expect(connections.value == 0, "\(c.flag) \(c.path): a request was sent before the path was checked")
        }
        // Two reports to one file (through a symlink): the second would replace the first.
        let same = dir.appendingPathComponent("same.out").path
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("alias.out").path, withDestinationPath: same)
        let twice = try await touchstone(probe + ["--json", same, "--junit", dir.appendingPathComponent("alias.out").path], in: dir)
        #expect(twice.status == 2 && twice.stderr.contains("the same file as --json"), "\(twice.stderr)")
        #expect(connections.value == 0)
    }

    @Test("a FIFO and `-` are written in place, a symlink is written through and stays a link")
    func specialFilesAndSymlinks() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let real = dir.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        let link = dir.appendingPathComponent("table.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real/target.md")
        // The reader of the FIFO, on its own thread (open blocks until the writer comes).
        let got = RequestLog()
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            guard fd >= 0 else { return }
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                all += buffer[0..<n]
            }
            close(fd)
            got.append(all)
        }
        reader.start()
        let r = try await touchstone(["probe", "--emulate", "reference", "--features", "models.list", "--quiet",
                                      "--json", fifo, "--markdown", link, "--junit", "-"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        for _ in 0..<100 where got.all.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        // The FIFO is still a FIFO and its reader got the whole report.
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")
        let json = try #require(got.all.first)
        #expect((try? JSONReportWriter.decode(Data(json)))?.targets.first?.name == "reference")
        // The link is still a link; its target holds the table.
        #expect(lstat(link, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the symlink was replaced")
        #expect(try String(contentsOf: real.appendingPathComponent("target.md"), encoding: .utf8).contains("models.list"))
        // `-` is standard output: the JUnit document alone, no table around it, and no file named `-`.
        #expect(r.stdout.hasPrefix("<?xml") && r.stdout.contains("</testsuites>"), "\(r.stdout.prefix(200))")
        #expect(XMLSchemaValidation.wellFormednessError(Data(r.stdout.utf8)) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("-").path))
        // Only one output can be standard output.
        let two = try await touchstone(["probe", "--emulate", "reference", "--json", "-", "--junit", "-"], in: dir)
        #expect(two.status == 2 && two.stderr.contains("standard output"), "\(two.stderr)")
    }

    @Test("a report that cannot be written (a full device) costs no other: exit 5, the others written")
    func oneFailedReportKeepsTheOthers() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await touchstone(["probe", "--emulate", "reference", "--features", "models.list", "--quiet",
                                      "--json", "/dev/full", "--junit", dir.appendingPathComponent("j.xml").path,
                                      "--markdown", dir.appendingPathComponent("m.md").path], in: dir)
        #expect(r.status == 5, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("/dev/full"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("j.xml").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.md").path))
        var st = stat()
        #expect(lstat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "/dev/full is no longer a device")
    }

    @Test("terminal control sequences in names and URLs given by the user reach neither stderr nor stdout raw")
    func controlSequencesInNamesAreEscaped() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let targets = dir.appendingPathComponent("targets.yaml")
        // YAML double-quoted escapes: ESC ] 0 ; title BEL (sets the terminal title), ESC [ 2 J (clears it).
        try """
        targets:
          "evil\\e]0;pwned\\a\\e[2J":
            emulate: reference
        """.write(to: targets, atomically: true, encoding: .utf8)
        let evil = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J"
        let outcomes = [
            // A targets file's name, an unknown verdict, an unknown personality: each error quotes it.
            ("targets file", try await touchstone(["run", "--targets", targets.path], in: dir)),
            ("verdict", try await touchstone(["probe", "--emulate", "reference", "--fail-on", evil], in: dir)),
            ("personality", try await touchstone(["probe", "--emulate", evil], in: dir)),
        ]
        for (name, r) in outcomes {
            #expect(r.status == 2, "\(name): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("evil") && r.stderr.contains("\\u001B"), "\(name): \(r.stderr.debugDescription)")
            for text in [r.stderr, r.stdout] {
                #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(name): \(text.debugDescription)")
            }
        }
    }

    @Test("a key under 8 bytes is not masked inside words, the run says so once, and curl commands still name its variable")
    func shortKeyWarnsAndLeavesTextAlone() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = #"{"object":"list","data":[{"id":"none-of-them","object":"model","created":0,"owned_by":"nonesuch"}]}"#
        let server = try RawServer { conn in
            guard conn.readRequest() != nil else { return }
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        defer { server.stop() }
        let json = dir.appendingPathComponent("r.json").path
        let env: [Environment.Key: String?] = ["NO_COLOR": "1", "SHORT_KEY": "none"]
        let r = try await run(.path(FilePath(CLITests.binary)),
                              arguments: Arguments(["probe", server.url("/v1"), "--model", "m", "--features", "models.list",
                                                    "--api-key-env", "SHORT_KEY", "--fail-on", "none", "--json", json]),
                              environment: .inherit.updating(env), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        let stderr = r.standardError
        #expect(r.terminationStatus == .exited(0), "\(stderr)")
        #expect(stderr.components(separatedBy: "shorter than 8 bytes").count == 2, "\(stderr)")
        let report = try JSONReportWriter.decode(Data(contentsOf: URL(fileURLWithPath: json)))
        let result = try #require(report.targets.first?.features["models.list"])
        #expect(result.verdict == .supported)
        let evidence = try #require(result.evidence.first)
        #expect(evidence.response.contains("none-of-them") && evidence.response.contains("nonesuch"), "\(evidence.response)")
        #expect(!evidence.response.contains(Redactor.mask))
        #expect((evidence.curl ?? "").contains("Authorization: Bearer ${SHORT_KEY}"), "\(evidence.curl ?? "")")
    }
}
