/// What a run tells its user while it runs: progress events, and lines of notes, warnings and
/// errors. The library knows nothing of the terminal; the command line renders these.
public protocol RunObserver: Sendable {
    /// A target's progress (started, a case finished, done).
    func handle(_ event: RunEvent)
    /// One line for the user (a warning, a note, a report that could not be written).
    func note(_ text: String)
    /// Probing is over: a live progress display should go.
    func probingFinished()
}

/// Tells nothing (tests, embedding).
public struct SilentRunObserver: RunObserver {
    public init() {}
    public func handle(_ event: RunEvent) {}
    public func note(_ text: String) {}
    public func probingFinished() {}
}
