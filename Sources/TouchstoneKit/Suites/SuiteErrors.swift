import Foundation
import TouchstoneCore

/// A suite or configuration error with the place it was found: a `Diagnostic` located by a
/// `SourceLocation`.
public typealias SuiteError = Diagnostic

/// Several errors found in one pass (a file reports all of its problems at once).
public struct SuiteErrors: DiagnosticError, Sendable, LocalizedError {
    public var errors: [SuiteError]
    public var diagnostics: [Diagnostic] { errors }
    /// What could be read of a file despite its errors (its well-formed cases), so that the
    /// checks across files still run and every error is reported in one pass.
    var partial: Suite? = nil
    public init(_ errors: [SuiteError]) { self.errors = errors }
    init(_ errors: [SuiteError], partial: Suite?) {
        self.errors = errors
        self.partial = partial
    }
    public var errorDescription: String? { description }

    /// The text of a YAML file, or an error at its place: `what` names the file in messages
    /// ("file", "the targets file").
    static func readText(_ path: String, what: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: path, line: 0, column: 0),
                                          message: "cannot read \(what): \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: path, line: 1, column: 1),
                                          message: "\(what) is not valid UTF-8")])
        }
        return text
    }
}
