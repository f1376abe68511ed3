import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
import TouchstoneHTTP
import TouchstoneReports
@testable import TouchstoneKit

/// Targets files: the minimal form, expansion, errors with file and line, known upstreams,
/// secrets, shards, and the Azure mode against the emulator.
@Suite("Targets files")
struct TargetsFileTests {
    static let file = "targets.yaml"

    func load(_ yaml: String, _ env: [String: String] = [:]) throws -> [TargetSpec] {
        try TargetsFile.load(text: yaml, file: Self.file, environment: env)
    }

    /// The error messages of a file that must not load (fails the test when it loads).
    func errors(_ yaml: String, _ env: [String: String] = [:]) -> [SuiteError] {
        let errors = SuiteText.errors { _ = try load(yaml, env) }
        if errors.isEmpty { Issue.record("expected errors, the file loaded") }
        return errors
    }

    func has(_ errors: [SuiteError], line: Int, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(errors.contains { $0.location.line == line && $0.location.file == Self.file && $0.message.contains(fragment) },
                "no error at line \(line) containing `\(fragment)` in:\n\(SuiteErrors(errors).description)",
                sourceLocation: sourceLocation)
    }

    // MARK: Minimal form

    @Test func minimalFormLoads() throws {
        let specs = try load("""
        targets:
          local: {base_url: http://127.0.0.1:8080/v1/, model: gemma, embedding_model: nomic, api_key_env: LOCAL_KEY}
          bare: {base_url: "https://example.test/v1"}
        """, ["LOCAL_KEY": "sk-local-0123456789"])
        #expect(specs.map(\.name) == ["local", "bare"])
        let local = specs[0]
        #expect(local.baseURL == "http://127.0.0.1:8080/v1" && local.model == "gemma" && local.embeddingModel == "nomic")
        #expect(local.apiKey == "sk-local-0123456789" && local.apiKeyEnv == "LOCAL_KEY" && local.auth == .bearer)
        #expect(local.location?.line == 2)
        let bare = specs[1]
        #expect(bare.model == nil && bare.apiKey == nil && bare.headers.isEmpty)
        let target = try bare.target()
        #expect(target.baseURL == "https://example.test/v1" && target.redactionSecrets.isEmpty)
    }

    @Test func defaultsAndPerTargetOptions() throws {
        let specs = try load("""
        defaults:
          timeout: 30
          jobs: 2
          headers: {X-Team: qa, X-Run: nightly}
        targets:
          a:
            base_url: http://127.0.0.1:1/v1
            jobs: 4
            headers: {x-run: adhoc}
            features: ['chat.*']
            skip: chat.seed
            insecure: true
          b: {base_url: http://127.0.0.1:2/v1, timeout: "${B_TIMEOUT:-45.5}"}
        """)
        let a = specs[0], b = specs[1]
        #expect(a.timeout == 30 && a.jobs == 4 && a.insecure == true)
        #expect(a.headers == [HTTPHeader("X-Team", "qa"), HTTPHeader("x-run", "adhoc")])
        #expect(a.features == ["chat.*"] && a.skip == ["chat.seed"])
        let o = a.options(ProbeOptions(jobs: 8, timeout: 120, include: ["x.*"], exclude: ["y"]))
        #expect(o.jobs == 4 && o.timeout == 30 && o.include == ["chat.*"] && o.exclude == ["y", "chat.seed"])
        #expect(b.timeout == 45.5 && b.jobs == 2 && b.headers.count == 2)
    }

    // MARK: Expansion

    @Test func variablesExpandWithDefaultsAndEscapes() throws {
        let env = ["HOST": "10.0.0.7", "EMPTY": ""]
        let specs = try load("""
        targets:
          x:
            base_url: http://${HOST}:${PORT:-8080}/v1
            model: "cost$$5 ${EMPTY:-fallback} $HOME"
        """, env)
        #expect(specs[0].baseURL == "http://10.0.0.7:8080/v1")
        #expect(specs[0].model == "cost$5 fallback $HOME")
        let x = VariableExpansion(environment: ["A": "1"])
        #expect(try x.expand("${A}${A:-2}$${A}").text == "11${A}")
        #expect(try x.expand("${A}").variables == ["A"])
        #expect(throws: VariableExpansion.Problem.unset("B")) { try x.expand("${B}") }
        #expect(throws: VariableExpansion.Problem.badName("1X")) { try x.expand("${1X}") }
        #expect(throws: VariableExpansion.Problem.unterminated) { try x.expand("${A") }
    }

    @Test func unsetVariableIsAnErrorWithItsLine() {
        let e = errors("""
        targets:
          x:
            base_url: http://127.0.0.1:8080/v1
            model: ${MODEL_NAME}
            embedding_model: ${9X}
        """)
        has(e, line: 4, "`MODEL_NAME` is not set")
        has(e, line: 4, "${MODEL_NAME:-default}")
        has(e, line: 5, "not a variable name")
    }

    // MARK: Errors

    @Test func everyProblemIsReportedWithFileAndLine() {
        let e = errors("""
        targets:
          a:
            base_url: http://127.0.0.1:1/v1
            modle: m
            jobs: many
            timeout: [1]
            insecure: maybe
          b:
            model: m
          c:
            upstream: grok
          bad.name: {base_url: http://127.0.0.1:3/v1}
          d:
            base_url: localhost:8080/v1
            auth: basic
        extra: 1
        """)
        has(e, line: 4, "unknown key `modle`")
        has(e, line: 4, "did you mean `model`?")
        has(e, line: 5, "`jobs` must be a number")
        has(e, line: 6, "`timeout` must be a number")
        has(e, line: 7, "true or false")
        has(e, line: 8, "needs `base_url`")
        has(e, line: 11, "unknown upstream `grok`; did you mean `groq`?")
        has(e, line: 12, "invalid target name `bad.name`")
        has(e, line: 14, "invalid base URL")
        has(e, line: 15, "unknown auth `basic`")
        has(e, line: 16, "unknown key `extra`")
        #expect(e.allSatisfy { $0.description.hasPrefix("targets.yaml:") })
    }

    @Test func invalidYAMLAndShapes() {
        has(errors("targets:\n  a: {base_url: [\n"), line: 3, "invalid YAML")
        has(errors("targets: [a, b]\n"), line: 1, "mapping of name")
        has(errors("targets: {}\n"), line: 1, "empty")
        has(errors("defaults: {}\n"), line: 1, "needs `targets`")
        has(errors("targets:\n  a: 3\n"), line: 2, "must be a mapping")
        #expect(throws: SuiteErrors.self) { try load("") }
        #expect(throws: SuiteErrors.self) { try TargetsFile.load(file: "/nonexistent/targets.yaml", environment: [:]) }
    }

    @Test func targetNamesAreUnique() throws {
        has(errors("targets:\n  a: {base_url: http://h/v1}\n  a: {base_url: http://h/v1}\n"), line: 3, "duplicate key `a`")
        let e = errors("targets:\n  Groq: {base_url: http://h/v1}\n  groq: {base_url: http://h/v1}\n")
        has(e, line: 3, "differs only in case from `Groq`")
        has(e, line: 3, "targets.yaml:2")
        // Across files too.
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.yaml").path, two = dir.appendingPathComponent("two.yaml").path
        try "targets:\n  a: {base_url: http://h/v1}\n".write(toFile: one, atomically: true, encoding: .utf8)
        try "targets:\n  b: {base_url: http://h/v1}\n  a: {base_url: http://h/v1}\n".write(toFile: two, atomically: true, encoding: .utf8)
        do {
            _ = try TargetsFile.load(files: [one, two], environment: [:])
            Issue.record("duplicate across files loaded")
        } catch let e as SuiteErrors {
            #expect(e.errors.count == 1)
            #expect(e.description.contains("two.yaml:3:") && e.description.contains("already defined at \(one):2"), "\(e)")
        }
    }

    // MARK: Secrets

    @Test func keysComeOnlyFromTheEnvironment() {
        let literal = "sk-live-abcdef0123456789"
        let e = errors("""
        targets:
          a:
            base_url: http://127.0.0.1:1/v1
            api_key: \(literal)
            headers: {Authorization: Bearer \(literal)}
          b:
            base_url: http://127.0.0.1:1/v1
            api_key_env: \(literal)
          c:
            base_url: http://127.0.0.1:1/v1
            api_key_env: C_KEY
          d:
            base_url: http://127.0.0.1:1/v1
            api_key_env: ${D_KEY}
        """, ["D_KEY": "x"])
        has(e, line: 4, "api_key_env: VARIABLE_NAME")
        has(e, line: 5, "carries a credential")
        has(e, line: 8, "must name an environment variable")
        has(e, line: 11, "`C_KEY` is not set")
        has(e, line: 14, "names the variable itself")
        // No message repeats the literal key.
        #expect(!SuiteErrors(e).description.contains(literal))
    }

    @Test func secretValuesAreCollected() throws {
        let env = ["ORG_TOKEN": "tok-org-7f3a9c", "PLAIN": "visible", "HOST_SECRET": "h0st-s3cret"]
        let specs = try load("""
        targets:
          a:
            base_url: http://${HOST_SECRET}.example/v1
            model: gpt-private-deployment
            headers:
              X-Org: ${ORG_TOKEN}
              X-Trace: {value: trace-value-42, secret: true}
              X-Plain: ${PLAIN}
            secret: [model]
        """, env)
        let s = specs[0]
        #expect(Set(s.secrets) == ["tok-org-7f3a9c", "trace-value-42", "h0st-s3cret", "gpt-private-deployment"])
        #expect(!s.secrets.contains("visible"))
        has(errors("targets:\n  a: {base_url: http://h/v1, secret: [modle]}\n"), line: 2, "did you mean `model`?")
    }

    /// A secret base URL and header never reach the report, in any field.
    @Test func secretsNeverReachTheReport() async throws {
        let server = EmulatorServer(personality: Personalities.reference)
        try await server.start()
        defer { Task { await server.stop() } }
        let specs = try load("""
        targets:
          s:
            base_url: ${EMU_URL}
            model: \(Personalities.reference.chatModel)
            api_key_env: EMU_KEY
            headers: {X-Trace: {value: trace-secret-9931, secret: true}}
            secret: [base_url]
        """, ["EMU_URL": server.baseURL, "EMU_KEY": Personalities.reference.apiKey!])
        let target = try specs[0].target()
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20, include: ["chat.basic", "models.list"]))
            .probe(target)
        #expect(report.features["chat.basic"]?.verdict == .supported)
        let text = String(decoding: try JSONReportWriter.data(Report(tool: ToolInfo(version: "t"), startedAt: "s", finishedAt: "f",
                                                                      targets: [report])), as: UTF8.self)
        for secret in [server.baseURL, "trace-secret-9931", Personalities.reference.apiKey!] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(report.baseURL == Redactor.mask)
        #expect(report.features["chat.basic"]?.evidence.first?.url.hasPrefix(Redactor.mask) == true)
    }

    // MARK: Known upstreams

    @Test func knownUpstreamsCoverTheList() throws {
        let required = ["openai", "azure", "groq", "openrouter", "together", "mistral", "deepinfra", "cerebras", "xai",
                        "perplexity", "cohere", "gemini", "nvidia", "ollama", "lmstudio", "vllm", "llamacpp", "litellm"]
        for name in required { #expect(KnownUpstreams.named(name) != nil, "\(name)") }
        #expect(KnownUpstreams.named("LLAMA.CPP")?.name == "llamacpp" && KnownUpstreams.named("lm-studio")?.name == "lmstudio")
        let names = KnownUpstreams.all.flatMap(\.names)
        #expect(Set(names).count == names.count, "names and aliases are unique")
        let env = ["AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com"]
        for u in KnownUpstreams.all {
            #expect(throws: Never.self, "\(u.name)") { _ = try Target.normalise(try u.resolvedBaseURL(environment: env)) }
            if u.keyRequired { #expect(u.apiKeyEnv != nil, "\(u.name)") }
        }
    }

    @Test func knownUpstreamGivesBaseURLKeyAndAuth() throws {
        let specs = try load("""
        targets:
          groq: {model: llama-3.3-70b-versatile}
          fast: {upstream: cerebras, api_key_env: MY_CEREBRAS}
          local: {upstream: ollama, model: llama3.2}
          mine: {upstream: vllm, base_url: "http://gpu:8000/v1"}
        """, ["GROQ_API_KEY": "gsk-test-key-123", "MY_CEREBRAS": "csk-test-key-456", "VLLM_API_KEY": "vllm-key-789"])
        #expect(specs[0].baseURL == "https://api.groq.com/openai/v1" && specs[0].apiKey == "gsk-test-key-123")
        #expect(specs[0].upstream == "groq" && specs[0].apiKeyEnv == "GROQ_API_KEY")
        #expect(specs[1].baseURL == "https://api.cerebras.ai/v1" && specs[1].apiKey == "csk-test-key-456")
        #expect(specs[2].baseURL == "http://127.0.0.1:11434/v1" && specs[2].apiKey == nil)
        #expect(specs[3].baseURL == "http://gpu:8000/v1" && specs[3].apiKey == "vllm-key-789")
        // A hosted upstream without its key: an error naming the variable.
        has(errors("targets:\n  g: {upstream: groq}\n"), line: 2, "`GROQ_API_KEY`")
        has(errors("targets:\n  az: {upstream: azure, model: gpt-4o}\n", ["AZURE_OPENAI_API_KEY": "k-123456"]),
            line: 2, "AZURE_OPENAI_ENDPOINT")
    }

    // MARK: Azure

    @Test func azureModeMapsPathsAndHeaders() throws {
        let specs = try load("""
        targets:
          az:
            upstream: azure
            model: gpt-4o-mini
            azure: {embedding_deployment: emb-prod}
          az2:
            base_url: https://res.openai.azure.com/openai/
            auth: azure
            azure: {api_version: 2025-01-01-preview, deployment: chat-prod}
          v1: {upstream: azure-v1, model: gpt-4o-mini}
          ok: {base_url: http://h/v1, auth: api-key}
        """, ["AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com", "AZURE_OPENAI_API_KEY": "az-key-0123456789",
         "OPENAI_API_VERSION": "2024-06-01"])
        guard case .azure(let a) = specs[0].auth, case .azure(let b) = specs[1].auth else {
            Issue.record("not azure: \(specs[0].auth), \(specs[1].auth)")
            return
        }
        #expect(a == AzureDeployments(apiVersion: "2024-06-01", deployment: nil, embeddingDeployment: "emb-prod"))
        #expect(b.apiVersion == "2025-01-01-preview" && b.deployment == "chat-prod")
        #expect(specs[2].auth == .header("api-key") && specs[2].baseURL == "https://res.openai.azure.com/openai/v1")
        #expect(specs[3].auth == .header("api-key"))

        let chat: JSONValue = .object(["model": "gpt-4o-mini"])
        let base = specs[0].baseURL!
        #expect(specs[0].auth.url(base: base, path: "/chat/completions", join: .clean, body: chat)
                == "https://res.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-06-01")
        #expect(specs[0].auth.url(base: base, path: "/chat/completions", join: .naive, body: chat)
                == "https://res.openai.azure.com/openai/deployments/gpt-4o-mini//chat/completions?api-version=2024-06-01")
        #expect(specs[0].auth.url(base: base, path: "/embeddings", join: .clean, body: .object(["model": "ada"]))
                == "https://res.openai.azure.com/openai/deployments/emb-prod/embeddings?api-version=2024-06-01")
        #expect(specs[0].auth.url(base: base, path: "/models", join: .clean, body: nil)
                == "https://res.openai.azure.com/openai/models?api-version=2024-06-01")
        #expect(specs[1].auth.url(base: specs[1].baseURL!, path: "/completions", join: .clean, body: chat)
                == "https://res.openai.azure.com/openai/deployments/chat-prod/completions?api-version=2025-01-01-preview")
        #expect(specs[1].auth.url(base: specs[1].baseURL!, path: "/responses", join: .clean, body: chat)
                == "https://res.openai.azure.com/openai/responses?api-version=2025-01-01-preview")
        #expect(specs[0].auth.keyHeader("k") == HTTPHeader("api-key", "k"))
        #expect(specs[0].auth.bogusHeader("b") == HTTPHeader("api-key", "b"))
        #expect(TargetAuth.none.bogusHeader("b") == HTTPHeader("Authorization", "Bearer b"))
        #expect(TargetAuth.parse("header:X-Goog-Api-Key") == .header("X-Goog-Api-Key"))
        has(errors("targets:\n  bad: {base_url: http://h/v1, auth: bearer, azure: {deployment: x}}\n"), line: 2, "need `auth: azure`")
    }

    /// The whole taxonomy through Azure's classic data plane: deployment paths, api-version,
    /// `api-key` header. The verdicts are the knob oracle's, as for any emulated upstream.
    @Test func azureDeploymentsAgainstTheEmulator() async throws {
        let knobs = Knobs { $0.pathPrefix = .azureDeployments; $0.serverHeader = .azure }
        let key = "sk-emulator-azure-classic"
        let server = EmulatorServer(knobs: knobs, chatModel: "gpt-4o-mini", embeddingModel: "text-embedding-3-small", apiKey: key)
        try await server.start()
        defer { Task { await server.stop() } }
        #expect(server.baseURL.hasSuffix("/openai"))

        // The route needs api-version, like Azure (404 "Resource not found" without it).
        let bare = try await HTTPClient.shared.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/openai/models",
                                                                headers: [HTTPHeader("api-key", key)]))
        #expect(bare.head.status == 404)
        let versioned = try await HTTPClient.shared.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/openai/models?api-version=2024-10-21",
                                                                     headers: [HTTPHeader("api-key", key)]))
        #expect(versioned.head.status == 200)

        let root = "http://127.0.0.1:\(server.port)"
        let target = try Target(name: "azure-classic", baseURL: root, model: "gpt-4o-mini",
                                embeddingModel: "text-embedding-3-small", apiKey: key,
                                auth: .azure(AzureDeployments(apiVersion: "2024-10-21")))
        let report = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20)).probe(target)
        let mismatches = Probing.mismatches(report, knobs.expectedVerdicts(embeddingModelConfigured: true))
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        let urls = report.features.values.flatMap(\.evidence).map(\.url)
        #expect(urls.contains("\(root)/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"))
        #expect(urls.contains("\(root)/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21"))
        #expect(urls.contains("\(root)/openai/models?api-version=2024-10-21"))
        #expect(urls.allSatisfy { $0.contains("api-version=2024-10-21") })

        // The same server probed as a plain bearer upstream finds nothing where OpenAI clients look.
        let plain = try Target(name: "plain", baseURL: server.baseURL, model: "gpt-4o-mini", apiKey: key)
        let miss = await Prober(suites: Probing.suites, options: ProbeOptions(timeout: 20, include: ["chat.basic"])).probe(plain)
        #expect(miss.features["chat.basic"]?.verdict != .supported)
    }

    // MARK: Shards

    @Test func shardsSplitDeterministically() throws {
        let names = ["vllm", "azure", "ollama", "reference", "gemini", "tgi", "mistral"]
        var seen: [String] = []
        for i in 1...3 {
            let part = try Shard(index: i, count: 3).select(names) { $0 }
            #expect(part == names.filter { part.contains($0) }, "keeps the given order")
            #expect(part == (try Shard(index: i, count: 3).select(names.reversed()) { $0 }).reversed())
            seen += part
        }
        #expect(seen.sorted() == names.sorted())
        // Sorted: azure gemini mistral ollama reference tgi vllm → shard 1 takes the 1st, 4th and 7th.
        #expect(try Shard(parsing: "1/3").select(names) { $0 } == ["vllm", "azure", "ollama"])
        #expect(try Shard(parsing: " 2 / 2 ").description == "2/2")
        #expect(try Shard(index: 5, count: 9).select(["a", "b"]) { $0 }.isEmpty)
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "1/2/3", ""] {
            #expect(throws: Shard.Invalid.self, "\(bad)") { try Shard(parsing: bad) }
        }
    }
}

extension TargetsFileTests {
    /// The targets files shipped in examples/ and docs/ci/ load (with their variables set).
    @Test func shippedTargetsFilesLoad() throws {
        let env = ["OPENAI_API_KEY": "sk-x-123456", "GROQ_API_KEY": "gsk-x-123456", "MISTRAL_API_KEY": "m-x-123456",
                   "OPENROUTER_CI_KEY": "or-x-123456", "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com",
                   "AZURE_OPENAI_API_KEY": "az-x-123456"]
        for path in ["examples/targets.yaml", "examples/emulators.yaml", "docs/ci/targets.yaml"] {
            let file = Paths.root.appendingPathComponent(path).path
            guard FileManager.default.fileExists(atPath: file) else { continue }
            let specs = try TargetsFile.load(file: file, environment: env)
            #expect(!specs.isEmpty, "\(path)")
        }
        let emulators = try TargetsFile.load(file: Paths.root.appendingPathComponent("examples/emulators.yaml").path, environment: [:])
        #expect(emulators.count >= 5 && emulators.allSatisfy { $0.emulate != nil })
        let real = try TargetsFile.load(file: Paths.root.appendingPathComponent("examples/targets.yaml").path, environment: env)
        #expect(real.first { $0.name == "azure" }.map { if case .azure = $0.auth { true } else { false } } == true)
    }
}

extension TargetsFileTests {
    @Test func aPasswordInTheBaseURLIsRedacted() throws {
        let target = try Target(name: "t", baseURL: "https://ci:hunter2-pass@proxy.example/v1", model: "m", apiKey: "sk-abc-123456")
        #expect(Set(target.redactionSecrets) == ["sk-abc-123456", "hunter2-pass"])
        #expect(!Redactor(secrets: target.redactionSecrets).redact(target.baseURL).contains("hunter2-pass"))
    }
}

extension TargetsFileTests {
    @Test func aProblemInDefaultsIsReportedOnce() {
        let e = errors("defaults:\n  timeout: soon\n  headers: {X-A: [1]}\ntargets:\n  a: {base_url: http://h/v1}\n  b: {base_url: http://h/v1}\n")
        #expect(e.count == 2, "\(SuiteErrors(e))")
        has(e, line: 2, "`timeout` must be a number")
        has(e, line: 3, "header `X-A` must be a string")
    }
}
