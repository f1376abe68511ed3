import Foundation

/// One problem found in something the user wrote — a suite file, a targets file, an
/// expectations file, the command line — with its place and, when the message does not say
/// it already, how to fix it. Every loader that reports file positions reports through this
/// type, so every such problem reads the same: `file:line:column: error: message`.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }
    }

    public var severity: Severity
    public var file: String
    /// 1-based; 0 when the problem is the file's as a whole (it cannot be read, it is missing).
    public var line: Int
    /// 1-based; 0 with `line` 0.
    public var column: Int
    public var message: String
    /// How to fix it, when the message does not already say.
    public var fix: String?

    public init(_ severity: Severity = .error, file: String, line: Int, column: Int, message: String, fix: String? = nil) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// `file:line:column: error: message` (`file: error: message` for the file as a whole),
    /// the fix after a semicolon.
    public var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return "\(place): \(severity.rawValue): \(message)" + (fix.map { "; \($0)" } ?? "")
    }

    public var errorDescription: String? { description }
}
