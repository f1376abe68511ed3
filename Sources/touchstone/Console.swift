import Foundation
import TouchstoneCore
import TouchstoneKit

/// Progress on stderr: one line per finished case, and a live counter on a terminal.
/// Honours NO_COLOR and TERM=dumb. Everything it prints has passed the redactor already.
final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let isTTY: Bool
    private let color: Bool
    private let quiet: Bool
    private var total = 0
    private var done = 0
    private var liveShown = false

    init(quiet: Bool) {
        let env = ProcessInfo.processInfo.environment
        isTTY = isatty(STDERR_FILENO) == 1 && env["TERM"] != "dumb"
        color = isTTY && env["NO_COLOR"] == nil
        self.quiet = quiet
    }

    func handle(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .targetStarted(_, let cases):
            total += cases
        case .preflightFinished(let target, let preflight):
            // Notes (a model chosen) are printed even with --quiet; a stop is repeated at the end.
            clearLive()
            if !quiet {
                switch preflight.status {
                case .stopped: write("[\(target)] error: not probed: \(preflight.summary)\n")
                case .unreachable: write("[\(target)] error: \(preflight.message ?? "the target could not be reached")\n")
                case .passed: break
                }
            }
            for note in preflight.notes { write("[\(target)] note: \(note)\n") }
            showLive()
        case .caseFinished(let target, let caseID, let feature, let result):
            // Names come from targets and suite files: their control bytes are shown escaped.
            let target = TextSanitizer.oneLine(target, limit: 80), caseID = TextSanitizer.oneLine(caseID, limit: 80)
            let feature = feature.map { TextSanitizer.oneLine($0, limit: 80) }
            done += 1
            guard !quiet else { break }
            clearLive()
            if let feature, let result {
                let name = feature.padding(toLength: max(feature.count, 30), withPad: " ", startingAt: 0)
                let verdict = paint(result.verdict.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0), result.verdict)
                write("[\(target)] \(verdict) \(name) \(TextSanitizer.oneLine(result.detail, limit: 110))\n")
            } else {
                write("[\(target)] quirk       \(TextSanitizer.oneLine(result?.detail ?? caseID, limit: 140))\n")
            }
            showLive()
        case .serverSlots(let target, let slots, let jobs):
            guard !quiet else { break }
            clearLive()
            write("[\(target)] the server advertises \(slots) slot(s): \(jobs) request(s) in flight at most\n")
            showLive()
        case .targetFinished(let target, let report):
            guard !quiet else { break }
            clearLive()
            let s = report.stats
            let target = TextSanitizer.oneLine(target, limit: 80)
            write(String(format: "[%@] done: %d requests, %d prompt + %d output tokens, %.2f s\n", target, s.requests, s.promptTokens,
                         s.outputTokens, s.wallSeconds))
            showLive()
        }
    }

    func note(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        clearLive()
        write(Terminal.safe(text) + "\n")
        showLive()
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        clearLive()
    }

    private func showLive() {
        guard isTTY, !quiet, total > 0 else { return }
        write("  probing… \(done)/\(total) cases")
        liveShown = true
    }

    private func clearLive() {
        if liveShown {
            write("\r\u{1B}[2K")
            liveShown = false
        }
    }

    func paint(_ s: String, _ v: Verdict) -> String {
        guard color else { return s }
        let code = switch v {
        case .supported: "32"
        case .unsupported: "36"
        case .ignored: "33"
        case .broken: "31"
        case .untested: "90"
        }
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
