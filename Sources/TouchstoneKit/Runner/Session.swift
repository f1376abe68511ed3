import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// The state of probing one target: decided features (with waiters), the shared request
/// cache (identical requests are sent once), and the log of every exchange.
actor Session {
    private var results: [String: FeatureResult] = [:]
    private var waiters: [String: [CheckedContinuation<FeatureResult, Never>]] = [:]
    private var inflight: [String: Task<Exchange, Never>] = [:]
    private(set) var log: [Exchange] = []
    private(set) var quirks: [String: JSONValue] = [:]
    private let transport: Transport

    init(transport: Transport) { self.transport = transport }

    func result(of feature: String) async -> FeatureResult {
        if let r = results[feature] { return r }
        return await withCheckedContinuation { waiters[feature, default: []].append($0) }
    }

    func publish(_ feature: String, _ result: FeatureResult) {
        results[feature] = result
        for w in waiters.removeValue(forKey: feature) ?? [] { w.resume(returning: result) }
    }

    func allResults() -> [String: FeatureResult] { results }

    private var finishedCases = Set<String>()
    private var caseWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func finishCase(_ id: String) {
        finishedCases.insert(id)
        for w in caseWaiters.removeValue(forKey: id) ?? [] { w.resume() }
    }

    func waitCase(_ id: String) async {
        if finishedCases.contains(id) { return }
        await withCheckedContinuation { caseWaiters[id, default: []].append($0) }
    }

    /// Logs an exchange sent outside the cases (the capacity check).
    func record(_ ex: Exchange) { log.append(ex) }

    func setQuirk(_ key: String, _ value: JSONValue) { quirks[key] = value }

    /// Sends the request, or joins the identical one already sent. Cancelling the calling task
    /// (a stopped run) cancels the transfer.
    func exchange(_ request: PreparedRequest) async -> Exchange {
        let key = request.fingerprint
        if let task = inflight[key] {
            return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        }
        let transport = self.transport
        let task = Task { await transport.perform(request) }
        inflight[key] = task
        let ex = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        log.append(ex)
        return ex
    }
}
