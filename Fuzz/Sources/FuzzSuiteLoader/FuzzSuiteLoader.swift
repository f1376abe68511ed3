import FuzzDriver
import TouchstoneCore
import TouchstoneKit

/// libFuzzer entry: the input is the text of a suite file (YAML).
///
/// Besides "no crash, no hang", it checks what users are promised: bad input is rejected with
/// errors that each name this file and a line and column (1-based), and a suite that loads can
/// be planned (`selectedCases`, which walks the prerequisite graph) without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSuiteLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = "fuzz.yaml"
    do {
        let suites = try SuiteLoader.load(sources: [(text: text, file: file)])
        _ = Prober(suites: suites).selectedCases()
        _ = Prober(suites: suites, options: ProbeOptions(include: ["*.b*"], exclude: ["a.*"])).selectedCases()
    } catch let e as SuiteErrors {
        precondition(!e.errors.isEmpty, "SuiteErrors without an error")
        for error in e.errors {
            precondition(error.location.file == file, "error names file \(error.location.file): \(error)")
            precondition(error.location.line >= 1 && error.location.column >= 1, "error without a line and column: \(error)")
            precondition(!error.message.isEmpty, "error without a message")
        }
    } catch {
        fatalError("unexpected error type \(type(of: error)): \(error)")
    }
    return 0
}

@_cdecl("FuzzSuiteLoader_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    touchstone_fuzz_main(argc, argv)
}
