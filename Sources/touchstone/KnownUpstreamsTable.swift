import Foundation
import TouchstoneKit

/// `touchstone probe --list-upstreams`.
enum KnownUpstreamsTable {
    static func render() -> String {
        let rows = KnownUpstreams.all.map { u in
            [u.name, u.baseURL, u.apiKeyEnv.map { u.keyRequired ? $0 : "\($0) (optional)" } ?? "none", u.auth.label]
        }
        let header = ["name", "base URL", "key variable", "auth"]
        let widths = (0..<header.count).map { i in ([header] + rows).map { $0[i].count }.max()! + 2 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
