/// Why a report cannot be written where it was asked to go.
public struct ReportPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    /// The option that named the path (`--json`), when known.
    public var option: String?

    public init(path: String, problem: String, option: String? = nil) {
        self.path = path
        self.problem = problem
        self.option = option
    }

    public var description: String { "\(option.map { "\($0) " } ?? "")\(path): \(problem)" }
}
