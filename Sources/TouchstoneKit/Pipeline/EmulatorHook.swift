import TouchstoneCore

/// How a run starts the emulators its `emulate:` targets name. TouchstoneKit does not depend
/// on the emulator (the engine probes any upstream; the emulator is one); the command line
/// passes a hook built on `TouchstoneEmulator`.
public struct EmulatorHook: Sendable {
    public enum Problem: Error, Sendable {
        case unknownPersonality(known: [String])
        /// The knob overrides do not apply (the message says why).
        case knobs(String)
    }

    /// The personalities `--emulate all` means.
    public var allNames: [String]
    /// The problem with a personality and its knob overrides, checked before anything starts.
    public var check: @Sendable (_ personality: String, _ knobs: [String: JSONValue]?) -> Problem?
    /// Starts one emulator; its base URL, model and key complete the target.
    public var start: @Sendable (_ personality: String, _ knobs: [String: JSONValue]?) async throws -> TargetSpec.Emulated
    /// Stops every emulator started.
    public var stopAll: @Sendable () async -> Void

    public init(allNames: [String],
                check: @escaping @Sendable (String, [String: JSONValue]?) -> Problem?,
                start: @escaping @Sendable (String, [String: JSONValue]?) async throws -> TargetSpec.Emulated,
                stopAll: @escaping @Sendable () async -> Void) {
        self.allNames = allNames
        self.check = check
        self.start = start
        self.stopAll = stopAll
    }
}
