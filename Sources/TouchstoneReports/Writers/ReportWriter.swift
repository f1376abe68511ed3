/// One report format: the command-line option that names its file, and how to write it.
/// `run`, `probe` and `merge` choose their outputs from `ReportWriters.all` through
/// `ReportSelection`, so a format is added in one place.
public protocol ReportWriter: Sendable {
    /// The option naming the file (`--json`).
    var option: String { get }
    /// Writes the report where `path` leads: a file (atomically), `-` for standard output,
    /// or a special file such as a pipe.
    func write(_ source: ReportSource, to path: String) throws
}
