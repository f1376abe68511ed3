import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// Conditions and assertions written as a suite writes them, read by the real suite loader.
enum SuiteConditions {
    /// A case with steps `control` and `main` (the last, so the default step), and a verdict
    /// rule whose `when:` is `yaml`.
    static func suite(when yaml: String) throws -> Suite {
        try SuiteLoader.load(text: """
            cases:
              - feature: t.cond
                rule: {sends: "`GET /x`.", supported: when the condition holds., broken: otherwise.}
                steps:
                  - {id: control, request: {path: /x}}
                  - {id: main, if: {step: control, status: 2xx}, request: {path: /x}}
                verdicts:
                  - when: \(yaml)
                    verdict: supported
                    detail: ok
                  - verdict: broken
                    detail: "no"
            """, file: "conditions.yaml")
    }

    static func when(_ yaml: String) throws -> Condition {
        try #require(try suite(when: yaml).cases[0].verdicts[0].condition)
    }

    /// One assertion (`{path: …, OPERATOR: …}`).
    static func assertion(_ yaml: String) throws -> Assertion {
        guard case .asserts(_, let list) = try when("{assert: [\(yaml)]}"), list.count == 1 else {
            throw SuiteErrors([])
        }
        return list[0]
    }

    /// Why the suite loader refuses a condition, or nil when it loads.
    static func loadError(_ yaml: String) -> String? {
        do {
            _ = try suite(when: yaml)
            return nil
        } catch let e as SuiteErrors {
            return e.errors.map(\.message).joined(separator: "; ")
        } catch {
            return "\(error)"
        }
    }
}
