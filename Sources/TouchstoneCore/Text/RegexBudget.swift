import Foundation

/// The work a run may spend on regular expressions written by users (suite `matches:`, JSON
/// Schema `pattern`), so that one with catastrophic backtracking (`^((a|a)*$|a)` over a long
/// `aaa…!`) cannot hold a run past its deadline or a signal.
///
/// ICU, which evaluates `NSRegularExpression`, reports progress about every ten thousand
/// matching steps; each report spends one tick. The count is of steps, not seconds, so the
/// outcome depends on the pattern and the text only, never on the machine's load. A match also
/// stops when the calling task is cancelled (the run's deadline or a signal).
///
/// A budget is shared by every match of one case (or one schema validation): many small
/// pieces cannot add up to an unbounded time either.
public struct RegexBudget: Sendable {
    /// Ticks of about 10,000 steps each: about 20 million steps, a second or two of work. A
    /// pattern over a 16 MiB body scans it with room to spare; backtracking exhausts it.
    public static let defaultTicks = 2_000

    public private(set) var ticks: Int

    public init(ticks: Int = RegexBudget.defaultTicks) {
        self.ticks = ticks
    }

    /// Why a match could not be decided.
    public enum Stop: Error, Sendable, Equatable {
        /// The budget ran out: the pattern needs too many steps on this text.
        case tooCostly
        /// The calling task was cancelled.
        case cancelled
    }

    /// Whether `regex` matches somewhere in `s`, spending this budget.
    public mutating func firstMatch(_ regex: NSRegularExpression, in s: String) throws(Stop) -> Bool {
        if ticks <= 0 { throw .tooCostly }
        if Task.isCancelled { throw .cancelled }
        var found = false
        var stopped: Stop? = nil
        var left = ticks
        let options: NSRegularExpression.MatchingOptions = [.reportProgress, .reportCompletion]
        regex.enumerateMatches(in: s, options: options, range: NSRange(s.startIndex..., in: s)) { match, flags, stop in
            if match != nil {
                found = true
                stop.pointee = true
                return
            }
            // ICU gives up on its own when its backtracking stack overflows (8 MB): that is no
            // answer either, not "no match".
            if flags.contains(.internalError), !found, stopped == nil { stopped = .tooCostly }
            guard flags.contains(.progress) else { return }
            left -= 1
            if left <= 0 {
                stopped = .tooCostly
                stop.pointee = true
            } else if Task.isCancelled {
                stopped = .cancelled
                stop.pointee = true
            }
        }
        ticks = max(0, left)
        if let stopped { throw stopped }
        return found
    }

    /// A one-line description of a pattern that ran out of budget, for details.
    public static func tooCostly(_ pattern: String) -> String {
        "the regular expression /\(TextSanitizer.oneLine(pattern, limit: 60))/ needs more than \(defaultTicks / 100) million matching steps on this text (catastrophic backtracking?); the check cannot decide"
    }
}
