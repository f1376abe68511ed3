import Foundation
import TouchstoneCore

/// `--markdown`: the capability table, or the grouped matrix with latency and quirks.
public struct MarkdownFormat: ReportWriter {
    public let option = "--markdown"
    public init() {}

    public func write(_ source: ReportSource, to path: String) throws {
        let report = source.report
        let text = switch source.markdown {
        case .matrix: MarkdownWriter.matrix(report, redactor: source.redactor)
        case .table:
            MarkdownWriter.table(report, featureOrder: FeatureCatalog.ordered(report.targets.flatMap { $0.features.keys }),
                                 redactor: source.redactor)
        }
        try ReportOutput.write(Data(text.utf8), to: path)
    }
}
