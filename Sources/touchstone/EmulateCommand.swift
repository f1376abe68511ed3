import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneKit

struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Serve a local OpenAI-compatible upstream with the documented quirks of a real server.",
        usage: """
        touchstone emulate [<personality>] [--port <port>]
          [--knob <name=value> ...] [--list]
        """,
        discussion: """
        Binds 127.0.0.1 and serves until interrupted. Point any client at the printed
        base URL.

          touchstone emulate --list
          touchstone emulate ollama --port 11434
          touchstone emulate azure --knob pathPrefix=azureDeployments
              (Azure's classic data plane)
        """
    )

    @Argument(help: "The personality to serve (see --list).")
    var personality: String?

    @Option(help: "Port to listen on (default: a free port).")
    var port: Int?

    @Option(help: ArgumentHelp("Override one of the personality's knobs (repeatable; docs/emulator.md § Knobs).", valueName: "name=value"))
    var knob: [String] = []

    @Flag(help: "Describe every personality and exit.")
    var list = false

    func run() async throws {
        if list || personality == nil {
            // One name column wide enough for the longest name: names are never cut.
            let width = (Personalities.all + Personalities.faults).map(\.name.count).max() ?? 0
            func row(_ p: Personality) -> String { "\(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.summary)" }
            Personalities.all.forEach { Terminal.out(row($0)) }
            Terminal.out("\nFault personalities (not in `--emulate all`; probe them with a short --timeout):")
            Personalities.faults.forEach { Terminal.out(row($0)) }
            if personality == nil && !list { throw ValidationError("name a personality to serve") }
            return
        }
        guard let p = Personalities.named(personality!) else {
            throw ValidationError("unknown personality `\(personality!)`; see `touchstone emulate --list`")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        let server = EmulatorServer(knobs: try knobs(p), chatModel: p.chatModel, embeddingModel: p.embeddingModel,
                                    apiKey: p.apiKey, fault: p.fault, port: port ?? 0)
        do {
            try await server.start()
        } catch {
            // A busy or forbidden port is the user's to fix: a usage error, before anything is served.
            Terminal.error("error: \(error). Choose another --port, or omit it for a free one.\n")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        Terminal.out("serving `\(p.name)` at \(server.baseURL)")
        Terminal.out("model: \(p.chatModel)\(p.embeddingModel.map { ", embedding model: \($0)" } ?? "")")
        if let key = p.apiKey { Terminal.out("bearer key (an emulator key, not a secret): \(key)") }
        Terminal.out("press Ctrl-C to stop")
        fflush(nil)  // flush stdout: a script reading the base URL through a pipe must see it now
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    /// The personality's knobs with `--knob` overrides (a value is read as JSON when it
    /// parses, else as a string: `--knob pathPrefix=none`, `--knob maxN=2`).
    func knobs(_ p: Personality) throws -> Knobs {
        var overrides: [String: JSONValue] = [:]
        for item in knob {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--knob takes NAME=VALUE, got `\(item)`") }
            guard p.knobs.names.contains(parts[0]) else { throw ValidationError("unknown knob `\(parts[0])`; see docs/emulator.md § Knobs") }
            overrides[parts[0]] = (try? JSONParser.parse(Array(parts[1].utf8))) ?? .string(parts[1])
        }
        do {
            return try p.knobs.overriding(overrides)
        } catch {
            throw ValidationError("--knob: \(error.description)")
        }
    }
}
