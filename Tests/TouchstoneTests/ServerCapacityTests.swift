import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneKit

/// The server-slots question shares the session with the suites: llama.cpp's `GET /props`
/// answers both it and the `context_length` quirk, and is sent once.
@Suite("Server capacity")
struct ServerCapacityTests {
    @Test func propsIsAskedOnceForSlotsAndContextWindow() async throws {
        let p = Personalities.llamacpp
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let report = try await {
            let target = try Target(name: p.name, baseURL: server.baseURL, model: p.chatModel,
                                    embeddingModel: p.embeddingModel, apiKey: p.apiKey)
            return await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20)).probe(target)
        }()
        await server.stop()
        #expect(report.quirks["server_slots"] != nil && report.quirks["context_length"] != nil, "\(report.quirks)")
        #expect(server.requestLog.filter { $0 == "GET /props" }.count == 1, "\(server.requestLog)")
    }
}
