/// The emulators of one run: each started on a free port, all stopped together.
public actor EmulatorPool {
    private var servers: [EmulatorServer] = []

    public init() {}

    /// Starts `personality` with `knobs` (its own unless overridden).
    public func start(_ personality: Personality, knobs: Knobs? = nil) async throws -> EmulatorServer {
        let server = EmulatorServer(knobs: knobs ?? personality.knobs, chatModel: personality.chatModel,
                                    embeddingModel: personality.embeddingModel, apiKey: personality.apiKey,
                                    fault: personality.fault)
        try await server.start()
        servers.append(server)
        return server
    }

    /// Stops every emulator started (a second call finds none).
    public func stopAll() async {
        let started = servers
        servers = []
        for s in started { await s.stop() }
    }
}
