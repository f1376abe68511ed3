import Foundation
import TouchstoneCore

/// Built-in extractors for `capture: {name: {path:, extract:}}`.
enum Extractors {
    static let names: Set<String> = ["stop_piece"]

    static func apply(_ name: String, _ value: JSONValue) -> JSONValue? {
        switch name {
        case "stop_piece": return value.stringValue.flatMap(stopPiece).map(JSONValue.string)
        default: return nil
        }
    }

    /// A short piece of the control answer that does not start it: the first later word
    /// (letters or digits, at least 2) whose first occurrence is not at the start; failing
    /// that, a few characters from the middle. nil when the answer is too short to cut.
    static func stopPiece(_ content: String) -> String? {
        let text = content
        guard text.count >= 4 else { return nil }
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        for w in words.dropFirst() where w.count >= 2 {
            let piece = String(w)
            if let r = text.range(of: piece), r.lowerBound > text.startIndex,
               !text[..<r.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return piece
            }
        }
        let chars = Array(text)
        let mid = chars.count / 2
        for start in stride(from: mid, to: chars.count - 2, by: 1) {
            let piece = String(chars[start..<min(chars.count, start + 3)])
            if piece.trimmingCharacters(in: .whitespaces).count == 3,
               let r = text.range(of: piece), r.lowerBound > text.startIndex {
                return piece
            }
        }
        return nil
    }
}
