import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneReports

/// Report writers: JUnit (validated against both XSDs), JSON, Markdown, AtomicFile.
@Suite("ReportWriter")
struct ReportWriterTests {
    // Shares no 12-byte run with `big`: the Redactor masks any such piece of a secret.
    static let secret = "sk-live-PLANTED-SECRET-9f8e7d6c5b4a3210"
    static let hostile: String = {
        let invalidUTF8 = String(decoding: [0x41, 0xC3, 0x28, 0xFF, 0xFE, 0x80, 0xED, 0xA0, 0x80, 0x42] as [UInt8],
                                 as: UTF8.self)
        return "ESC\u{1B}[31mred NUL\u{0}after BEL\u{7} U+FFFE\u{FFFE} U+FFFF\u{FFFF} ]]> <&>\"' "
            + invalidUTF8 + " key=" + secret + " tab\tcr\r\nend"
    }()
    static let big = String(repeating: "0123456789abcdef", count: 6400)  // 100 KiB

    static func evidence(_ response: String, status: Int? = 200, error: String? = nil) -> Evidence {
        Evidence(step: "probe", method: "POST", url: "http://127.0.0.1:9/v1/chat/completions",
                 status: status, error: error, elapsedMs: 12.5, attempts: 2,
                 redirects: ["http://127.0.0.1:9/v1/x"],
                 request: "{\"model\":\"m\",\"auth\":\"Bearer \(secret)\"}", response: response)
    }

    static func sample() -> Report {
        let alpha = TargetReport(
            name: "alpha", baseURL: "http://127.0.0.1:9/v1", model: "m-1", embeddingModel: "e-1",
            features: [
                "chat.basic": FeatureResult(verdict: .supported, detail: "ok", evidence: [evidence("{}")],
                                            suite: "chat", caseID: "basic", seconds: 0.1234),
                "chat.logprobs": FeatureResult(verdict: .unsupported, detail: "400 with a clear error",
                                               suite: "chat", caseID: "logprobs", seconds: 0.2),
                "chat.seed": FeatureResult(verdict: .ignored, detail: "seed accepted but\noutput differs: " + hostile,
                                           evidence: [evidence(hostile), evidence(big)],
                                           suite: "chat", caseID: "seed", seconds: 1),
                "stream.usage": FeatureResult(verdict: .broken, detail: "stream cut: " + big + secret,
                                              evidence: [evidence("", status: nil, error: "truncated")],
                                              suite: "stream", caseID: "usage", seconds: .nan,
                                              latency: LatencyFigures(ttfbMs: 10, ttftMs: 20, gapP50Ms: 1,
                                                                      gapP95Ms: 3, tokensPerSecond: 42.5)),
                "tools.choice|required": FeatureResult(verdict: .untested, detail: "needs | pipes",
                                                       suite: "tools", caseID: "choice", seconds: 0),
            ],
            quirks: ["stop_max": 4, "finish_reason_on_length": "length\u{1B}", "ratio": 0.5,
                     "nested": ["a": [true, nil]]],
            stats: TargetStats(requests: 7, retries: 1, outputTokens: 99, wallSeconds: 2.5),
            insecure: true)
        let beta = TargetReport(
            name: "beta", baseURL: "https://beta.example/v1?key=\(secret)", model: nil, embeddingModel: nil,
            features: [
                "chat.basic": FeatureResult(verdict: .broken, detail: "HTTP 500 " + hostile,
                                            evidence: [evidence(hostile, status: 500)],
                                            suite: "chat", caseID: "basic", seconds: 3.0005),
                "chat.seed": FeatureResult(verdict: .supported, detail: "deterministic", suite: "chat",
                                           caseID: "seed", seconds: 0.5),
            ],
            quirks: [:], stats: TargetStats())
        let gamma = TargetReport(name: "gamma", baseURL: "http://127.0.0.1:10/v1", model: "g",
                                 embeddingModel: nil, features: [:], quirks: [:], stats: TargetStats())
        // Report order deliberately not sorted.
        return Report(tool: ToolInfo(version: "0.1.0"), startedAt: "2025-03-04T05:06:07.891+02:00",
                      finishedAt: "2025-03-04T03:07:00Z", partial: true, targets: [beta, gamma, alpha])
    }

    static let redactor = Redactor(secrets: [secret])

    static func junit(_ report: Report = sample(),
                      outcome: JUnitWriter.OutcomeRule? = nil) throws -> Data {
        if let outcome {
            return try JUnitWriter.data(report, redactor: redactor, hostname: "ci-host", outcome: outcome)
        }
        return try JUnitWriter.data(report, redactor: redactor, hostname: "ci-host")
    }

    static func validateBoth(_ data: Data) throws {
        #expect(XMLSchemaValidation.wellFormednessError(data) == nil)
        for name in ["junit-10", "jenkins-junit"] {
            let errors = try XMLSchemaValidation.errors(data, schema: XMLSchemaValidation.schemaURL(name))
            #expect(errors.isEmpty, "\(name).xsd: \(errors)")
        }
    }

    // MARK: - JUnit

    @Test func junitIsValidAgainstBothSchemas() throws {
        try Self.validateBoth(try Self.junit())
    }

    @Test func junitCountsAndPlacement() throws {
        let root = try XMLSchemaValidation.tree(try Self.junit())
        #expect(root.name == "testsuites")
        #expect(root["name"] == "touchstone")
        #expect(root["tests"] == "8")      // 5 alpha + 2 beta + 1 placeholder for gamma
        #expect(root["failures"] == "3")   // alpha ignored, alpha broken, beta broken
        #expect(root["errors"] == "0")

        let suites = root.all("testsuite")
        #expect(suites.map { $0["name"] ?? "" }
                == ["alpha.chat", "alpha.stream", "alpha.tools", "beta.chat", "gamma.run"])
        var total = 0
        for suite in suites {
            let cases = suite.all("testcase")
            total += cases.count
            #expect(suite["tests"] == String(cases.count))
            #expect(suite["failures"] == String(cases.filter { $0.first("failure") != nil }.count))
            #expect(suite["skipped"] == String(cases.filter { $0.first("skipped") != nil }.count))
            #expect(suite["errors"] == "0")
            #expect(suite["timestamp"] == "2025-03-04T03:06:07Z")
            #expect(suite["hostname"] == "ci-host")
            #expect(suite.children.first?.name == "properties")
            #expect(cases.map { $0["name"]! } == cases.map { $0["name"]! }.sorted())
            for c in cases {
                #expect(c["classname"] == suite["name"])
                #expect(c["time"]!.wholeMatch(of: /\d+\.\d{3}/) != nil, "time \(c["time"]!)")
                // skipped/failure first, system-out last, at most one of them.
                let names = c.children.map(\.name)
                #expect(names.filter { ["skipped", "failure", "error"].contains($0) }.count <= 1)
                if let last = names.last, names.count > 1 { #expect(last == "system-out") }
            }
        }
        #expect(total == 8)

        func testcase(_ suite: String, _ name: String) -> XMLSchemaValidation.Element? {
            suites.first { $0["name"] == suite }?.all("testcase").first { $0["name"] == name }
        }
        let supported = try #require(testcase("alpha.chat", "chat.basic"))
        #expect(supported.children.map(\.name) == ["system-out"])
        #expect(supported["time"] == "0.123")
        let unsupported = try #require(testcase("alpha.chat", "chat.logprobs"))
        #expect(unsupported.children.map(\.name) == ["skipped", "system-out"])
        #expect(unsupported.first("skipped")!.attributes.isEmpty)
        #expect(unsupported.first("skipped")!.text.hasPrefix("unsupported: 400"))
        let untested = try #require(testcase("alpha.tools", "tools.choice|required"))
        #expect(untested.children.map(\.name) == ["skipped", "system-out"])
        let ignored = try #require(testcase("alpha.chat", "chat.seed"))
        let failure = try #require(ignored.first("failure"))
        #expect(failure["type"] == "ignored")
        #expect(!failure["message"]!.contains("\n"))
        #expect(failure["message"]!.unicodeScalars.count <= 200)
        #expect(failure.text.contains("probe: POST http://127.0.0.1:9/v1/chat/completions → HTTP 200"))
        let broken = try #require(testcase("alpha.stream", "stream.usage"))
        #expect(broken.first("failure")?["type"] == "broken")
        #expect(broken["time"] == "0.000")  // NaN seconds
        #expect(broken.first("system-out")!.text.contains("ttfb 10.0 ms"))
        #expect(testcase("beta.chat", "chat.basic")?["time"] == "3.001")
        let placeholder = try #require(testcase("gamma.run", "run"))
        #expect(placeholder.children.map(\.name) == ["skipped"])
        #expect(placeholder.first("skipped")!.text.contains("interrupted"))

        let properties = Dictionary(uniqueKeysWithValues: suites[0].first("properties")!.all("property")
            .map { ($0["name"]!, $0["value"]!) })
        #expect(properties["base_url"] == "http://127.0.0.1:9/v1")
        #expect(properties["model"] == "m-1")
        #expect(properties["partial"] == "true")
        #expect(properties["insecure"] == "true")
        #expect(properties["quirk.stop_max"] == "4")
        #expect(properties["quirk.finish_reason_on_length"] == "length\\u001B")
        #expect(properties["quirk.nested"] == "{\"a\":[true,null]}")
    }

    @Test func junitFiltersTextAndRedacts() throws {
        let data = try Self.junit()
        let bytes = [UInt8](data)
        let xml = String(decoding: data, as: UTF8.self)

        // No planted secret in any form the Redactor knows.
        #expect(!xml.contains(Self.secret))
        #expect(!xml.contains(Data(Self.secret.utf8).base64EncodedString().trimmingCharacters(in: ["="])))
        #expect(xml.contains(Redactor.mask))
        // No raw C0 control except TAB/LF/CR, no U+FFFE/U+FFFF, no NUL, no CDATA.
        #expect(!bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        #expect(!xml.unicodeScalars.contains { $0.value == 0xFFFE || $0.value == 0xFFFF })
        #expect(!xml.contains("<![CDATA["))
        // Visible escapes instead.
        for escape in ["\\u001B", "\\u0000", "\\u0007", "\\uFFFE", "\\uFFFF"] {
            #expect(xml.contains(escape), "missing \(escape)")
        }
        // The parsed text keeps the XML specials and the decoded replacement characters.
        let root = try XMLSchemaValidation.tree(data)
        let seed = root.all("testsuite").first { $0["name"] == "alpha.chat" }!
            .all("testcase").first { $0["name"] == "chat.seed" }!
        let out = seed.first("system-out")!.text
        #expect(out.contains("]]> <&>\"'"))
        #expect(out.contains("A\u{FFFD}(\u{FFFD}"))
        #expect(out.contains("characters omitted"))  // the 100 KiB excerpt was capped
        // Bounded size despite 100 KiB strings.
        #expect(data.count < 400_000, "\(data.count) bytes")
    }

    @Test func junitIsDeterministic() throws {
        #expect(try Self.junit() == Self.junit())
    }

    @Test func junitOutcomeRuleCanFailASupportedFeature() throws {
        let data = try Self.junit(outcome: { target, id, result in
            target == "alpha" && id == "chat.basic" ? .failed : result.verdict.outcome
        })
        try Self.validateBoth(data)
        let root = try XMLSchemaValidation.tree(data)
        #expect(root["failures"] == "4")
        let c = root.all("testsuite").first { $0["name"] == "alpha.chat" }!
            .all("testcase").first { $0["name"] == "chat.basic" }!
        #expect(c.first("failure")?["type"] == "supported")
    }

    @Test func junitForEmptyReportIsValid() throws {
        let report = Report(tool: ToolInfo(version: "0"), startedAt: "not a date", finishedAt: "",
                            targets: [])
        let data = try JUnitWriter.data(report, hostname: nil)
        try Self.validateBoth(data)
        let root = try XMLSchemaValidation.tree(data)
        #expect(root["tests"] == "0")
        #expect(root.children.isEmpty)
    }

    @Test func validatorRejectsInvalidJUnit() throws {
        let strict = XMLSchemaValidation.schemaURL("jenkins-junit")
        let loose = XMLSchemaValidation.schemaURL("junit-10")
        // Missing required attributes (testcase@name, testsuite@tests): invalid for both.
        let missing = Data("<testsuites><testsuite name=\"x\"><testcase classname=\"c\"/></testsuite></testsuites>".utf8)
        #expect(try !XMLSchemaValidation.errors(missing, schema: strict).isEmpty)
        #expect(try !XMLSchemaValidation.errors(missing, schema: loose).isEmpty)
        // <skipped message> and failure-before-skipped: fine for junit-10, rejected by the strict XSD.
        let attributes = Data("""
            <testsuites><testsuite name="x" tests="1" failures="0" errors="0">\
            <testcase name="a"><failure type="t"/><skipped message="m"/></testcase></testsuite></testsuites>
            """.utf8)
        #expect(try XMLSchemaValidation.errors(attributes, schema: loose).isEmpty)
        #expect(try !XMLSchemaValidation.errors(attributes, schema: strict).isEmpty)
        // Raw ESC is not well-formed.
        #expect(XMLSchemaValidation.wellFormednessError(Data("<a>\u{1B}</a>".utf8)) != nil)
        #expect(XMLSchemaValidation.wellFormednessError(Data("<a>]]></a>".utf8)) != nil)
        #expect(XMLSchemaValidation.wellFormednessError(Data("<a>ok</a>".utf8)) == nil)
    }

    // MARK: - Text filter

    @Test func filterEscapesAndCapsKeepingHeadAndTail() {
        #expect(XMLTextFilter.filter("a\u{1B}b\u{0}c\u{FFFE}d\u{10FFFF}") == "a\\u001Bb\\u0000c\\uFFFEd\u{10FFFF}")
        #expect(XMLTextFilter.filter("x\ny", singleLine: true) == "x y")
        #expect(XMLTextFilter.filter([0x61, 0xFF, 0x62] as [UInt8]) == "a\u{FFFD}b")
        let capped = XMLTextFilter.filter("HEAD" + Self.big + "TAIL", limit: 1000)
        #expect(capped.unicodeScalars.count <= 1000)
        #expect(capped.hasPrefix("HEAD") && capped.hasSuffix("TAIL"))
        #expect(capped.contains("characters omitted"))
        // A cap never splits an escape.
        let escapes = XMLTextFilter.filter(String(repeating: "\u{1B}", count: 500), limit: 100)
        #expect(escapes.hasPrefix("\\u001B") && escapes.hasSuffix("\\u001B"))
        #expect(!escapes.replacingOccurrences(of: "\\u001B", with: "").contains("\\"))
        #expect(XMLTextFilter.filter("key " + Self.secret, redactor: Self.redactor) == "key [REDACTED]")
    }

    // MARK: - JSON

    @Test func jsonRoundTripsAndIsStable() throws {
        var report = Self.sample()
        report.targets[2].features["stream.usage"]!.seconds = 4.25  // NaN is written as 0, see below
        let data = try JSONReportWriter.data(report)
        #expect(try JSONReportWriter.decode(data) == report)
        #expect(try JSONDecoder().decode(Report.self, from: data) == report)
        #expect(try JSONReportWriter.data(report) == data)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"schema\" : \"touchstone.report/v1\""))
        #expect(text.contains("\"started_at\""))
        #expect(text.contains("\"base_url\" : \"http://127.0.0.1:9/v1\""))
        // Keys sorted: "finished_at" before "partial" before "schema" before "started_at".
        let order = ["\"finished_at\"", "\"partial\"", "\"schema\"", "\"started_at\"", "\"targets\"", "\"tool\""]
        let positions = order.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func jsonWritesNonFiniteAsZero() throws {
        let data = try JSONReportWriter.data(Self.sample())
        let decoded = try JSONReportWriter.decode(data)
        let alpha = decoded.targets.first { $0.name == "alpha" }!
        #expect(alpha.features["stream.usage"]!.seconds == 0)
    }

    // MARK: - Markdown

    @Test func markdownTable() throws {
        let md = MarkdownWriter.table(Self.sample(), featureOrder: ["stream.usage", "missing", "chat.basic"],
                                      redactor: Self.redactor)
        for cell in ["✅ supported", "⛔ unsupported", "⚠️ ignored", "❌ broken", "➖ untested"] {
            #expect(md.contains("| \(cell) |") || md.contains(" \(cell) |"), "missing \(cell)")
        }
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("| Feature | beta | gamma | alpha |"))
        let rows = lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Feature") }
        #expect(rows.map { $0.split(separator: " ")[1] }
                == ["stream.usage", "chat.basic", "chat.logprobs", "chat.seed", "tools.choice\\|required"])
        // Every row has exactly 4 cell separators once escaped pipes are removed.
        for row in rows + [lines.first { $0.hasPrefix("|---") }!] {
            #expect(row.replacingOccurrences(of: "\\|", with: "").count(where: { $0 == "|" }) == 5, "\(row)")
        }
        #expect(md.contains("| tools.choice\\|required | — | — | ➖ untested |"))
        #expect(!md.contains(Self.secret))
        #expect(!md.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(md.contains("\\\\u001B"))  // ESC shown as an escaped "\u001B"
        #expect(md.contains("### Quirks"))
        #expect(md.contains("- stop\\_max: 4"))
        #expect(md.contains("_Partial run"))
        #expect(md.contains("- chat.seed — ⚠️ ignored: seed accepted but output differs"))
        #expect(md.contains("- every feature supported") == false)
        #expect(md.contains("- no feature result"))
        #expect(!md.contains("<&>"))
    }

    // MARK: - AtomicFile

    @Test func atomicFileReplacesAndLeavesNoTemporaries() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("touchstone-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/deeper/report.xml").path

        try AtomicFile.write(Data("first version, longer than the second".utf8), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("first version, longer than the second".utf8))
        try AtomicFile.write(Data("second".utf8), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("second".utf8))
        try AtomicFile.write(Data(), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)

        let listing = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(listing == ["report.xml"])

        // A failing write (destination is a directory) leaves nothing behind either.
        let blocked = dir.appendingPathComponent("nested/deeper/blocked").path
        try FileManager.default.createDirectory(atPath: blocked + "/inner", withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { try AtomicFile.write(Data("x".utf8), to: blocked) }
        let after = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(after.sorted() == ["blocked", "report.xml"])
    }
}
