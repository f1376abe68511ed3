import FuzzDriver
import TouchstoneCore

/// libFuzzer entry: the first line of the input is a JSONPath expression, the rest a JSON
/// document (the step documents suites assert on come from untrusted upstream bodies).
///
/// Besides "no crash, no hang", it checks properties the engine relies on:
/// - a valid path's canonical text parses back to the same path;
/// - a parsed document serializes to text that parses back to the same value;
/// - the size measured without parsing (`JSONSize`) bounds the parsed tree;
/// - evaluation selects only values that are in the document, and `first` is the first of them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
    let pathText = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<newline]), as: UTF8.self)
    let document = UnsafeBufferPointer(rebasing: bytes[min(newline + 1, bytes.count)...])

    var path: JSONPath? = nil
    do throws(JSONPathError) {
        let p = try JSONPath(pathText)
        let canonical = p.description
        guard let again = try? JSONPath(canonical), again == p else {
            fatalError("JSONPath \(pathText.debugDescription) renders as \(canonical.debugDescription), which does not parse back to it")
        }
        path = p
    } catch {
        precondition(error.column >= 1 && error.column <= pathText.unicodeScalars.count + 1,
                     "error column \(error.column) outside the path \(pathText.debugDescription)")
    }

    guard let value = try? JSONParser.parse(buffer: document) else { return 0 }
    // The size measured without parsing bounds what the parse built from above (a run decides
    // from it whether to build a tree at all); more only where an object repeats a key, whose
    // earlier values the parse drops.
    func built(_ v: JSONValue) -> JSONSize {
        switch v {
        case .array(let a): a.reduce(JSONSize(values: 1, containers: 1)) { $0 + built($1) }
        case .object(let o): o.values.reduce(JSONSize(values: 1, containers: 1)) { $0 + built($1) }
        default: JSONSize(values: 1, containers: 0)
        }
    }
    let measured = JSONSize.measure(document), tree = built(value)
    if measured.containers < tree.containers || measured.values < tree.values {
        fatalError("JSONSize.measure says \(measured), the parsed tree has \(tree)")
    }
    for sorted in [true, false] {
        let text = value.serializedBytes(sortedKeys: sorted)
        guard let back = try? JSONParser.parse(text) else {
            fatalError("serialized JSON does not parse: \(String(decoding: text, as: UTF8.self).debugDescription)")
        }
        if back != value {
            fatalError("JSON round trip changed the value: \(value) → \(back)")
        }
    }
    if let path {
        let selected = path.evaluate(value)
        precondition(path.first(in: value) == selected.first, "first(in:) disagrees with evaluate")
        if path.segments.isEmpty { precondition(selected == [value], "$ must select the document") }
        // Each selected value is reachable: evaluating the path on the value's own
        // single-step prefixes never yields more than the whole evaluation.
        let prefix = JSONPath(segments: Array(path.segments.dropLast()))
        if !path.segments.isEmpty && !selected.isEmpty {
            precondition(!prefix.evaluate(value).isEmpty, "a path selects values but its prefix selects none")
        }
    }
    return 0
}

@_cdecl("FuzzJSONPath_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    touchstone_fuzz_main(argc, argv)
}
