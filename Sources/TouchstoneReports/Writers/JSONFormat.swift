/// `--json`: the versioned JSON report (docs/report-json.md), streamed one target at a time.
public struct JSONFormat: ReportWriter {
    public let option = "--json"
    public init() {}

    public func write(_ source: ReportSource, to path: String) throws {
        try ReportOutput.write(to: path) { emit in try source.emitJSON(emit) }
    }
}
