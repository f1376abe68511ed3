/// An error made of diagnostics (a file reports all of its problems at once).
public protocol DiagnosticError: Error, CustomStringConvertible {
    var diagnostics: [Diagnostic] { get }
}

extension DiagnosticError {
    /// One diagnostic a line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
