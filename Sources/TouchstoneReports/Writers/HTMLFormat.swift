import Foundation

/// `--html`: the matrix as a self-contained HTML page, with the evidence.
public struct HTMLFormat: ReportWriter {
    public let option = "--html"
    public init() {}

    public func write(_ source: ReportSource, to path: String) throws {
        let page = HTMLMatrixWriter.page(try source.withEvidence(), redactor: source.redactor)
        try ReportOutput.write(Data(page.utf8), to: path)
    }
}
