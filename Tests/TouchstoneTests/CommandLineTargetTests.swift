import Foundation
import Testing
import TouchstoneCore
import TouchstoneHTTP
import TouchstoneKit

/// `touchstone probe`'s flags and a targets file's entry give the same target: one reader.
@Suite("Command-line targets")
struct CommandLineTargetTests {
    /// The fields that make a target, for comparing specs from either source.
    func fields(_ s: TargetSpec) -> [String] {
        [s.name, s.upstream ?? "-", s.emulate ?? "-", s.baseURL ?? "-", s.model ?? "-", s.embeddingModel ?? "-",
         s.apiKeyEnv ?? "-", s.apiKey ?? "-", s.auth.label, "\(s.auth)", s.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ","),
         s.secrets.joined(separator: ",")]
    }

    func fromFile(_ yaml: String, _ env: [String: String]) throws -> [TargetSpec] {
        try TargetsFile.load(text: yaml, file: "t.yaml", environment: env)
    }

    @Test func aBaseURLWithModelKeyAuthAndHeadersIsTheFilesEntry() throws {
        let env = ["LOCAL_KEY": "sk-local-0123456789abcdef", "ORG_TOKEN": "org-secret-0123456789"]
        let flags = CommandLineTarget(target: "http://127.0.0.1:8080/v1/", name: "local", model: "gemma",
                                      embeddingModel: "embed", apiKeyEnv: "LOCAL_KEY", auth: "x-api-key",
                                      headers: ["X-Org-Token: ${ORG_TOKEN}", "X-Team:  blue"])
        let file = try fromFile("""
            targets:
              local:
                base_url: http://127.0.0.1:8080/v1/
                model: gemma
                embedding_model: embed
                api_key_env: LOCAL_KEY
                auth: x-api-key
                headers: {X-Org-Token: '${ORG_TOKEN}', X-Team: blue}
            """, env)
        let cli = try flags.specs(environment: env)
        #expect(cli.map(fields) == file.map(fields))
        #expect(cli.first?.baseURL == "http://127.0.0.1:8080/v1" && cli.first?.secrets.contains("org-secret-0123456789") == true)
        #expect(cli.first?.location == nil && file.first?.location != nil)
    }

    @Test func aKnownUpstreamAndAzureSettingsAreTheFilesEntry() throws {
        let env = ["GROQ_API_KEY": "gsk-0123456789abcdef", "AZURE_OPENAI_ENDPOINT": "https://acme.openai.azure.com",
                   "AZURE_OPENAI_API_KEY": "az-0123456789abcdef"]
        let groq = try CommandLineTarget(target: "groq", model: "llama").specs(environment: env)
        #expect(groq.map(fields) == (try fromFile("targets:\n  groq: {model: llama}\n", env)).map(fields))
        #expect(CommandLineTarget(target: "groq").notes.first?.contains("no --model given") == true)

        let azure = try CommandLineTarget(target: "azure", model: "gpt-4o-mini", apiVersion: "2025-01-01").specs(environment: env)
        let azureFile = try fromFile("targets:\n  azure: {model: gpt-4o-mini, azure: {api_version: '2025-01-01'}}\n", env)
        #expect(azure.map(fields) == azureFile.map(fields))
        guard case .azure(let settings)? = azure.first?.auth else { Issue.record("not azure: \(azure)"); return }
        #expect(settings.apiVersion == "2025-01-01")
    }

    @Test func emulatedTargetsAreNamedAfterTheirPersonalities() throws {
        let specs = try CommandLineTarget(emulate: ["reference", "ollama"], model: "m").specs(environment: [:])
        #expect(specs.map(\.name) == ["reference", "ollama"] && specs.map(\.emulate) == ["reference", "ollama"])
        #expect(specs.allSatisfy { $0.model == "m" && $0.baseURL == nil })
    }

    @Test func problemsAreTheReadersDiagnostics() {
        func problems(_ flags: CommandLineTarget, _ env: [String: String] = [:]) -> [Diagnostic] {
            do {
                _ = try flags.specs(environment: env)
                Issue.record("expected problems")
                return []
            } catch let e as DiagnosticError {
                return e.diagnostics
            } catch {
                Issue.record("unexpected \(error)")
                return []
            }
        }
        let literal = problems(CommandLineTarget(target: "http://127.0.0.1:8080/v1", headers: ["Authorization: Bearer sk-1234567890"]))
        #expect(literal.count == 1 && literal[0].message.contains("carries a credential") && literal[0].file == CommandLineTarget.origin)
        #expect(!literal[0].description.contains("sk-1234567890"))
        #expect(literal[0].fix?.contains("single-quote") == true, "the shell's quoting, which a file does not have")
        let unset = problems(CommandLineTarget(target: "groq", model: "m"))
        #expect(unset.first?.message.contains("GROQ_API_KEY") == true, "\(unset)")
        let badURL = problems(CommandLineTarget(target: "grok"))
        #expect(badURL.first?.message.contains("or name a known upstream: openai") == true, "\(badURL)")
        let both = problems(CommandLineTarget(target: "http://127.0.0.1:8080/v1", headers: ["X-A: ${UNSET_A}", "X-Api-Key: literal"]))
        #expect(both.count == 2, "every problem at once: \(both)")
    }
}

@Suite("Diagnostics")
struct DiagnosticTests {
    @Test func renderingAndCollecting() {
        let at = Diagnostic(file: "s.yaml", line: 3, column: 5, message: "unknown key `x`")
        #expect(at.description == "s.yaml:3:5: error: unknown key `x`")
        #expect(Diagnostic(file: "dir", line: 0, column: 0, message: "not found").description == "dir: error: not found")
        #expect(Diagnostic(.warning, file: "f", line: 1, column: 1, message: "m", fix: "do this").description == "f:1:1: warning: m; do this")
        var c = DiagnosticCollector()
        c.add(Diagnostic(.note, file: "f", line: 1, column: 1, message: "fyi"))
        #expect(!c.hasErrors)
        c.error("twice", file: "f", line: 2, column: 1)
        c.error("twice", file: "f", line: 2, column: 1)
        #expect(c.hasErrors && c.errors.count == 2 && c.distinct.count == 2)
    }
}
