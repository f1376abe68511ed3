import Foundation
import TouchstoneCore
import TouchstoneHTTP

/// The checks every feature rests on, run before the taxonomy (docs/features.md § Preflight):
/// the base URL answers; `GET {base}/models` (and, when that is a 404 and the base has no
/// version segment, `{base}/v1/models`); one minimal chat with the configured key and model.
///
/// A configuration error stops the target with a message naming the cause and the fix: a key
/// the upstream refuses (or none when it wants one), a base URL that only works with `/v1`
/// added, a model the upstream says it does not have, no model configured while `/models` does
/// not list exactly one chat model. Everything else (no `/models` endpoint, a 5xx, a timeout, a
/// 429, a 4xx about anything but the key or the model) goes on to the taxonomy, which judges it.
///
/// Its requests go through the probe's session, built from the suites' own `models.list` and
/// `chat.basic` templates when loaded: the taxonomy's identical requests are not sent again.
struct Preflight: Sendable {
    let target: Target
    /// Every step template of the loaded suites, by `case/step`.
    let steps: [String: RequestTemplate]
    let session: Session
    let redactor: Redactor

    static let modelsStep = "models.list/list"
    static let chatStep = "chat.basic/basic"
    /// Used when the loaded suites have no `models.list` / `chat.basic` case.
    static let modelsFallback = template(method: "GET", path: "/models", body: nil)
    static let chatFallback = template(method: "POST", path: "/chat/completions", body: .object([
        "model": .string("${model}"),
        "messages": .array([.object(["role": .string("user"), "content": .string("Say hello.")])]),
        "max_tokens": .int(16),
    ]))

    static func template(method: String, path: String, body: JSONValue?) -> RequestTemplate {
        RequestTemplate(method: method, path: path, join: .clean, headers: [], auth: .target, body: body, rawBody: nil,
                        extends: nil, merge: nil, location: SourceLocation(file: "preflight", line: 0, column: 0))
    }

    /// Runs the checks; a stopped `control` or a passed deadline ends them at once (the outcome
    /// then passes, and the taxonomy ends every feature `untested` with the reason).
    func run(control: RunControl, deadline: Deadline?) async -> PreflightOutcome {
        let checks = self
        let outcome = await withTaskGroup(of: PreflightOutcome?.self) { group in
            group.addTask { await checks.check() }
            group.addTask {
                await control.waitForStop(orDeadline: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? PreflightOutcome(target: target, report: PreflightReport(status: .passed,
                                                                                  notes: ["preflight cut short: \(control.stopReason ?? "the run was stopped")"]))
        }
        // Its answers are shared with the taxonomy's identical requests; it uses them no more.
        await session.finishCase(Self.caseID)
        return outcome
    }

    // MARK: The checks

    /// The name the preflight's requests go by in the session's sharing.
    static let caseID = "preflight"

    func check() async -> PreflightOutcome {
        var sent: [(step: String, exchange: Exchange)] = []
        func send(_ step: String, _ template: RequestTemplate, on t: Target) async -> Exchange? {
            guard let request = try? RequestBuilder(target: t, steps: steps).build(template, variables: [:]) else { return nil }
            // Shared with the taxonomy's identical requests, as one more user of them.
            let ex = await session.exchange(request, for: Self.caseID)
            sent.append((step, ex))
            return ex
        }
        func outcome(_ status: PreflightReport.Status, _ cause: PreflightReport.Cause? = nil, _ message: String? = nil,
                     fix: String? = nil, target: Target? = nil, chosen: String? = nil, listed: ListedModels? = nil,
                     notes: [String] = [], unreachable: String? = nil) -> PreflightOutcome {
            let evidence = status == .passed ? [] : sent.map {
                EvidenceBuilder.make(step: "preflight.\($0.step)", $0.exchange, redactor: redactor, target: self.target)
            }
            let clean = { (s: String) in redactor.redact(TextSanitizer.oneLine(redactor.redact(s), limit: 600)) }
            let report = PreflightReport(
                status: status, cause: cause, message: message.map(clean), fix: fix.map(clean), modelChosen: chosen,
                modelsListed: listed.flatMap { $0.ids.isEmpty ? nil : Array($0.ids.prefix(PreflightReport.listLimit)).map(redactor.redact) },
                notes: notes.map(clean), requests: sent.reduce(0) { $0 + $1.exchange.attempts }, evidence: evidence)
            return PreflightOutcome(target: target ?? self.target, report: report, unreachable: unreachable.map(clean))
        }

        // 1. The base URL answers; GET /models.
        let modelsTemplate = steps[Preflight.modelsStep] ?? Preflight.modelsFallback
        guard let models = await send("models", modelsTemplate, on: target) else {
            return outcome(.passed)
        }
        if let why = Prober.unreachable([models]) {
            return outcome(.unreachable, nil, "the target could not be reached: \(why)",
                           fix: "check the base URL \(target.baseURL) and that the server is running", unreachable: why)
        }
        let listed = ListedModels(models)

        // 2. A 404 at {base}/models while {base}/v1/models lists models (or wants a key there):
        // the base may lack /v1.
        var v1Listed: ListedModels? = nil
        var v1Target: Target? = nil
        var v1Answer: Exchange? = nil
        if models.status == 404, let withV1 = Preflight.addingV1(to: target),
           let ex = await send("models_v1", modelsTemplate, on: withV1) {
            v1Listed = ListedModels(ex)
            if v1Listed != nil || ex.status == 401 || ex.status == 403 {
                v1Target = withV1
                v1Answer = ex
            }
        }

        // 3. The chat model: configured, or the only chat model listed.
        var probed = target
        var chosen: String? = nil
        let pool = listed ?? v1Listed
        let chatModels = pool?.chatModels ?? []
        if target.model == nil {
            if chatModels.count == 1 {
                chosen = chatModels[0]
            }
            // With a /v1 hint pending, a listed model tests the base's chat path below.
            probed.model = chosen ?? (v1Target != nil ? chatModels.first : nil)
        }

        // 4. One minimal chat with the configured key and model.
        let chatTemplate = steps[Preflight.chatStep] ?? Preflight.chatFallback
        let chat = probed.model == nil ? nil : await send("chat", chatTemplate, on: probed)

        if let v1Target, let v1Answer {
            let v1Base = redactor.redact(v1Target.baseURL)
            let answered = chat.map { ex in ex.status.map { (200..<300).contains($0) } ?? false } ?? false
            // Not found at the given base, or no answer at all there: /v1 is what the evidence has.
            let pathMissing = chat.map { ex in
                ex.status == nil || ((ex.status == 404 || ex.status == 405) && !Preflight.namesModel(ex, model: probed.model))
            } ?? true
            if !answered && pathMissing {
                return outcome(.stopped, .baseURLNeedsV1,
                               "this server answers under /v1: GET \(redactor.redact(target.baseURL))/models is a 404 while GET \(v1Base)/models "
                               + (v1Listed.map { $0.ids.isEmpty ? "lists no model" : "lists \(ListedModels.list($0.ids, limit: 5))" }
                                  ?? "answers \(v1Answer.summary)")
                               + (chat.map { ", and the chat at the given base got \($0.summary)" } ?? ""),
                               fix: "use \(v1Base) as the base URL" + (v1Listed != nil ? ""
                                   : target.apiKey == nil ? " (the server wants a key there: --api-key-env VAR)"
                                   : " (and check the key: it was refused there)"),
                               listed: v1Listed)
            }
        }
        if target.model == nil && chosen == nil {
            let why: String
            if chatModels.count > 1 {
                why = "GET /models lists \(chatModels.count) chat models: \(ListedModels.list(chatModels))"
            } else if let pool {
                why = "GET /models lists no chat model" + (pool.ids.isEmpty ? "" : " (\(ListedModels.list(pool.ids)))")
            } else {
                why = "the server does not list its models (GET /models: \(models.summary))"
            }
            return outcome(.stopped, .modelRequired, "no chat model configured and \(why)",
                           fix: chatModels.count > 1 ? "choose one with --model ID (targets file: `model:`)"
                                                     : "name the chat model with --model ID (targets file: `model:`)",
                           listed: pool)
        }
        guard let chat, let model = probed.model else { return outcome(.passed, target: probed, chosen: chosen, listed: listed) }

        if let status = chat.status, chat.error == nil {
            if let stop = keyProblem(chat, status: status) {
                return outcome(.stopped, stop.cause, stop.message, fix: stop.fix, listed: listed)
            }
            let refused = [400, 404, 422].contains(status) || (status == 403 && Preflight.namesModel(chat, model: model))
            let absent = listed.map { !$0.ids.isEmpty && !$0.contains(model) } ?? false
            let azure = if case .azure = target.auth { true } else { false }
            if refused && (Preflight.namesModel(chat, model: model) || (absent && !azure)) {
                let fix = listed.map { l in l.ids.isEmpty ? "name a model the server serves with --model ID"
                                                          : "use one of the listed models with --model ID (targets file: `model:`)" }
                    ?? "name a model the server serves with --model ID (targets file: `model:`)"
                return outcome(.stopped, .modelNotServed,
                               "model '\(model)' is not served: the chat got \(chat.summary)"
                               + (listed.map { $0.ids.isEmpty ? "" : "; /models lists: \(ListedModels.list($0.ids))" } ?? ""),
                               fix: fix, listed: listed)
            }
        }

        // 5. Passed; warnings that do not stop.
        var notes: [String] = []
        if let chosen { notes.append("no chat model configured: using '\(chosen)', the only chat model GET /models lists") }
        if let listed, !listed.ids.isEmpty {
            if target.model != nil, !listed.contains(model) {
                notes.append("model '\(model)' is not in the /models list (\(ListedModels.list(listed.ids, limit: 10))); the chat got \(chat.summary)")
            }
            if let embedding = target.embeddingModel, !listed.contains(embedding) {
                notes.append("embedding model '\(embedding)' is not in the /models list (\(ListedModels.list(listed.ids, limit: 10))): embeddings.* may be refused")
            }
        }
        return outcome(.passed, target: probed, chosen: chosen, listed: listed, notes: notes)
    }

    /// A refused key: 401 or 403 (not naming the model), or a 400 whose error names the key.
    func keyProblem(_ ex: Exchange, status: Int) -> (cause: PreflightReport.Cause, message: String, fix: String)? {
        let text = Preflight.errorText(ex)
        let aboutKey = status == 401 || (status == 403 && !Preflight.namesModel(ex, model: target.model))
            || (status == 400 && (text.contains("api key") || text.contains("api_key") || text.contains("apikey")))
        guard aboutKey else { return nil }
        let credentialHeader = target.headers.first { TargetsFile.isCredentialHeader($0.name) }?.name
        if target.apiKey == nil {
            if let credentialHeader {
                return (.keyRefused, "the credential in the header \(credentialHeader) was refused: \(ex.summary)",
                        "check the value of the variable the header reads")
            }
            return (.keyRequired, "the server wants a key and none is configured: \(ex.summary)",
                    "put the key in an environment variable and name it with --api-key-env VAR (targets file: `api_key_env:`)")
        }
        let source = target.apiKeyEnv.map { "the key in $\($0)" } ?? "the configured key"
        return (.keyRefused, "\(source) was refused (sent as \(target.auth.label)): \(ex.summary)",
                "check the key\(target.apiKeyEnv.map { " in $\($0)" } ?? ""), or how it is sent (--auth, targets file: `auth:`)")
    }

    /// Whether an error answer says the requested model is not there: an error code or param
    /// naming the model (`model_not_found`, `invalid_model`, `DeploymentNotFound`, `param:
    /// model`), or a message quoting the model id with not-found wording (a message that only
    /// mentions the model, e.g. "max_tokens is too large for gpt-x", does not count).
    static func namesModel(_ ex: Exchange, model: String?) -> Bool {
        let error = ex.json?["error"]
        let code = (error?["code"]?.stringValue ?? error?["type"]?.stringValue ?? "").lowercased()
        if code.contains("model") || code.contains("deployment") { return true }
        if error?["param"]?.stringValue == "model" { return true }
        guard let model, !model.isEmpty, let message = ex.errorMessage, message.contains(model) else { return false }
        let lower = message.lowercased()
        return notFoundWords.contains { lower.contains($0) }
    }

    static let notFoundWords = ["not found", "does not exist", "doesn't exist", "unknown model", "invalid model",
                                "no such", "not available", "unavailable", "not served", "not loaded"]

    /// The error body in lower case, for key wording.
    static func errorText(_ ex: Exchange) -> String {
        ((ex.errorMessage ?? "") + " " + ((ex.json?["error"]?["code"]?.stringValue) ?? "")).lowercased()
    }

    /// The target with `/v1` appended, when its base has no version segment (`/v1`, `/v1beta`,
    /// `/api/v2`) and its mode maps paths the OpenAI way (not Azure's deployments).
    static func addingV1(to target: Target) -> Target? {
        if case .azure = target.auth { return nil }
        guard let url = URL(string: target.baseURL) else { return nil }
        let versioned = url.path.split(separator: "/").contains { seg in
            seg.count >= 2 && seg.first == "v" && seg.dropFirst().first?.isNumber == true
        }
        guard !versioned else { return nil }
        var t = target
        t.baseURL = target.baseURL + "/v1"
        return t
    }
}
