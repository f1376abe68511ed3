import Foundation
import Testing
import TouchstoneEmulator

/// Usage errors a newcomer meets, each found before anything is served or sent.
extension CLITests {
    @Test func emulateOnABusyPortIsAUsageErrorThatSaysSo() async throws {
        let busy = EmulatorServer(personality: Personalities.reference)
        try await busy.start()
        defer { Task { await busy.stop() } }
        let r = try await touchstone(["emulate", "reference", "--port", "\(busy.port)"])
        await busy.stop()
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("cannot listen on 127.0.0.1:\(busy.port)") && r.stderr.contains("--port"), "\(r.stderr)")
        #expect(!r.stdout.contains("serving"))
    }

    @Test func emulateListNeverCutsANameShort() async throws {
        let r = try await touchstone(["emulate", "--list"])
        #expect(r.status == 0)
        for p in Personalities.all + Personalities.faults {
            #expect(r.stdout.contains("\(p.name)  "), "\(p.name) is cut or run into its summary")
        }
    }
}
