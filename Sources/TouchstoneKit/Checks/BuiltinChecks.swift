import Foundation
import TouchstoneCore

/// The registry of named checks for structure that is awkward to write declaratively.
/// Each lives in its own file by topic (ChatChecks, StreamChecks, ToolChecks, …).
enum BuiltinChecks {
    static let all: [String: BuiltinCheck] = {
        var m: [String: BuiltinCheck] = [:]
        for (k, v) in ChatChecks.checks { m[k] = v }
        for (k, v) in StreamChecks.checks { m[k] = v }
        for (k, v) in ToolChecks.checks { m[k] = v }
        for (k, v) in EmbeddingChecks.checks { m[k] = v }
        for (k, v) in EndpointChecks.checks { m[k] = v }
        for (k, v) in ResponsesChecks.checks { m[k] = v }
        for (k, v) in ErrorChecks.checks { m[k] = v }
        return m
    }()
}

/// Small helpers shared by the checks.
enum Shape {
    static func isInteger(_ v: JSONValue?) -> Bool { v?.typeName == "integer" }

    /// The value as an `Int` when it is an integer that one holds exactly (`3`, `3.0`); nil for
    /// fractions, non-numbers and integers beyond `Int` (`1e300`).
    static func exactInteger(_ v: JSONValue?) -> Int? {
        switch v {
        case .int(let i): i
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }
    static func words(_ s: String) -> [Substring] { s.split(whereSeparator: { $0.isWhitespace }) }
}
