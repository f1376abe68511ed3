import ArgumentParser
import Foundation
import TouchstoneEmulator

/// Emulated upstreams in a process of their own, so their work never counts against the
/// harness being measured. Prints one JSON line (URLs, model, key), then serves until killed.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve reference emulators with injected latency (a benchmark helper).")

    @Option(help: "How many emulators (one port each).")
    var count = 1

    @Option(help: "Milliseconds before every response.")
    var responseDelay = 0

    @Option(help: "Milliseconds between two stream events.")
    var chunkDelay = 0

    struct Announcement: Codable {
        var urls: [String]
        var model: String
        var embeddingModel: String?
        var key: String?
    }

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard responseDelay >= 0, chunkDelay >= 0 else { throw ValidationError("delays cannot be negative") }
    }

    func run() async throws {
        let knobs = Knobs {
            $0.responseDelay = responseDelay > 0 ? .milliseconds(responseDelay) : .none
            $0.chunkDelay = chunkDelay > 0 ? .milliseconds(chunkDelay) : .none
        }
        let p = Personalities.reference
        var servers: [EmulatorServer] = []
        for _ in 0..<count {
            let s = EmulatorServer(knobs: knobs, chatModel: p.chatModel, embeddingModel: p.embeddingModel, apiKey: p.apiKey)
            try await s.start()
            servers.append(s)
        }
        let a = Announcement(urls: servers.map(\.baseURL), model: p.chatModel, embeddingModel: p.embeddingModel,
                             key: servers[0].apiKey)
        FileHandle.standardOutput.write(try JSONEncoder().encode(a) + Data("\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// The raw stream source (`RawSource`) in a process of its own. Prints `{"port": P}`.
struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source", abstract: "Serve raw test streams: fast, endless, stalled, timed (a benchmark helper).")

    func run() throws {
        let source = try RawSource()
        FileHandle.standardOutput.write(Data("{\"port\":\(source.port)}\n".utf8))
        source.serve()
    }
}
