import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
@testable import TouchstoneKit
import TouchstoneReports

/// Hostile inputs from the user's side (suites, targets and expectations files): work and
/// memory bounded by a budget with a located error, never by the machine running out.
@Suite("Hostile inputs")
struct HostileInputTests {
    /// "Billion laughs": `levels` anchors, each a list of `fanOut` aliases of the one before,
    /// written under `key:` from line `firstLine` on. Expanded, the last one has about
    /// `fanOut^levels` nodes; composed, a few hundred bytes.
    static func aliasBomb(key: String, levels: Int = 7, fanOut: Int = 8, indent: String = "") -> String {
        var lines = ["\(indent)\(key):", "\(indent)  l0: &l0 lol"]
        for level in 1...levels {
            let aliases = Array(repeating: "*l\(level - 1)", count: fanOut).joined(separator: ", ")
            lines.append("\(indent)  l\(level): &l\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n")
    }

    /// The line of the bomb's last level when it starts at line `start`: where the expansion
    /// first exceeds the budget (8^7 ≈ 2.4 million nodes; the level before, 300 thousand).
    static func bombLine(start: Int, levels: Int = 7) -> Int { start + 1 + levels }

    @Test("an alias bomb in a suite is refused at its line before it is expanded")
    func aliasBombInASuite() {
        let text = Self.aliasBomb(key: "x-bomb") + "\ncases: []\n"
        do {
            _ = try SuiteLoader.load(text: text, file: "bomb.yaml")
            Issue.record("the bomb loaded")
        } catch let e as SuiteErrors {
            #expect(e.errors.count == 1, "\(e)")
            let error = e.errors.first
            #expect(error?.message.contains("has more than \(YAMLBudget.maxNodes) YAML nodes once its aliases are expanded") == true, "\(e)")
            #expect(error?.location.file == "bomb.yaml" && error?.location.line == Self.bombLine(start: 1), "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an alias bomb in a targets file is refused at its line")
    func aliasBombInATargetsFile() {
        let text = "targets:\n  local: {base_url: http://127.0.0.1:1/v1, model: m}\n" + Self.aliasBomb(key: "defaults")
        do {
            _ = try TargetsFile.load(text: text, file: "t.yaml", environment: [:])
            Issue.record("the bomb loaded")
        } catch let e as SuiteErrors {
            #expect(e.errors.contains { $0.message.contains("YAML nodes once its aliases are expanded") && $0.location.line == Self.bombLine(start: 3) },
                    "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an alias bomb in an expectations file is refused at its line")
    func aliasBombInAnExpectationsFile() {
        let text = "targets:\n  '*':\n    features:\n      chat.basic: supported\n" + Self.aliasBomb(key: "x-bomb")
        let error = #expect(throws: ExpectationsError.self) { try Expectations.parse(text, file: "e.yaml") }
        let problems = error?.problems ?? []
        #expect(problems.contains { $0.message.contains("YAML nodes once its aliases are expanded") && $0.line == Self.bombLine(start: 5) },
                "\(problems)")
    }

    /// Yams hashes a mapping's keys whole to find duplicates: an alias of a bomb used as a key
    /// took 22 s for 9 levels (fuzzing found it) and would take minutes for 10, before the
    /// budget could refuse it. Such a key is refused from the parser's events, uncomposed.
    @Test("an alias used as a mapping key is refused at its line before it is composed", .timeLimit(.minutes(1)))
    func aliasAsKey() throws {
        let text = Self.aliasBomb(key: "x-bomb", levels: 10, fanOut: 9) + "\nkeyed: {*l10: value}\ncases: []\n"
        let errors = SuiteText.errors(text, file: "keyed.yaml")
        #expect(errors.count == 1 && errors.first?.location.line == 13, "\(errors)")
        #expect(errors.first?.message.contains("a mapping key must be a plain name") == true, "\(errors)")
        // The same in a targets file and an expectations file, read by the same reader.
        #expect(throws: SuiteErrors.self) {
            try TargetsFile.load(text: text.replacingOccurrences(of: "cases: []", with: "targets: {}"), file: "t.yaml", environment: [:])
        }
        let expectations = #expect(throws: ExpectationsError.self) {
            try Expectations.parse(text.replacingOccurrences(of: "cases: []", with: "targets: {}"), file: "e.yaml")
        }
        #expect(expectations?.description.contains("e.yaml:13:") == true, "\(expectations?.description ?? "")")
    }

    /// A merge key (`<<: *base`) is applied in time linear in the keys (20,000 written and
    /// 20,000 merged took minutes when each merged key scanned the written ones).
    @Test("a large merge key is applied in linear time, written keys winning", .timeLimit(.minutes(1)))
    func largeMergeKey() throws {
        let n = 20_000
        let text = "base: &b\n" + (0..<n).map { "  k\($0): \($0)" }.joined(separator: "\n")
            + "\nmerged:\n  <<: *b\n  k0: written\n" + (0..<n).map { "  e\($0): \($0)" }.joined(separator: "\n") + "\n"
        let root = try #require(try YAMLNode.parse(text, file: "merge.yaml"))
        guard case .map(let top) = root.kind, let merged = top.first(where: { $0.key == "merged" })?.value,
              case .map(let pairs) = merged.kind else { Issue.record("not a mapping"); return }
        #expect(pairs.count == 2 * n)
        #expect(pairs.first { $0.key == "k0" }?.value.scalarText == "written")
        #expect(pairs.first { $0.key == "k1" }?.value.scalarText == "1")
    }

    @Test("aliases within the budget still resolve, at their expanded size")
    func aliasesWithinTheBudgetResolve() throws {
        // 8^5 ≈ 37 thousand nodes: well within the budget.
        let text = Self.aliasBomb(key: "x-fine", levels: 5) + "\ncases: []\n"
        let node = try #require(try YAMLNode.parse(text, file: "fine.yaml"))
        func count(_ n: YAMLNode) -> Int {
            switch n.kind {
            case .scalar: 1
            case .seq(let items): 1 + items.reduce(0) { $0 + count($1) }
            case .map(let pairs): 1 + pairs.reduce(0) { $0 + 1 + count($1.value) }
            }
        }
        #expect(count(node) > 37_000)
    }

    // MARK: - `extends` chains

    /// `count` cases, each step extending the one of the case before.
    static func chain(_ count: Int) -> String {
        var lines = ["cases:"]
        for i in 0..<count {
            lines.append("  - feature: a.s\(i)")
            lines.append(i == 0 ? "    steps: [{id: s, request: {path: /x, body: {n: 0}}}]"
                                : "    steps: [{id: s, request: {extends: a.s\(i - 1)/s, merge: {n: \(i)}}}]")
            lines.append("    verdicts: [{verdict: supported, detail: ok}]")
            lines.append("    rule: {sends: x, supported: x}")
        }
        return lines.joined(separator: "\n")
    }

    func chainErrors(_ count: Int) -> [SuiteError] {
        SuiteText.errors { _ = try SuiteLoader.load(sources: [(text: Self.chain(count), file: "chain.yaml")]) }
    }

    @Test("an `extends` chain deeper than the runner sends is a load error at the step's line")
    func extendsDeeperThanTheRunnerIsRejected() {
        let limit = RequestBuilder.maxExtendsDepth
        // Case i's step has i links: a.s0 … a.s16 are sent, a.s17 and a.s18 would not be.
        let errors = chainErrors(limit + 3)
        #expect(errors.count == 2, "\(errors)")
        let first = errors.first
        #expect(first?.message.contains("`extends` chain of step `s` in `a.s\(limit + 1)` is deeper than \(limit) levels") == true,
                "\(errors)")
        // Line of case i's step: 3 + 4 i.
        #expect(first?.location.file == "chain.yaml" && first?.location.line == 3 + 4 * (limit + 1), "\(errors)")
        #expect(chainErrors(limit + 1).isEmpty)
    }

    @Test("a 3,000-step `extends` chain is checked step by step, each error located")
    func longExtendsChainIsChecked() {
        let errors = chainErrors(3_000)
        #expect(errors.count == 3_000 - RequestBuilder.maxExtendsDepth - 1)
        #expect(errors.allSatisfy { $0.message.contains("is deeper than") })
    }

    // MARK: - A user's regular expression

    /// A suite whose rule matches an answer with a pattern that backtracks exponentially: the
    /// error names the unknown model `aaa…a!` (36 a's), and each `a` can be either branch
    /// before `!Z` fails (2^36 ways: hours of work, unbounded).
    static let costlyRegexSuite = """
    suite: costly
    cases:
      - feature: x.costly
        steps: [{id: list, request: {method: GET, path: /models/\(String(repeating: "a", count: 36))!}}]
        verdicts:
          - when: {assert: [{path: $.body.error.message, matches: '(a|a)*!Z'}]}
            verdict: supported
            detail: matched
          - verdict: broken
            detail: "${failure}"
        rule: {sends: x, supported: x, broken: x}
    """

    /// `suite` probed against the reference emulator over real sockets.
    static func probeReference(_ suite: Suite) async throws -> TargetReport {
        let p = Personalities.reference
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: "r", baseURL: server.baseURL, model: p.chatModel, apiKey: p.apiKey)
        return await Prober(suites: [suite], options: ProbeOptions(timeout: 30)).probe(target)
    }

    @Test("a catastrophic regular expression leaves its feature untested, with the reason, instead of holding the run",
          .timeLimit(.minutes(2)))
    func costlyRegexIsUndecided() async throws {
        let report = try await Self.probeReference(try SuiteLoader.load(text: Self.costlyRegexSuite, file: "costly.yaml"))
        let result = try #require(report.features["x.costly"])
        #expect(result.verdict == .untested, "\(result.detail)")
        #expect(result.detail.contains("needs more than") && result.detail.contains("matching steps"), "\(result.detail)")
        #expect(!result.evidence.isEmpty, "the exchange is still shown")
    }

    /// A variable the target does not set (no `--embedding-model` here) describes the user's
    /// configuration, not the upstream: the feature is untested, not broken.
    @Test("an assertion or check argument naming a variable the target does not set leaves its feature untested")
    func unsetVariableIsUndecided() async throws {
        let suite = try SuiteLoader.load(text: """
            suite: unset
            cases:
              - feature: x.assert
                steps: [{id: list, request: {path: /models}}]
                verdicts:
                  - when: {status: 2xx, assert: [{path: "$.body.data[*].id", contains: "${embedding_model}"}]}
                    verdict: supported
                    detail: listed
                  - verdict: broken
                    detail: "${failure}"
                rule: {sends: x, supported: x, broken: x}
              - feature: x.check
                steps: [{id: list, request: {path: /models}}]
                verdicts:
                  - when: {status: 2xx, check: {name: content_contains, text: "${embedding_model}"}}
                    verdict: supported
                    detail: said
                  - verdict: broken
                    detail: "${failure}"
                rule: {sends: x, supported: x, broken: x}
              - feature: x.bogus
                steps: [{id: list, request: {path: /models}}]
                verdicts:
                  - when: {status: 2xx, assert: [{path: "$.body.object", not_equals: "${bogus_key}"}]}
                    verdict: supported
                    detail: listed
                  - verdict: broken
                    detail: "${failure}"
                rule: {sends: x, supported: x, broken: x}
            """, file: "unset.yaml")
        let report = try await Self.probeReference(suite)
        for id in ["x.assert", "x.check"] {
            let r = try #require(report.features[id])
            #expect(r.verdict == .untested && r.detail.contains("`${embedding_model}` is not set"), "\(id): \(r.verdict) \(r.detail)")
        }
        #expect(report.features["x.bogus"]?.verdict == .supported, "`${bogus_key}` is set for every target")
    }

    /// A quirk rule whose condition could not be decided records nothing: under `not:` (or
    /// `fails:`) an undecided check would otherwise read as holding.
    @Test("a quirk rule that cannot be decided records no quirk")
    func undecidedQuirkRuleRecordsNothing() async throws {
        let suite = try SuiteLoader.load(text: """
            suite: costly
            cases:
              - feature: x.quirky
                steps: [{id: list, request: {method: GET, path: /models/\(String(repeating: "a", count: 36))!}}]
                verdicts:
                  - when: {status: 4xx}
                    verdict: supported
                    detail: refused
                  - verdict: broken
                    detail: "${failure}"
                quirks:
                  - when: {not: {assert: [{path: $.body.error.message, matches: '(a|a)*!Z'}]}}
                    set: {undecided_quirk: recorded}
                  - when: {status: 4xx}
                    set: {decided_quirk: recorded}
                rule: {sends: x, supported: x, broken: x}
            """, file: "quirky.yaml")
        let report = try await Self.probeReference(suite)
        #expect(report.features["x.quirky"]?.verdict == .supported)
        #expect(report.quirks["undecided_quirk"] == nil, "\(report.quirks)")
        #expect(report.quirks["decided_quirk"] == "recorded", "\(report.quirks)")
    }

    @Test("the regex budget is spent across every match of a case, and a match past it is undecided")
    func regexBudgetIsShared() throws {
        let re = try NSRegularExpression(pattern: "^(a|a)*$")
        var budget = RegexBudget()
        let costly = String(repeating: "a", count: 40) + "!"
        #expect(throws: RegexBudget.Stop.tooCostly) { try budget.firstMatch(re, in: costly) }
        // ICU's own backtracking stack limit is no answer either (it used to read as "no match").
        var deep = RegexBudget(ticks: 1 << 30)
        let long = try NSRegularExpression(pattern: "(x|x)*!Z")
        #expect(throws: RegexBudget.Stop.tooCostly) { try deep.firstMatch(long, in: String(repeating: "x", count: 200_000)) }
        #expect(budget.ticks == 0)
        // Once spent, even a cheap match is not attempted.
        #expect(throws: RegexBudget.Stop.tooCostly) { try budget.firstMatch(re, in: "aaa") }
        var fresh = RegexBudget()
        #expect(try fresh.firstMatch(re, in: "aaa") == true)
        #expect(try fresh.firstMatch(re, in: "aab") == false)
    }

    // MARK: - Large answers over a run

    /// The session keeps a large answer whole only while a case that used it runs: the log
    /// keeps a bounded outline, and the shared copy goes once every case using it finished.
    @Test("a large answer is held only while the cases using it run; the log keeps 64 KiB of it")
    func largeAnswersAreNotKeptForTheRun() async throws {
        let p = Personalities.faultPaddedBodies
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        // A 1 MiB cap: the answer is cut there, which is large enough (over 64 KiB) and keeps
        // this test from parsing 15 MiB on the threads other tests' servers run on.
        let options = ProbeOptions(timeout: 60, maxBodyBytes: 1 << 20)
        let session = Session(transport: Transport(client: .shared, limiter: AsyncSemaphore(1), options: options,
                                                   insecure: false))
        let request = PreparedRequest(method: "GET", url: server.baseURL + "/models", path: "/models", join: .clean,
                                      headers: [HTTPHeader("Authorization", "Bearer \(p.apiKey!)")], body: nil, json: nil)
        let first = await session.exchange(request, for: "a")
        // The case sees all that arrived: 1 MiB of the padding.
        #expect(first.status == 200 && first.body.count == 1 << 20, "\(first.summary)")
        let second = await session.exchange(request, for: "b")
        #expect(second.body.count == first.body.count)
        #expect(await session.log.count == 1, "an identical request is sent once while it is shared")
        #expect(await session.held == (all: 1, large: 1))
        await session.finishCase("a")
        #expect(await session.held.large == 1, "case b still runs")
        await session.finishCase("b")
        #expect(await session.held.large == 0, "no unfinished case uses it")

        // The log: status, headers and counts, 64 KiB of body.
        let kept = try #require(await session.log.first)
        #expect(kept.status == 200 && kept.body.count == Exchange.retainedBytes && kept.receivedBytes == first.receivedBytes)
        func count(_ v: JSONValue) -> Int {
            switch v {
            case .array(let a): 1 + a.reduce(0) { $0 + count($1) }
            case .object(let o): 1 + o.values.reduce(0) { $0 + count($1) }
            default: 1
            }
        }
        #expect(count(kept.json ?? .null) < 100)

        // Sent again by a later case: a new transfer, not a kept copy.
        _ = await session.exchange(request, for: "c")
        #expect(await session.log.count == 2)
        await session.finishCase("c")
        #expect(await session.held.large == 0)
    }

    @Test("a 2xx body under the byte cap but over the size a run parses is not parsed, and its features are untested")
    func overComplexBodiesAreNotParsed() async throws {
        let p = Personalities.faultPaddedBodies
        let server = EmulatorServer(personality: p)
        try await server.start()
        defer { Task { await server.stop() } }
        let transport = Transport(client: .shared, limiter: AsyncSemaphore(1), options: ProbeOptions(timeout: 60, maxBodyBytes: 16 << 20),
                                  insecure: false)
        let request = PreparedRequest(method: "GET", url: server.baseURL + "/models", path: "/models", join: .clean,
                                      headers: [HTTPHeader("Authorization", "Bearer \(p.apiKey!)")], body: nil, json: nil)
        let ex = await transport.perform(request)
        #expect(ex.status == 200 && ex.error == nil && ex.body.count > 15 << 20, "\(ex.summary)")
        #expect(ex.tooComplex?.exceeds(.limit) == true)
        #expect(ex.json == nil, "no tree is built for it, not even on demand")
    }

    /// An HTML page is not JSON whatever it holds: the limit is for answers a parse would build.
    @Test("a large HTML error page full of braces is not measured as JSON: its status still decides")
    func largeHTMLIsNotTooComplex() async throws {
        let page = "<!doctype html><html><head><title>Not Found</title><script>var x=[" + String(repeating: "{},", count: 150_000)
            + "{}];</script></head><body>404</body></html>"
        let server = try RawServer { c in
            c.readRequest()
            c.write("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: \(page.utf8.count)\r\nConnection: close\r\n\r\n" + page)
            c.close()
        }
        defer { server.stop() }
        let transport = Transport(client: .shared, limiter: AsyncSemaphore(1), options: ProbeOptions(timeout: 30), insecure: false)
        let ex = await transport.perform(PreparedRequest(method: "GET", url: server.url("/v1/models"), path: "/models", join: .clean,
                                                         headers: [], body: nil, json: nil))
        #expect(ex.status == 404 && ex.body.count > Exchange.retainedBytes, "\(ex.summary)")
        #expect(ex.tooComplex == nil && ex.json == nil)
        #expect(ex.summary.contains("an HTML page") && ex.summary.contains("Not Found"), "\(ex.summary)")
    }

    @Test("JSON written inside an answer (content, arguments) over the size a run parses is undecided, not \"not JSON\"")
    func overComplexEmbeddedJSON() throws {
        let huge = "[" + String(repeating: "{},", count: 110_000) + "{}]"
        let body: JSONValue = .object(["choices": .array([.object([
            "index": .int(0), "finish_reason": .string("stop"),
            "message": .object(["role": .string("assistant"), "content": .string(huge)]),
        ])])])
        var ex = Exchange(request: PreparedRequest(method: "POST", url: "http://h/v1/chat/completions", path: "/chat/completions",
                                                   join: .clean, headers: [], body: nil, json: nil))
        ex.status = 200
        ex.json = body
        let check = try #require(BuiltinChecks.all["json_content"])
        let result = check.run(CheckInput(exchange: ex, args: [:], outcomes: [:], log: []))
        #expect(!result.passed && result.undecided?.contains("more than 100,000 objects or arrays") == true, "\(result.message)")
        // The same text, small enough, is judged.
        var small = ex
        small.json = .object(["choices": .array([.object(["index": .int(0), "message": .object(["content": .string("[{}]")])])])])
        #expect(check.run(CheckInput(exchange: small, args: [:], outcomes: [:], log: [])).undecided == nil)
        #expect(EmbeddedJSON(huge).undecided("x") != nil && EmbeddedJSON("{").undecided("x") == nil)
    }

    @Test("a large answer kept for the run is outlined: what the log's readers use, not the padding")
    func largeAnswersAreOutlined() throws {
        let padding = String(repeating: #"{"a":[]},"#, count: 20_000).dropLast()
        let text = #"{"padding":["# + padding + #"],"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"<think>x</think>hi","reasoning_content":"r"},"finish_reason":"stop"}],"usage":{"completion_tokens":7}}"#
        var ex = Exchange(request: PreparedRequest(method: "POST", url: "http://h/v1/chat/completions", path: "/chat/completions",
                                                   join: .clean, headers: [], body: nil, json: nil))
        ex.status = 200
        ex.body = Array(text.utf8)
        ex.setJSON(parsing: ex.body)
        #expect(ex.isLarge && ex.json?["padding"]?.arrayValue?.count == 20_000)
        let kept = ex.retained()
        #expect(kept.body.count == Exchange.retainedBytes)
        let json = try #require(kept.json)
        #expect(json["padding"] == nil)
        #expect(json["choices"]?[0]?["message"]?["content"] == "<think>x</think>hi" && json["choices"]?[0]?["message"]?["reasoning_content"] == "r")
        #expect(kept.completionTokens == 7 && Observers.reasoningField([kept]) == "reasoning_content")
        // The original still answers in full (parsed again after its tree was dropped).
        ex.dropParsedTree()
        #expect(ex.json?["padding"]?.arrayValue?.count == 20_000)
    }
}
