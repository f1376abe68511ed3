import Testing
@testable import TouchstoneKit

/// Suite files written in a test, read by the real loader.
enum SuiteText {
    /// The errors the loader reports for `text` as one suite file (none when it loads).
    static func errors(_ text: String, file: String = "bad.yaml") -> [SuiteError] {
        errors { _ = try SuiteLoader.load(text: text, file: file) }
    }

    /// The errors `load` throws as `SuiteErrors` (suites, a set of them, a targets file); none
    /// when it returns. Any other error is an issue of the test.
    static func errors(of load: () throws -> Void) -> [SuiteError] {
        do {
            try load()
            return []
        } catch let e as SuiteErrors {
            return e.errors
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }
}
