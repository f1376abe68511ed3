import Foundation
import TouchstoneCore

/// The one filter every string goes through before it reaches an XML (or Markdown) writer.
///
/// Steps, in order: decode UTF-8 with replacement (for raw bytes), redact secrets, replace
/// every character outside XML 1.0 `Char` with a visible escape (`\u001B`), optionally fold
/// line breaks and tabs to spaces, cap the length keeping head and tail.
///
/// Private to TouchstoneReports on purpose: it must not depend on the timing of
/// TouchstoneCore's text helpers.
enum XMLTextFilter {
    /// Default cap, in Unicode scalars of the filtered output.
    static let defaultLimit = 64 * 1024

    /// Filters raw bytes, decoding invalid UTF-8 as U+FFFD.
    static func filter(_ bytes: some Collection<UInt8>, limit: Int? = defaultLimit,
                       redactor: Redactor? = nil, singleLine: Bool = false) -> String {
        filter(String(decoding: bytes, as: UTF8.self), limit: limit, redactor: redactor,
               singleLine: singleLine)
    }

    static func filter(_ text: String, limit: Int? = defaultLimit, redactor: Redactor? = nil,
                       singleLine: Bool = false) -> String {
        let redacted = redactor.map { $0.redact(text) } ?? text

        // Fast path: nothing to escape, fold or cap.
        var clean = true
        var count = 0
        for scalar in redacted.unicodeScalars {
            count += 1
            if !isXMLChar(scalar) || (singleLine && isBreak(scalar)) { clean = false; break }
        }
        if clean, limit.map({ count <= $0 }) ?? true { return redacted }

        // One rendered piece per input scalar, so a cap never splits an escape.
        var pieces: [Substring] = []
        pieces.reserveCapacity(redacted.unicodeScalars.count)
        var total = 0
        for scalar in redacted.unicodeScalars {
            let piece: Substring
            if singleLine && isBreak(scalar) {
                piece = " "
            } else if isXMLChar(scalar) {
                piece = Substring(String(scalar))
            } else {
                piece = Substring(escape(scalar))
            }
            total += piece.unicodeScalars.count
            pieces.append(piece)
        }
        guard let limit, total > limit else { return pieces.joined() }
        return cap(pieces, total: total, limit: limit, singleLine: singleLine)
    }

    /// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
    static func isXMLChar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF: true
        case 0xE000...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func isBreak(_ s: Unicode.Scalar) -> Bool {
        s == "\n" || s == "\r" || s == "\t" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}"
    }

    /// `\u001B` style: four upper-case hex digits (every non-Char scalar is in the BMP).
    static func escape(_ s: Unicode.Scalar) -> String {
        let hex = String(s.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func cap(_ pieces: [Substring], total: Int, limit: Int, singleLine: Bool) -> String {
        let marker = { (omitted: Int) -> String in
            singleLine ? " … [\(omitted) characters omitted] … "
                       : "\n… [\(omitted) characters omitted] …\n"
        }
        let reserve = marker(total).unicodeScalars.count
        let budget = max(0, limit - reserve)
        let headBudget = (budget + 1) / 2
        let tailBudget = budget - headBudget

        var head = 0, headLen = 0
        while head < pieces.count, headLen + pieces[head].unicodeScalars.count <= headBudget {
            headLen += pieces[head].unicodeScalars.count
            head += 1
        }
        var tail = pieces.count, tailLen = 0
        while tail > head, tailLen + pieces[tail - 1].unicodeScalars.count <= tailBudget {
            tailLen += pieces[tail - 1].unicodeScalars.count
            tail -= 1
        }
        let omitted = total - headLen - tailLen
        return pieces[..<head].joined() + marker(omitted) + pieces[tail...].joined()
    }
}
