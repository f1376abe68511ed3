import FlyingFox
import Foundation
import Subprocess
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
@testable import TouchstoneKit
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A key planted in the environment never comes out of the `touchstone` executable: not on the
/// console, not in any report, in no encoding — even when the upstream echoes it back in
/// bodies, headers, redirects and streams. Real processes, real sockets, real libcurl.
@Suite("Secrets", .serialized)
struct SecretsTests {
    /// Characters that every encoding writes differently: `/ + =` (base64, URL, JSON `\/`),
    /// `é` (UTF-8, `\u00e9`, `%C3%A9`), `%2F` (already looks URL-encoded), `~ _` (unreserved),
    /// a space (`+` / `%20`), `< & > " '` (XML/HTML entities, JSON `\"`). 48 bytes, so
    /// base64 has a core for every alignment.
    static let key = "sk-Tst/+=é_%2F~k3y 7Qx<&>\"'-planted-9f8e7d6c5b4a"
    /// A header value the targets file marks secret.
    static let orgSecret = "org-S3cr3t/+=ü_value~42"
    static let keyVariable = "TOUCHSTONE_SECRETS_TEST_KEY"
    static let orgVariable = "TOUCHSTONE_SECRETS_TEST_ORG"

    /// The report outputs every run writes; adding an output is one line here.
    static let reportOutputs: [(flag: String, suffix: String)] = [
        ("--json", "json"), ("--junit", "xml"), ("--markdown", "md"), ("--html", "html"),
    ]

    @Test func plantedKeyNeverLeavesTheExecutable() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // An upstream that checks the key (the reference emulator) and one that echoes it.
        let reference = EmulatorServer(knobs: Personalities.named("reference")!.knobs, chatModel: "emulator-chat",
                                       embeddingModel: "emulator-embed", apiKey: Self.key)
        try await reference.start()
        defer { Task { await reference.stop() } }
        let echo = try await EchoUpstream.start()
        defer { Task { await echo.stop() } }
        let env = [Self.keyVariable: Self.key, Self.orgVariable: Self.orgSecret]

        func outputs(_ stem: String) -> [String] {
            Self.reportOutputs.flatMap { [$0.flag, dir.appendingPathComponent("\(stem).\($0.suffix)").path] }
        }
        var console: [(String, String)] = []
        func record(_ name: String, _ r: CLITests.Outcome) {
            console.append(("\(name) stdout", r.stdout))
            console.append(("\(name) stderr", r.stderr))
        }

        let probeReference = try await CLI.run(["probe", reference.baseURL, "--model", "emulator-chat",
                                                "--embedding-model", "emulator-embed", "--api-key-env", Self.keyVariable,
                                                "--fail-on", "none"] + outputs("reference"), environment: env)
        #expect(probeReference.status == 0, "\(probeReference.stderr)")
        record("probe reference", probeReference)
        // The key was accepted: the emulator answered as the reference does.
        let referenceReport = try JSONDecoder().decode(Report.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
        #expect(referenceReport.targets.first?.features["chat.basic"]?.verdict == .supported)

        let probeEcho = try await CLI.run(["probe", echo.baseURL, "--model", "echo-model", "--api-key-env", Self.keyVariable,
                                           "--timeout", "10", "--fail-on", "none"] + outputs("echo"), environment: env)
        #expect(probeEcho.status == 0, "\(probeEcho.stderr)")
        record("probe echo", probeEcho)
        #expect(echo.sawKey, "the echo upstream never received the key")
        // Refused on the preflight's chat: the stop message quotes the server, which echoes the key.
        let refused = try await CLI.run(["probe", echo.baseURL, "--model", "echo-model", "--api-key-env", Self.keyVariable,
                                         "--header", "X-Echo-Refuse: 1", "--timeout", "10"] + outputs("echo-refused"),
                                        environment: env)
        #expect(refused.status == 6 && refused.stderr.contains("was refused"), "\(refused.stderr)")
        record("probe echo refused", refused)

        let targets = dir.appendingPathComponent("targets.yaml")
        try """
        targets:
          reference:
            base_url: \(reference.baseURL)
            model: emulator-chat
            api_key_env: \(Self.keyVariable)
          echo:
            base_url: \(echo.baseURL)
            model: echo-model
            api_key_env: \(Self.keyVariable)
            headers:
              X-Org: {value: "${\(Self.orgVariable)}", secret: true}
        """.write(to: targets, atomically: true, encoding: .utf8)
        let run = try await CLI.run(["run", "--targets", targets.path, "--timeout", "10", "--fail-on", "none"] + outputs("run"),
                                    environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        record("run", run)
        #expect(echo.sawOrg, "the echo upstream never received the secret header")

        // Commands that read reports write outputs too.
        let reports = ["reference", "echo", "run"].map { dir.appendingPathComponent("\($0).json").path }
        // (`reference` and `run` name their targets apart, as merge requires.)
        record("merge", try await CLI.run(["merge", reports[0], reports[2]] + outputs("merged"), environment: env))
        record("diff", try await CLI.run(["diff", reports[0], reports[1], "--json", dir.appendingPathComponent("diff.json").path],
                                         environment: env))
        for format in ["yaml", "json", "litellm"] {
            record("presets \(format)", try await CLI.run(["presets", reports[2], "--format", format, "--api-key-env", Self.keyVariable,
                                                           "--output", dir.appendingPathComponent("presets-\(format).txt").path],
                                                          environment: env))
        }

        var texts = console
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file != "targets.yaml" {
            let data = try Data(contentsOf: dir.appendingPathComponent(file))
            texts.append((file, String(decoding: data, as: UTF8.self)))
        }
        // Every report was written (a missing file would hide a leak).
        for stem in ["reference", "echo", "echo-refused", "run", "merged"] {
            for output in Self.reportOutputs {
                #expect(texts.contains { $0.0 == "\(stem).\(output.suffix)" }, "\(stem).\(output.suffix) was not written")
            }
        }
        // The outputs did record what the upstreams said (masked), so the search is meaningful.
        let echoJSON = texts.first { $0.0 == "echo.json" }?.1 ?? ""
        #expect(echoJSON.contains(Redactor.mask) && echoJSON.contains("Incorrect API key provided"))
        // Evidence carries reproduction commands naming the variable; JUnit failures show them.
        #expect(echoJSON.contains("\"curl\"") && echoJSON.contains("${\(Self.keyVariable)}"))
        let echoJUnit = texts.first { $0.0 == "echo.xml" }?.1 ?? ""
        #expect(echoJUnit.contains("reproduce: curl ") && echoJUnit.contains("${\(Self.keyVariable)}"))

        for secret in [Self.key, Self.orgSecret] {
            let needles = SecretForms.all(secret)
            for (name, text) in texts {
                for view in SecretForms.views(text) {
                    for (form, needle) in needles where view.contains(needle) {
                        Issue.record("\(name): the secret appears \(form): `\(needle)`")
                    }
                }
            }
        }
    }

    @Test func curlCommandsNameTheVariableNeverTheKey() async throws {
        let reference = EmulatorServer(knobs: Personalities.named("reference")!.knobs, apiKey: Self.key)
        try await reference.start()
        defer { Task { await reference.stop() } }
        var target = try Target(name: "reference", baseURL: reference.baseURL, model: "emulator-chat",
                                embeddingModel: "emulator-embed", apiKey: Self.key)
        target.apiKeyEnv = Self.keyVariable
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20, include: ["chat.basic", "stream.basic"]))
            .probe(target)
        let evidence = report.features.values.flatMap(\.evidence)
        #expect(!evidence.isEmpty)
        for e in evidence {
            let curl = try #require(e.curl)
            #expect(curl.hasPrefix("curl "))
            #expect(curl.contains("\"Authorization: Bearer ${\(Self.keyVariable)}\""), "\(curl)")
            #expect(curl.contains("'\(e.url)'"), "the URL is quoted: \(curl)")
            for (form, needle) in SecretForms.all(Self.key) { #expect(!curl.contains(needle), "key \(form) in \(curl)") }
            // The command runs: a shell expands the variable, and the emulator accepts the key.
            let r = try await Subprocess.run(.path(FilePath("/bin/bash")), arguments: ["-c", curl],
                                             environment: .inherit.updating([.init(stringLiteral: Self.keyVariable): Self.key]),
                                             output: .string(limit: 1 << 20), error: .string(limit: 1 << 16))
            #expect(r.terminationStatus.isSuccess, "\(curl): \(r.standardError)")
            #expect(r.standardOutput.hasPrefix("HTTP/1.1 200"), "\(curl) → \(r.standardOutput.prefix(200))")
            if e.request?.contains("\"stream\":true") == true { #expect(curl.contains(" -N ")) }
        }
        await reference.stop()
    }

    /// The command is exact: bash runs it, and the server receives the same method, headers and
    /// body bytes — quotes, `$`, backquotes, control characters and invalid UTF-8 included.
    @Test func curlCommandsReproduceTheExactRequest() async throws {
        let recorder = RequestRecorder()
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        await server.appendRoute("*") { request in
            let body = try await request.bodyData
            recorder.record(method: request.method.rawValue, path: request.path,
                            odd: request.headers[FlyingFox.HTTPHeader("X-Odd")] ?? "",
                            auth: request.headers[FlyingFox.HTTPHeader("Authorization")] ?? "", body: body)
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data("ok".utf8))
        }
        let task = Task { try await server.run() }
        defer { task.cancel() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port) = await server.listeningAddress else { throw POSIXError(.EADDRNOTAVAIL) }
        let odd = #"it's "quoted" $HOME `id` \ end"#
        let bodies: [(String, [UInt8]?)] = [
            ("POST", Array(#"{"q":"it's \"x\" $HOME `id`","k":"\#(Self.key)"}"#.utf8)),
            ("POST", [0x7B, 0x00, 0x01, 0x1B, 0x7F, 0xFF, 0xFE, 0x27, 0x5C, 0x0A, 0x09, 0xC3, 0xA9, 0x7D]),
            ("PUT", Array("x".utf8)),
            ("DELETE", nil),
            ("GET", nil),
        ]
        for (method, body) in bodies {
            let request = PreparedRequest(method: method, url: "http://127.0.0.1:\(port)/v1/thing", path: "/thing", join: .clean,
                                          headers: [TouchstoneHTTP.HTTPHeader("Content-Type", "application/json"),
                                                    TouchstoneHTTP.HTTPHeader("X-Odd", odd),
                                                    TouchstoneHTTP.HTTPHeader("Authorization", "Bearer \(Self.key)")],
                                          body: body, json: nil)
            let curl = CurlCommand.render(request, context: .init(key: Self.key, keyVariable: Self.keyVariable, insecure: false),
                                          redactor: Redactor(secrets: [Self.key]))
            for (form, needle) in SecretForms.all(Self.key) { #expect(!curl.contains(needle), "key \(form) in \(curl)") }
            let r = try await Subprocess.run(.path(FilePath("/bin/bash")), arguments: ["-c", curl],
                                             environment: .inherit.updating([.init(stringLiteral: Self.keyVariable): Self.key]),
                                             output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
            #expect(r.terminationStatus.isSuccess, "\(curl): \(r.standardError)")
            let got = try #require(recorder.last, "\(curl) sent nothing")
            #expect(got.method == method, "\(curl)")
            #expect(got.odd == odd, "\(curl)")
            #expect(got.auth == "Bearer \(Self.key)", "\(curl)")
            // Byte for byte; a key in the body comes back from the variable too.
            #expect(Array(got.body) == (body ?? []), "\(curl)")
        }
        // A long body is cut, and the command says so.
        let long = PreparedRequest(method: "POST", url: "http://127.0.0.1:1/v1/x", path: "/x", join: .clean, headers: [],
                                   body: Array(String(repeating: "é", count: 3000).utf8), json: nil)
        let cut = CurlCommand.render(long, context: .init(key: nil, keyVariable: nil, insecure: true), redactor: Redactor(secrets: []))
        #expect(cut.hasSuffix("# body cut at 4096 of 6000 bytes"), "\(cut.suffix(60))")
        #expect(cut.contains(" -k "))
        await server.stop()
    }

    @Test func noOptionTakesAKey() async throws {
        let help = try await CLI.run(["probe", "--help"])
        #expect(help.status == 0)
        // The only key option names a variable.
        #expect(help.stdout.contains("--api-key-env"))
        for flag in ["--api-key ", "--key ", "--token ", "--api-key=", "--bearer"] {
            #expect(!help.stdout.contains(flag), "probe takes \(flag.trimmingCharacters(in: .whitespaces)): keys must come from the environment")
        }
        let refused = try await CLI.run(["probe", "http://127.0.0.1:1/v1", "--model", "m", "--api-key", Self.key])
        #expect(refused.status == 2)
        #expect(!refused.stderr.contains(Self.key) && !refused.stdout.contains(Self.key))
    }

    @Test func tlsIsVerifiedUnlessInsecureWhichIsReported() async throws {
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await SelfSignedTLSServer.with(in: dir) { port in
            try await checkTLS(base: "https://127.0.0.1:\(port)/v1", dir: dir)
        }
    }

    func checkTLS(base: String, dir: URL) async throws {
        // Verified by default: the self-signed certificate is refused, nothing is answered.
        let strict = try await CLI.run(["probe", base, "--model", "m", "--features", "models.list", "--quiet", "--timeout", "10",
                                        "--json", dir.appendingPathComponent("strict.json").path])
        #expect(strict.status == 3, "\(strict.stderr)")
        #expect(!strict.stderr.contains("verification is off"))
        let a = try JSONDecoder().decode(Report.self, from: Data(contentsOf: dir.appendingPathComponent("strict.json")))
        #expect(a.targets.allSatisfy { !$0.insecure })
        #expect(a.targets.first?.features["models.list"]?.evidence.first?.error?.hasPrefix("tls") == true,
                "\(a.targets.first?.features["models.list"]?.evidence.first?.error ?? "no evidence")")

        // With --insecure the handshake goes through, and every output says so.
        let insecure = try await CLI.run(["probe", base, "--model", "m", "--features", "models.list", "--insecure", "--timeout", "10",
                                          "--fail-on", "none",
                                          "--json", dir.appendingPathComponent("b.json").path,
                                          "--junit", dir.appendingPathComponent("b.xml").path,
                                          "--html", dir.appendingPathComponent("b.html").path])
        #expect(insecure.status == 0, "\(insecure.stderr)")
        #expect(insecure.stderr.contains("TLS certificate verification is off"), "\(insecure.stderr)")
        let b = try JSONDecoder().decode(Report.self, from: Data(contentsOf: dir.appendingPathComponent("b.json")))
        #expect(b.targets.allSatisfy { $0.insecure })
        #expect(b.targets.first?.stats.responses ?? 0 > 0)
        let junit = try String(contentsOf: dir.appendingPathComponent("b.xml"), encoding: .utf8)
        #expect(junit.contains("name=\"insecure\" value=\"true\""), "JUnit does not say TLS verification was off")
        let html = try String(contentsOf: dir.appendingPathComponent("b.html"), encoding: .utf8)
        #expect(html.contains("TLS not verified"))
    }

    /// The key written in each encoding a server or a writer might use.
    static let encodedKeys: [(String, String)] = {
        let key = SecretsTests.key
        let alnum = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let b64 = Data(key.utf8).base64EncodedString()
        var out: [(String, String)] = []
        out.append(("plain", "Bearer " + key))
        out.append(("JSON", #"{"key":"sk-Tst\/+=\u00e9_%2F~k3y 7Qx<&>\"'-planted-9f8e7d6c5b4a"}"#))
        out.append(("JSON uppercase", #"{"key":"sk-Tst/+=\u00E9_%2F~k3y 7Qx<&>\"'-planted-9f8e7d6c5b4a"}"#))
        out.append(("JSON unescaped slash", #"{"key":"sk-Tst/+=é_%2F~k3y 7Qx<&>\"'-planted-9f8e7d6c5b4a"}"#))
        out.append(("URL", "?key=" + alnum))
        out.append(("URL lowercase", "?key=" + SecretForms.lowercaseHex(alnum)))
        out.append(("URL query", "?key=" + key.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!))
        out.append(("form", "key=" + alnum.replacingOccurrences(of: "%20", with: "+")))
        out.append(("base64", b64))
        out.append(("base64 unpadded", b64.trimmingCharacters(in: ["="])))
        out.append(("base64url", SecretForms.urlAlphabet(b64)))
        out.append(("basic auth", "Authorization: Basic " + Data("user:\(key)".utf8).base64EncodedString()))
        out.append(("basic auth, 2-byte user", "Basic " + Data("us:\(key)".utf8).base64EncodedString()))
        out.append(("basic auth, 1-byte user", "Basic " + Data("u:\(key)".utf8).base64EncodedString()))
        return out
    }()

    @Test func redactorMasksEachEncoding() {
        let redactor = Redactor(secrets: [Self.key])
        for (encoding, text) in Self.encodedKeys {
            checkMasked(redactor, encoding, text)
        }
    }

    /// A key that reaches an output in pieces (split over stream events, or cut by a length
    /// limit) leaves no piece of 12 bytes or more.
    @Test func redactorMasksPiecesOfASecret() {
        let r = Redactor(secrets: [Self.key])
        let chars = Array(Self.key)
        let split = "data: {\"content\":\"\(String(chars[..<24]))\"}\n\ndata: {\"content\":\"\(String(chars[24...]))\"}"
        let cut = "Incorrect API key provided: \(String(chars[..<30]))…"
        for text in [split, cut, String(chars[5..<17]) + " and " + String(chars.suffix(12))] {
            let masked = r.redact(text)
            for (form, needle) in SecretForms.all(Self.key) { #expect(!masked.contains(needle), "\(form) in \(masked)") }
            #expect(masked.contains(Redactor.mask))
        }
        // Shorter pieces are ordinary text.
        let short = String(chars[..<10])  // 11 bytes
        #expect(r.redact("prefix \(short) suffix") == "prefix \(short) suffix")
        // Every byte of a long text is looked at once (a 1 MiB body with the key at the end).
        let body = String(repeating: "s", count: 1 << 20) + Self.key.dropFirst(3)
        #expect(r.redact(body).hasSuffix(Redactor.mask))
    }

    func checkMasked(_ redactor: Redactor, _ encoding: String, _ text: String) {
        let masked = redactor.redact("before " + text + " after")
        #expect(masked.contains(Redactor.mask), "\(encoding) not masked: \(masked)")
        for (form, needle) in SecretForms.all(Self.key) {
            #expect(!masked.contains(needle), "\(encoding): \(form) left in \(masked)")
        }
    }
}

/// What the last request to a test server carried.
final class RequestRecorder: @unchecked Sendable {
    struct Request { var method: String; var path: String; var odd: String; var auth: String; var body: Data }
    private let lock = NSLock()
    private var requests: [Request] = []
    func record(method: String, path: String, odd: String, auth: String, body: Data) {
        lock.lock(); requests.append(Request(method: method, path: path, odd: odd, auth: auth, body: body)); lock.unlock()
    }
    var last: Request? { lock.lock(); defer { lock.unlock() }; return requests.last }
}

/// The `touchstone` executable with a planted environment.
enum CLI {
    static func run(_ args: [String], environment: [String: String] = [:]) async throws -> CLITests.Outcome {
        try await CLITests().touchstone(args, environment: environment)
    }
}

/// Every form in which a secret could leak, computed here independently of `Redactor`.
enum SecretForms {
    /// (description, needle): plain pieces, URL encodings and base64 encodings.
    static func all(_ secret: String) -> [(String, String)] {
        var out: [(String, String)] = []
        // Any 12 consecutive characters of the secret: a secret cut in two must not leak either half.
        let chars = Array(secret)
        for start in 0...(max(0, chars.count - 12)) {
            out.append(("as a piece in plain text", String(chars[start..<min(chars.count, start + 12)])))
        }
        // URL encodings: encodeURIComponent-like, RFC 3986 unreserved, query; hex in either case; '+' for space.
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        for allowed in [CharacterSet.alphanumerics, unreserved, .urlQueryAllowed, .urlPathAllowed] {
            guard let e = secret.addingPercentEncoding(withAllowedCharacters: allowed), e != secret else { continue }
            out.append(("URL-encoded", e))
            out.append(("URL-encoded (lowercase hex)", lowercaseHex(e)))
            out.append(("form-encoded", e.replacingOccurrences(of: "%20", with: "+")))
        }
        // base64: the secret alone, padded or not, and the part fixed by the secret when it
        // sits at any of the three alignments inside a longer text (Basic auth `user:key`).
        let b64 = Data(secret.utf8).base64EncodedString()
        out.append(("base64", b64.trimmingCharacters(in: ["="])))
        out.append(("base64url", urlAlphabet(b64.trimmingCharacters(in: ["="]))))
        for alignment in 0..<3 {
            let core = base64Core(Array(secret.utf8), alignment: alignment)
            out.append(("base64 at alignment \(alignment)", core))
            out.append(("base64url at alignment \(alignment)", urlAlphabet(core)))
        }
        return out
    }

    /// The text and the text with escapes undone: JSON `\uXXXX` and backslash escapes,
    /// Markdown backslashes, XML/HTML character references.
    static func views(_ text: String) -> [String] {
        var s = text
        for (entity, ch) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#34;", "\""), ("&apos;", "'"),
                             ("&#39;", "'"), ("&#x27;", "'"), ("&#x2F;", "/"), ("&#47;", "/"), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: ch, options: .caseInsensitive)
        }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\\", i + 5 < scalars.count, scalars[i + 1] == "u" || scalars[i + 1] == "U",
               let v = UInt32(String(String.UnicodeScalarView(scalars[i + 2..<i + 6])), radix: 16), let u = Unicode.Scalar(v) {
                out.append(u)
                i += 6
            } else if scalars[i] == "\\" {
                i += 1  // drop the escaping backslash, keep what it escapes
                if i < scalars.count { out.append(scalars[i]); i += 1 }
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return [text, String(out)]
    }

    /// Characters equal in the encodings of `secret` behind `alignment` bytes of zeros and
    /// behind `alignment` bytes of 0xFF (followed likewise): the longest such run.
    static func base64Core(_ secret: [UInt8], alignment: Int) -> String {
        let a = Array(Data(Array(repeating: 0x00, count: alignment) + secret + [0x00, 0x00]).base64EncodedString())
        let b = Array(Data(Array(repeating: 0xFF, count: alignment) + secret + [0xFF, 0xFF]).base64EncodedString())
        var best = "", run = ""
        for (x, y) in zip(a, b) {
            if x == y { run.append(x) } else { run = "" }
            if run.count > best.count { best = run }
        }
        return best
    }

    static func urlAlphabet(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func lowercaseHex(_ s: String) -> String {
        var out = ""
        var hex = 0
        for ch in s {
            if hex > 0 { out += ch.lowercased(); hex -= 1 } else { out.append(ch); if ch == "%" { hex = 2 } }
        }
        return out
    }
}

/// A hostile upstream on a real socket that echoes the key (and an `X-Org` header) back in
/// every way a server could: JSON error messages (escaped by JSONSerialization: `\/`), plain
/// text, URL- and base64-encoded fields, Basic auth, response headers (`Server` included),
/// redirect locations, and SSE streams — with the key placed across the points where evidence
/// and details are cut.
final class EchoUpstream: @unchecked Sendable {
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    let baseURL: String
    private let lock = NSLock()
    private var keySeen = false
    private var orgSeen = false

    var sawKey: Bool { lock.lock(); defer { lock.unlock() }; return keySeen }
    var sawOrg: Bool { lock.lock(); defer { lock.unlock() }; return orgSeen }

    private init(server: HTTPServer, task: Task<Void, any Error>, baseURL: String) {
        self.server = server
        self.task = task
        self.baseURL = baseURL
    }

    static func start() async throws -> EchoUpstream {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        let box = Box()
        await server.appendRoute("*") { request in
            let body = try await request.bodyData
            let auth = request.headers[FlyingFox.HTTPHeader("Authorization")] ?? ""
            let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : auth
            let org = request.headers[FlyingFox.HTTPHeader("X-Org")] ?? ""
            let refuse = request.headers[FlyingFox.HTTPHeader("X-Echo-Refuse")] != nil
            box.upstream?.saw(key: key == SecretsTests.key, org: org == SecretsTests.orgSecret)
            return EchoUpstream.reply(path: request.path, body: body, key: key, org: org, refuseBasic: refuse)
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port) = await server.listeningAddress else { throw POSIXError(.EADDRNOTAVAIL) }
        let upstream = EchoUpstream(server: server, task: task, baseURL: "http://127.0.0.1:\(port)/v1")
        box.upstream = upstream
        return upstream
    }

    func stop() async {
        await server.stop()
        task.cancel()
    }

    private func saw(key: Bool, org: Bool) {
        lock.lock()
        keySeen = keySeen || key
        orgSeen = orgSeen || org
        lock.unlock()
    }

    private final class Box: @unchecked Sendable { weak var upstream: EchoUpstream? }

    /// Every encoding of `value` a server might print.
    static func encodings(_ value: String) -> [String: String] {
        [
            "plain": value,
            "url": value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "",
            "query": value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "",
            "base64": Data(value.utf8).base64EncodedString(),
            "base64url": SecretForms.urlAlphabet(Data(value.utf8).base64EncodedString()),
            "basic": "Basic " + Data("user:\(value)".utf8).base64EncodedString(),
        ]
    }

    /// The plain chat (`chat.basic`'s fields only) is answered, echoing the key, so the preflight
    /// passes and every other probe meets the echoes; with `X-Echo-Refuse` it is refused with
    /// 401 too, and the preflight stops the target with the echoed key in its message.
    static func reply(path: String, body: Data, key: String, org: String, refuseBasic: Bool = false) -> FlyingFox.HTTPResponse {
        let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let wantsStream = json?["stream"] as? Bool == true
        let basic = Set(json?.keys.map { $0 } ?? []) == ["model", "messages", "max_tokens", "temperature"]
        var headers: FlyingFox.HTTPHeaders = [
            FlyingFox.HTTPHeader("Server"): "echo/1.0 (key \(key))",
            FlyingFox.HTTPHeader("X-Echo-Key"): Data(key.utf8).base64EncodedString(),
            FlyingFox.HTTPHeader("WWW-Authenticate"): "Bearer realm=\"\(key)\"",
        ]
        // A message whose key straddles the 120- and 300-character cuts of details.
        let message = "Incorrect API key provided: " + String(repeating: "·", count: 80) + " \(key) " + String(repeating: "·", count: 200) + " \(key) org \(org)"
        if path.hasSuffix("/completions") && !path.hasSuffix("/chat/completions") {
            headers[.location] = "/v1/echo?key=\(encodings(key)["url"]!)&org=\(encodings(org)["query"]!)"
            return FlyingFox.HTTPResponse(statusCode: .temporaryRedirect, headers: headers, body: Data())
        }
        if path.hasSuffix("/models") {
            let list: [String: Any] = ["object": "list", "data": [["id": key, "object": "model"], ["id": "echo-model", "object": "model"]]]
            headers[.contentType] = "application/json"
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: headers, body: try! JSONSerialization.data(withJSONObject: list))
        }
        if path.hasSuffix("/chat/completions") && wantsStream {
            // The key split over events, and whole inside JSON-escaped chunks and a comment.
            let half = key.index(key.startIndex, offsetBy: key.count / 2)
            var sse = ": keep-alive \(key)\n\n"
            for piece in [String(key[..<half]), String(key[half...]), " \(key)", " \(encodings(key)["base64"]!)"] {
                let chunk: [String: Any] = ["id": "c1", "object": "chat.completion.chunk", "model": "echo-model",
                                            "choices": [["index": 0, "delta": ["content": piece], "finish_reason": NSNull()]]]
                sse += "data: " + String(decoding: try! JSONSerialization.data(withJSONObject: chunk), as: UTF8.self) + "\n\n"
            }
            sse += "error: \(key)\n\ndata: [DONE]\n\n"
            headers[.contentType] = "text/event-stream"
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: headers, body: Data(sse.utf8))
        }
        if path.hasSuffix("/chat/completions") && basic && !refuseBasic {
            let answer: [String: Any] = ["id": "c-\(key)", "object": "chat.completion", "created": 1, "model": "echo-model",
                                         "choices": [["index": 0, "message": ["role": "assistant", "content": "hello \(key) \(org)"],
                                                      "finish_reason": "length"]],
                                         "usage": ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5]]
            headers[.contentType] = "application/json"
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: headers, body: try! JSONSerialization.data(withJSONObject: answer))
        }
        if path.hasSuffix("/chat/completions") {
            // 401 with the key in every encoding, the first copy across the head/tail cut of evidence.
            let error: [String: Any] = ["error": ["message": message, "type": "invalid_request_error", "code": "invalid_api_key",
                                                  "key": encodings(key), "org": encodings(org),
                                                  "padding": String(repeating: "p", count: 940)]]
            headers[.contentType] = "application/json"
            return FlyingFox.HTTPResponse(statusCode: .unauthorized, headers: headers,
                                          body: try! JSONSerialization.data(withJSONObject: error))
        }
        // Anything else: plain text, the key across the cut between the kept head and tail.
        let text = String(repeating: "x", count: 1015) + key + String(repeating: "y", count: 2000) + key
            + " " + encodings(key).values.sorted().joined(separator: " ") + " " + encodings(org).values.sorted().joined(separator: " ")
        headers[.contentType] = "text/plain"
        return FlyingFox.HTTPResponse(statusCode: .notFound, headers: headers, body: Data(text.utf8))
    }
}

/// `openssl s_server` with a fresh self-signed certificate on 127.0.0.1 (`-www`: every GET
/// gets an HTTP 200 status page), for the duration of `body`; stopped by its PID.
enum SelfSignedTLSServer {
    static func with(in dir: URL, _ body: (Int) async throws -> Void) async throws {
        let key = dir.appendingPathComponent("tls-key.pem").path
        let cert = dir.appendingPathComponent("tls-cert.pem").path
        let made = try await Subprocess.run(.path(FilePath("/usr/bin/openssl")), arguments: [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=127.0.0.1",
        ], output: .discarded, error: .discarded)
        guard made.terminationStatus.isSuccess else { throw POSIXError(.EIO) }
        let port = try freePort()
        let server = try await Subprocess.run(.path(FilePath("/usr/bin/openssl")), arguments: [
            "s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet",
        ], input: .none, output: .discarded, error: .discarded) { execution in
            let outcome: Result<Void, any Error>
            // Ready when it accepts connections.
            var ready = false
            for _ in 0..<400 where !ready {
                ready = canConnect(port)
                if !ready { try await Task.sleep(for: .milliseconds(25)) }
            }
            if ready {
                do { try await body(port); outcome = .success(()) } catch { outcome = .failure(error) }
            } else {
                outcome = .failure(POSIXError(.ECONNREFUSED))
            }
            try? execution.send(signal: .terminate)
            return outcome
        }
        try server.closureResult.get()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
