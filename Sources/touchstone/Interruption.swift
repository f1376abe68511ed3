import Dispatch
import Foundation
import TouchstoneKit

/// SIGINT and SIGTERM during a run. The first signal stops the run through its `RunControl`:
/// every transfer is cancelled, unfinished features end `untested` ("not decided: interrupted by
/// SIGINT"), the reports are written (atomically, marked partial) and the process exits 130 or
/// 143. A second signal exits at once, leaving any report file as it was.
///
/// The default actions are replaced by DispatchSource signal sources (the signal is ignored
/// first, so it is delivered to the source instead of killing the process).
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []

    /// Starts catching SIGINT and SIGTERM for a run stopped through `control`.
    init(control: RunControl, console: Console) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.receive(number, control: control, console: console) }
            source.resume()
            sources.append(source)
        }
    }

    private func receive(_ number: Int32, control: RunControl, console: Console) {
        let first = lock.withLock {
            guard received == nil else { return false }
            received = number
            return true
        }
        guard first else {
            console.note("\(Self.name(number)) again: quitting without writing reports")
            Foundation.exit(128 + number)
        }
        console.note("interrupted by \(Self.name(number)): stopping transfers, writing partial reports (\(Self.name(number)) again quits at once)")
        control.stop(reason: "interrupted by \(Self.name(number))")
    }

    /// The exit status for the signal received (130 for SIGINT, 143 for SIGTERM), if any.
    var exitStatus: ExitStatus? {
        lock.withLock {
            switch received {
            case SIGINT: .interrupted
            case SIGTERM: .terminated
            default: nil
            }
        }
    }

    /// Stops catching: the default actions apply again.
    func finish() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
