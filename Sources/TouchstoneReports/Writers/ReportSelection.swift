/// The reports a command was asked to write: each format's path, checked together before
/// anything is done and written so that one failure costs no other.
public struct ReportSelection: Sendable {
    public struct Output: Sendable {
        public var writer: any ReportWriter
        public var path: String
    }

    /// A report that could not be written.
    public struct Failure: Error, Sendable {
        public var option: String
        public var path: String
        public var error: any Error
    }

    /// In `ReportWriters.all` order.
    public let outputs: [Output]

    /// The outputs of `paths`, keyed by option (`--json`); options of no known format are
    /// ignored (the command line declares only known ones).
    public init(_ paths: [String: String]) {
        outputs = ReportWriters.all.compactMap { w in paths[w.option].map { Output(writer: w, path: $0) } }
    }

    public var isEmpty: Bool { outputs.isEmpty }

    /// True when a report goes to standard output (then it is all that goes there).
    public var usesStandardOutput: Bool { outputs.contains { $0.path == "-" } }

    /// Every problem with the paths: each path's own, one file named twice, more than one `-`.
    public func problems() -> [ReportPathError] {
        ReportOutput.problems(outputs.map { (option: $0.writer.option, path: $0.path) })
    }

    /// Writes every output; returns those that failed.
    public func write(_ source: ReportSource) -> [Failure] {
        var failures: [Failure] = []
        for o in outputs {
            do {
                try o.writer.write(source, to: o.path)
            } catch {
                failures.append(Failure(option: o.writer.option, path: o.path, error: error))
            }
        }
        return failures
    }
}
