import Foundation
import TouchstoneCore

/// What a run keeps of each finished target, and no more: the target's part of the JSON report,
/// as the bytes the report file will hold, and an outline (the target's report without its
/// evidence) for what reads only verdicts and stats: the console table, the Markdown matrix,
/// expectations and the exit status.
///
/// The JSON text goes to an unlinked temporary file (`SpillFile`), so a thousand targets cost a
/// few kilobytes of outline each in memory, instead of the whole decoded reports with their
/// evidence. `writeJSON` gives the JSON report piece by piece, byte for byte what
/// `JSONReportWriter.data` writes for the full report, one target in memory at a time.
public struct CompactReport: Sendable {
    public struct Entry: Sendable {
        /// Where the target was in the run's list.
        public var index: Int
        /// The target's report without evidence.
        public var outline: TargetReport
        /// Where the target's JSON text (as the JSON report writes it, indented for its place in
        /// `targets`) is in the spill file.
        var json: Range<Int>
    }

    public private(set) var entries: [Entry] = []
    private let spill: SpillFile

    public init() throws { spill = try SpillFile() }

    /// Keeps `target`'s outline and JSON text; `index` is its place in the run's list.
    public mutating func add(_ target: TargetReport, index: Int) throws {
        var outline = target
        for id in outline.features.keys { outline.features[id]!.evidence = [] }
        entries.append(Entry(index: index, outline: outline, json: try spill.append(CompactReport.encode(target))))
    }

    /// Orders the targets by name (bytewise, as `merge` does) or as given.
    public mutating func order(byName: Bool) {
        if byName {
            entries.sort { Array($0.outline.name.utf8).lexicographicallyPrecedes(Array($1.outline.name.utf8)) }
        } else {
            entries.sort { $0.index < $1.index }
        }
    }

    /// An entry's JSON text, read back from the spill file.
    func text(of entry: Entry) throws -> Data { try spill.read(entry.json) }

    /// The outlines, in order.
    public var outlines: [TargetReport] { entries.map(\.outline) }

    /// The targets with their evidence, read back from the JSON text (for the JUnit and HTML
    /// writers, which show the evidence; this costs the memory the outline spares).
    public func fullTargets() throws -> [TargetReport] {
        try entries.map { e in
            try JSONDecoder().decode(TargetReport.self, from: spill.read(e.json))
        }
    }

    /// The JSON report of `envelope` (whose targets are ignored) with these targets, in pieces
    /// whose concatenation is what `JSONReportWriter.data` writes for the full report.
    public func jsonParts(_ envelope: Report) throws -> [Data] {
        var parts: [Data] = []
        try writeJSON(envelope) { parts.append($0) }
        return parts
    }

    /// Emits the JSON report of `envelope` (whose targets are ignored) with these targets, piece
    /// by piece: one target's text in memory at a time.
    public func writeJSON(_ envelope: Report, emit: (Data) throws -> Void) throws {
        var head = envelope
        head.targets = []
        var summaryOf = envelope
        summaryOf.targets = outlines
        var bytes = try JSONReportWriter.encoder().encode(
            JSONReportWriter.Written(report: head, summary: ReportSummary(summaryOf)))
        bytes.append(0x0A)
        guard !entries.isEmpty else { return try emit(bytes) }
        let key = Data("\n  \"targets\" : [".utf8)
        guard let at = bytes.range(of: key),
              let close = bytes[at.upperBound...].firstIndex(of: UInt8(ascii: "]")),
              bytes[at.upperBound..<close].allSatisfy({ $0 == 0x0A || $0 == 0x20 }) else {
            throw CompactReportError("the JSON encoder wrote the report's empty `targets` in an unexpected form")
        }
        try emit(Data(bytes[..<at.upperBound]) + Data("\n".utf8))
        for (i, e) in entries.enumerated() {
            if i > 0 { try emit(Data(",\n".utf8)) }
            try emit(spill.read(e.json))
        }
        try emit(Data("\n  ]".utf8) + Data(bytes[(close + 1)...]))
    }

    /// `target` as the JSON report writes it in `targets` (four spaces deep, no final newline).
    static func encode(_ target: TargetReport) throws -> Data {
        let bytes = try JSONReportWriter.encoder().encode(Wrapper(targets: [JSONReportWriter.finite(target)]))
        let head = Data("{\n  \"targets\" : [\n".utf8)
        let tail = Data("\n  ]\n}".utf8)
        guard bytes.starts(with: head), bytes.count >= head.count + tail.count,
              bytes.suffix(tail.count).elementsEqual(tail) else {
            throw CompactReportError("the JSON encoder wrote a target in an unexpected form")
        }
        return Data(bytes.dropFirst(head.count).dropLast(tail.count))
    }

    private struct Wrapper: Encodable {
        var targets: [TargetReport]
    }
}

public struct CompactReportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
