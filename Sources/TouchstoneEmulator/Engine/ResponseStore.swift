import TouchstoneCore

/// The answers of `POST /responses` kept for `GET /responses/{id}` and `previous_response_id`:
/// the most recent `capacity` ones, so a long-running emulator holds bounded memory.
final class ResponseStore: Sendable {
    static let capacity = 1_000

    private struct State {
        var byID: [String: JSONValue] = [:]
        var order: [String] = []
    }

    private let state = Locked(State())

    func put(_ id: String, _ response: JSONValue) {
        state.withLock { s in
            if s.byID.updateValue(response, forKey: id) == nil { s.order.append(id) }
            if s.order.count > Self.capacity {
                let evicted = s.order.count - Self.capacity
                for old in s.order.prefix(evicted) { s.byID.removeValue(forKey: old) }
                s.order.removeFirst(evicted)
            }
        }
    }

    func get(_ id: String) -> JSONValue? {
        state.withLock { $0.byID[id] }
    }
}
