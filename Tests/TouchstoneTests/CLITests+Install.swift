import Foundation
import Testing
import TouchstoneCore

/// A copied binary works on its own: built-in suites, nothing picked up from the current directory.
extension CLITests {
    @Test func aCopiedBinaryProbesWithItsBuiltInSuitesWhereverItRuns() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("touchstone")
        try FileManager.default.copyItem(atPath: Self.binary, toPath: copy.path)
        // A broken ./suites folder where it runs must not be read.
        let local = dir.appendingPathComponent("suites")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        try "suite: [not, valid".write(to: local.appendingPathComponent("chat.yaml"), atomically: true, encoding: .utf8)
        let r = try await touchstone(["probe", "--emulate", "reference", "--quiet"], binary: copy.path,
                                     directory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("reference: \(FeatureCatalog.ids.count) supported"), "\(r.stdout)")
    }

    @Test func suitesValidateSaysPlainlyWhenThePathIsMissing() async throws {
        let r = try await touchstone(["suites", "validate", "no-such-dir"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-dir: no such file or directory"), "\(r.stderr)")
    }

    @Test func onlySuitesNeedsAFolder() async throws {
        let r = try await touchstone(["probe", "--emulate", "reference", "--only-suites"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--only-suites needs --suites"), "\(r.stderr)")
    }

    @Test func versionIsPrinted() async throws {
        let r = try await touchstone(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression) != nil, "\(r.stdout)")
    }
}
