import Testing
@testable import TouchstoneKit

/// Suite files written in a test, read by the real loader.
enum SuiteText {
    /// The errors the loader reports for `text` as one suite file (none when it loads).
    static func errors(_ text: String, file: String = "bad.yaml") -> [SuiteError] {
        do {
            _ = try SuiteLoader.load(text: text, file: file)
            return []
        } catch let e as SuiteErrors {
            return e.errors
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }
}
