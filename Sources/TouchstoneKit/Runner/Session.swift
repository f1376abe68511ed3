import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// The state of probing one target: decided features (with waiters), the shared request
/// cache (identical requests are sent once), and the log of every exchange.
actor Session {
    private var results: [String: FeatureResult] = [:]
    private var waiters: [String: [CheckedContinuation<FeatureResult, Never>]] = [:]
    /// Requests sent, by fingerprint: the transfer, the cases that used its answer and not
    /// finished yet, and whether the answer is large (`Exchange.isLarge`).
    private struct Shared {
        var task: Task<Exchange, Never>
        var users: Set<String>
        var large = false
    }

    private var inflight: [String: Shared] = [:]
    /// The fingerprints each unfinished case used, released when it finishes.
    private var usedBy: [String: [String]] = [:]
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

    /// Marks a case finished: its waiters go on, and the answers it used are released. A large
    /// answer no unfinished case uses is dropped (the cap is per body, not per run: a run must
    /// not keep every 16 MiB answer and its parsed tree); a later identical request sends it
    /// again. Small answers stay shared for the whole run.
    func finishCase(_ id: String) {
        for key in usedBy.removeValue(forKey: id) ?? [] {
            guard var shared = inflight[key] else { continue }
            shared.users.remove(id)
            inflight[key] = shared.users.isEmpty && shared.large ? nil : shared
        }
        finishedCases.insert(id)
        for w in caseWaiters.removeValue(forKey: id) ?? [] { w.resume() }
    }

    func waitCase(_ id: String) async {
        if finishedCases.contains(id) { return }
        await withCheckedContinuation { caseWaiters[id, default: []].append($0) }
    }

    /// Logs an exchange sent outside the cases (the capacity check).
    func setQuirk(_ key: String, _ value: JSONValue) { quirks[key] = value }

    /// Sends the request for case `caseID`, or joins the identical one already sent. Cancelling
    /// the calling task (a stopped run) cancels the transfer. The log keeps the exchange as
    /// `Exchange.retained()`: bounded, whatever the answer's size.
    func exchange(_ request: PreparedRequest, for caseID: String) async -> Exchange {
        let key = request.fingerprint
        usedBy[caseID, default: []].append(key)
        if var shared = inflight[key] {
            shared.users.insert(caseID)
            inflight[key] = shared
            let task = shared.task
            return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        }
        let transport = self.transport
        let task = Task { await transport.perform(request) }
        inflight[key] = Shared(task: task, users: [caseID])
        let ex = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        inflight[key]?.large = ex.isLarge
        log.append(ex.retained())
        ex.dropParsedTree()  // parsed again by the cases that look into it
        return ex
    }

    /// Answers still held for sharing, and how many of them are large (for tests: after every
    /// case finished, no large answer is held).
    var held: (all: Int, large: Int) { (inflight.count, inflight.values.filter(\.large).count) }
}
