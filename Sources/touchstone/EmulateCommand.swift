import ArgumentParser
import Foundation
import TouchstoneEmulator

struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Serve a local OpenAI-compatible upstream with the documented quirks of a real server.",
        discussion: """
        Binds 127.0.0.1 and serves until interrupted. Point any client at the printed base URL.

          touchstone emulate --list
          touchstone emulate ollama --port 11434
        """
    )

    @Argument(help: "The personality to serve (see --list).")
    var personality: String?

    @Option(help: "Port to listen on (default: a free port).")
    var port: Int?

    @Flag(help: "Describe every personality and exit.")
    var list = false

    func run() async throws {
        if list || personality == nil {
            for p in Personalities.all {
                Terminal.out("\(p.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(p.summary)")
            }
            Terminal.out("\nFault personalities (not in `--emulate all`; probe them with a short --timeout):")
            for p in Personalities.faults {
                Terminal.out("\(p.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(p.summary)")
            }
            if personality == nil && !list { throw ValidationError("name a personality to serve") }
            return
        }
        guard let p = Personalities.named(personality!) else {
            throw ValidationError("unknown personality `\(personality!)`; see `touchstone emulate --list`")
        }
        let server = EmulatorServer(personality: p, port: port ?? 0)
        try await server.start()
        Terminal.out("serving `\(p.name)` at \(server.baseURL)")
        Terminal.out("model: \(p.chatModel)\(p.embeddingModel.map { ", embedding model: \($0)" } ?? "")")
        if let key = p.apiKey { print("bearer key (an emulator key, not a secret): \(key)") }
        Terminal.out("press Ctrl-C to stop")
        fflush(nil)  // flush stdout: a script reading the base URL through a pipe must see it now
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
