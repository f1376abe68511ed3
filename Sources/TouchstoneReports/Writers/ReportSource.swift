import Foundation
import TouchstoneCore

/// What the report writers write from: the report, the redactor every string passes through,
/// the expectations JUnit reads against, and the Markdown style.
///
/// A run's report holds the targets' outlines (no evidence); the writers that show evidence
/// (JUnit, HTML) read the targets back from the run's `CompactReport` once, on first use, and
/// the JSON report is streamed from it one target at a time. A merged report is complete.
public final class ReportSource: @unchecked Sendable {
    public enum MarkdownStyle: Sendable {
        /// The capability table (`probe`).
        case table
        /// The grouped matrix with latency and quirks (`run`, `merge`).
        case matrix
    }

    /// The report; its targets have no evidence when a `CompactReport` holds it.
    public let report: Report
    public let redactor: Redactor
    public let expectations: Expectations?
    public let markdown: MarkdownStyle
    private let compact: CompactReport?
    private let lock = NSLock()
    private var full: Report?

    /// A complete report (`merge`), or a run's outline with its compact targets.
    public init(report: Report, compact: CompactReport? = nil, redactor: Redactor, expectations: Expectations? = nil,
                markdown: MarkdownStyle = .matrix) {
        self.report = report
        self.compact = compact
        self.redactor = redactor
        self.expectations = expectations
        self.markdown = markdown
    }

    /// The report with every target's evidence (read back once from the compact targets).
    public func withEvidence() throws -> Report {
        guard let compact else { return report }
        return try lock.withLock {
            if let full { return full }
            var r = report
            r.targets = try compact.fullTargets()
            full = r
            return r
        }
    }

    /// The JSON report (touchstone.report/v1), piece by piece.
    func emitJSON(_ emit: (Data) throws -> Void) throws {
        if let compact {
            try compact.writeJSON(report, emit: emit)
        } else {
            try emit(try JSONReportWriter.data(report))
        }
    }
}
