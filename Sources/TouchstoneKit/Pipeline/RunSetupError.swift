/// A problem found before anything was sent, so the run does not start (exit 2); or, rarely,
/// the run's temporary store of finished targets failing (the reports cannot be made, exit 5).
public struct RunSetupError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// A usage error: the command line shows it with the command's usage.
        case usage
        /// A configuration error already stated in full (file positions, one per line).
        case configuration
        /// The run's store of finished targets failed after requests were sent: no report can
        /// be made (exit 5, not 2: something was sent).
        case reportsLost
    }

    /// The exit status for this error.
    public var status: ExitStatus { kind == .reportsLost ? .reportNotWritten : .usage }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
