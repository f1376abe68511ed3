import TouchstoneCore
import TouchstoneEmulator
import TouchstoneKit

extension EmulatorHook {
    /// The emulator personalities, started on free ports for a run and stopped after it.
    static func emulators() -> EmulatorHook {
        let pool = EmulatorPool()
        return EmulatorHook(
            allNames: Personalities.all.map(\.name),
            check: { name, knobs in
                guard let p = Personalities.named(name) else {
                    return .unknownPersonality(known: (Personalities.all + Personalities.faults).map(\.name))
                }
                do { _ = try knobs.map(p.knobs.overriding) } catch { return .knobs("\(error)") }
                return nil
            },
            start: { name, knobs in
                guard let p = Personalities.named(name) else { throw RunSetupError(.usage, "unknown personality `\(name)`") }
                let server = try await pool.start(p, knobs: try knobs.map(p.knobs.overriding))
                return .init(baseURL: server.baseURL, model: p.chatModel, embeddingModel: p.embeddingModel, apiKey: p.apiKey)
            },
            stopAll: { await pool.stopAll() })
    }
}
