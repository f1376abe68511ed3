import Foundation
import Testing

/// `touchstone suites checks`: the named checks with their examples, as docs/checks.md holds them.
extension CLITests {
    @Test func suitesChecksPrintsTheCheckedInReference() async throws {
        let r = try await touchstone(["suites", "checks"])
        #expect(r.status == 0, "\(r.stderr)")
        let file = try String(contentsOf: Paths.root.appendingPathComponent("docs/checks.md"), encoding: .utf8)
        #expect(r.stdout == file, "docs/checks.md is stale: \(CheckExampleTests.regenerate)")
        #expect(r.stdout.contains("\n## `stop_honoured`\n") && r.stdout.contains("Arguments: `control` (required), `piece` (required)."))
    }
}
