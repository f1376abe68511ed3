/// A problem found before anything was sent, so the run does not start (exit 2); or, rarely,
/// the run's temporary store of finished targets failing (the reports cannot be made).
public struct RunSetupError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// A usage error: the command line shows it with the command's usage.
        case usage
        /// A configuration error already stated in full (file positions, one per line).
        case configuration
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
