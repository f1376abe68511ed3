import FuzzDriver
import TouchstoneCore
import TouchstoneKit

/// libFuzzer entry: the input is the text of a targets file (YAML, docs/targets.md).
///
/// Besides "no crash, no hang, no runaway memory" (an alias bomb must be refused, not
/// expanded), it checks what users are promised: a file that does not load is rejected with
/// `SuiteErrors`, each naming this file and a line and column (1-based) with a message; a file
/// that loads gives targets with unique names, each remembering its place in the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTargetsFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = "fuzz-targets.yaml"
    do {
        let specs = try TargetsFile.load(text: text, file: file, environment: ["TEAM": "core", "A_KEY": "sk-fuzz"])
        var names = Set<String>()
        for spec in specs {
            precondition(names.insert(spec.name.lowercased()).inserted, "two targets named \(spec.name)")
            precondition(spec.location?.file == file, "target \(spec.name) without its place in the file")
        }
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

@_cdecl("FuzzTargetsFile_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    touchstone_fuzz_main(argc, argv)
}
