/// Every report format, in the order outputs are checked and written.
public enum ReportWriters {
    public static let all: [any ReportWriter] = [JSONFormat(), JUnitFormat(), MarkdownFormat(), HTMLFormat()]

    /// The writer of `option` (`--junit`), if there is one.
    public static func named(_ option: String) -> (any ReportWriter)? { all.first { $0.option == option } }
}
