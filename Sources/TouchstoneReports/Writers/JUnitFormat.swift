/// `--junit`: JUnit XML, one testsuite per target × suite, read against the expectations when
/// there are any.
public struct JUnitFormat: ReportWriter {
    public let option = "--junit"
    public init() {}

    public func write(_ source: ReportSource, to path: String) throws {
        let report = try source.withEvidence()
        let data = if let expectations = source.expectations {
            try JUnitWriter.data(report, redactor: source.redactor, expectations: expectations)
        } else {
            try JUnitWriter.data(report, redactor: source.redactor)
        }
        try ReportOutput.write(data, to: path)
    }
}
