import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneKit

/// Every input the libFuzzer targets (Fuzz/, docs/fuzzing.md) found, minimized, with the
/// property it broke; and a replay of every saved crash file in Fixtures/fuzz/<target>/
/// (drop a new crash file there and it is checked by the same properties).
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    // MARK: - Found by FuzzSSEParser

    /// A too-long line reported its length as far as the parser had seen it when the limit was
    /// passed, so the violation (and the report) depended on how the network split the stream.
    /// Now the violation carries the line's whole length, however the bytes arrive.
    @Test func overlongLineLengthDoesNotDependOnChunking() {
        let stream = Array(#"data: {"error":{"message":"Internal error","type":"server_error","code":null}}"#.utf8) + [0x0A, 0x0A]
        let tiny = SSEParser.Configuration(maxLineLength: 16, maxEventLength: 40, maxRecordedViolations: 3)
        let whole = parse(stream, chunks: [], tiny)
        #expect(whole.violations == [.lineTooLong(offset: 0, length: 78)])
        for chunks in [[1, 8, 6, 1, 2, 8, 4, 8], [1], [17], [77], [78], [79]] {
            #expect(parse(stream, chunks: chunks, tiny).violations == whole.violations, "chunks \(chunks)")
        }
        // Unterminated at the end of the stream: the length counted up to the end.
        let open = Array("data: 0123456789abcdef".utf8)
        #expect(parse(open, chunks: [], tiny).violations == [.lineTooLong(offset: 0, length: 22)])
        #expect(parse(open, chunks: [5], tiny).violations == [.lineTooLong(offset: 0, length: 22)])
    }

    // MARK: - Found by FuzzSuiteLoader

    /// A verdict rule whose `verdict:` key was mistyped (`v+erdict:`) crashed the loader
    /// (a force unwrap), and so `touchstone suites validate` and every probe with that suite.
    @Test func verdictRuleWithoutVerdictIsAnErrorNotACrash() {
        let e = loadErrors("""
        cases:
          - feature: a.b
            verdicts:
              - v+erdict: ignored
                detail: x
        """)
        #expect(e.contains { $0.message.contains("unknown key `v+erdict`") && $0.message.contains("did you mean `verdict`")
            && $0.location.line == 4 })
        #expect(e.contains { $0.message.contains("verdict rule needs `verdict`") && $0.location.line == 4 })
    }

    /// The same force unwrap waited behind a variant without `request:`.
    @Test func variantWithoutRequestIsAnErrorNotACrash() {
        let e = loadErrors("""
        cases:
          - feature: a.b
            steps:
              - id: s
                variants:
                  - if: {feature: {a.b: supported}}
            verdicts: [{verdict: supported, detail: ok}]
            rule: {sends: x, supported: x}
        """)
        #expect(e.contains { $0.message.contains("variant needs `request`") && $0.location.line == 6 })
    }

    // MARK: - Saved crash inputs, replayed

    @Test(arguments: FuzzRegressionTests.fixtures("SuiteLoader"))
    func suiteCrashInputLoadsOrFailsWithPlaces(_ file: URL) throws {
        let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        do {
            _ = try SuiteLoader.load(sources: [(text: text, file: file.lastPathComponent)])
        } catch let e as SuiteErrors {
            #expect(!e.errors.isEmpty)
            for error in e.errors {
                #expect(error.location.file == file.lastPathComponent && error.location.line >= 1 && error.location.column >= 1,
                        "\(error)")
            }
        }
    }

    @Test(arguments: FuzzRegressionTests.fixtures("TargetsFile"))
    func targetsCrashInputLoadsOrFailsWithPlaces(_ file: URL) throws {
        let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        do {
            _ = try TargetsFile.load(text: text, file: file.lastPathComponent, environment: [:])
        } catch let e as SuiteErrors {
            #expect(!e.errors.isEmpty)
            for error in e.errors {
                #expect(error.location.file == file.lastPathComponent && error.location.line >= 1 && error.location.column >= 1,
                        "\(error)")
            }
        }
    }

    @Test(arguments: FuzzRegressionTests.fixtures("SSEParser"))
    func sseCrashInputParsesAlikeInAnyChunking(_ file: URL) throws {
        let bytes = Array(try Data(contentsOf: file))
        for configuration in [SSEParser.Configuration(),
                              SSEParser.Configuration(maxLineLength: 16, maxEventLength: 40, maxRecordedViolations: 3,
                                                      maxRecordedUnknownFields: 2, maxRecordedComments: 2, maxEvidenceLength: 8,
                                                      dispatchIncompleteEventAtEOF: true)] {
            let whole = parse(bytes, chunks: [], configuration)
            for chunks in [[1], [2], [3], [7], [1, 8, 6, 1, 2, 8, 4, 8]] {
                let split = parse(bytes, chunks: chunks, configuration)
                #expect(split.events == whole.events && split.violations == whole.violations
                        && split.violationCounts == whole.violationCounts && split.lineCount == whole.lineCount,
                        "\(file.lastPathComponent) split \(chunks)")
            }
        }
    }

    @Test(arguments: FuzzRegressionTests.fixtures("JSONPath"))
    func jsonPathCrashInputRoundTrips(_ file: URL) throws {
        let bytes = Array(try Data(contentsOf: file))
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
        if let path = try? JSONPath(String(decoding: bytes[..<newline], as: UTF8.self)) {
            #expect(try JSONPath(path.description) == path)
            if let doc = try? JSONParser.parse(bytes[min(newline + 1, bytes.count)...]) {
                #expect(try JSONParser.parse(doc.serialized()) == doc)
                #expect(path.first(in: doc) == path.evaluate(doc).first)
            }
        }
    }

    // MARK: - Helpers

    static func fixtures(_ target: String) -> [URL] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    struct Parsed: Equatable {
        var events: [SSEEvent]
        var violations: [SSEViolation]
        var violationCounts: [String: Int]
        var lineCount: Int
    }

    func parse(_ bytes: [UInt8], chunks: [Int], _ configuration: SSEParser.Configuration) -> Parsed {
        var parser = SSEParser(configuration: configuration)
        var events: [SSEEvent] = []
        if chunks.isEmpty {
            events += parser.feed(bytes)
        } else {
            var i = 0, k = 0
            while i < bytes.count {
                let end = min(bytes.count, i + chunks[k % chunks.count])
                events += parser.feed(bytes[i..<end])
                i = end
                k += 1
            }
        }
        events += parser.finish()
        return Parsed(events: events, violations: parser.violations, violationCounts: parser.violationCounts,
                      lineCount: parser.lineCount)
    }

    func loadErrors(_ text: String) -> [SuiteError] {
        let errors = SuiteText.errors(text, file: "fuzz.yaml")
        if errors.isEmpty { Issue.record("loaded without error") }
        return errors
    }
}
