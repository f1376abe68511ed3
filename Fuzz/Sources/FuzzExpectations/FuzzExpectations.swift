import FuzzDriver
import TouchstoneCore
import TouchstoneReports

/// libFuzzer entry: the input is the text of an expectations file (YAML or JSON,
/// docs/expectations.md).
///
/// Besides "no crash, no hang, no runaway memory" (an alias bomb must be refused, not
/// walked), it checks: a file that does not parse is rejected with `ExpectationsError`, naming
/// this file, with at least one problem, each with a message and a line and column that are
/// both set or both 0; a file that parses answers rule lookups for any target and feature.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpectations(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = "fuzz-expect.yaml"
    do {
        let expectations = try Expectations.parse(text, file: file)
        for rule in expectations.rules {
            precondition(!rule.expectation.accepted.isEmpty, "a rule that accepts nothing: \(rule)")
            _ = expectations.rule(target: rule.target, feature: rule.feature)
        }
        _ = expectations.rule(target: "ollama", feature: "chat.basic")
    } catch let e as ExpectationsError {
        precondition(e.file == file, "error names file \(e.file)")
        precondition(!e.problems.isEmpty, "ExpectationsError without a problem")
        for p in e.problems {
            precondition(!p.message.isEmpty, "problem without a message")
            precondition((p.line >= 1 && p.column >= 1) || (p.line == 0 && p.column == 0), "half a place: \(p)")
        }
    } catch {
        fatalError("unexpected error type \(type(of: error)): \(error)")
    }
    return 0
}

@_cdecl("FuzzExpectations_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    touchstone_fuzz_main(argc, argv)
}
