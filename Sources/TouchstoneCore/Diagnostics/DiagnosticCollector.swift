/// Gathers the diagnostics of one pass over a file (or a command line), so that every problem
/// is reported at once instead of the first alone.
public struct DiagnosticCollector: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public mutating func add(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    public mutating func add(contentsOf more: some Sequence<Diagnostic>) { diagnostics.append(contentsOf: more) }

    /// An error at `file:line:column`.
    public mutating func error(_ message: String, file: String, line: Int, column: Int, fix: String? = nil) {
        add(Diagnostic(.error, file: file, line: line, column: column, message: message, fix: fix))
    }

    /// The errors (a warning or a note does not stop anything).
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics with repetitions dropped (a problem in a shared part, such as a targets
    /// file's `defaults:`, is found once per place that uses it), in the order found.
    public var distinct: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }
}
