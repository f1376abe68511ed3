import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneEmulator

#if canImport(Glibc)
import Glibc
#endif

// Tests of the emulator over real sockets. The client below is plain POSIX on its own threads
// (never on the 2-thread cooperative pool the in-process server runs on).

@Suite("Emulator")
struct EmulatorTests {
    // MARK: Catalogue

    @Test("every personality file reads, declares every feature id, and names are unique")
    func allExpectationsDeclared() throws {
        let loaded = try PersonalityFile.load(Personalities.files)
        #expect(loaded.count == Personalities.all.count + Personalities.faults.count)
        #expect(Set(loaded.map(\.name)).count == loaded.count)
        for p in loaded {
            #expect(Set(p.expected.keys) == Set(FeatureCatalog.ids), "\(p.name)")
            #expect(Personalities.named(p.name)?.name == p.name)
        }
        for name in ["reference", "ollama", "vllm", "llamacpp", "lmstudio", "tgi", "mistral", "gemini",
                     "perplexity", "azure", "litellm"] {
            #expect(Personalities.named(name) != nil, "missing personality \(name)")
        }
        #expect(Personalities.all.first?.name == "reference")
        #expect(Personalities.reference.expected.values.allSatisfy { $0 == .supported })
        #expect(Personalities.named("no-such") == nil)
    }

    @Test("the compiled-in personalities are exactly the files under personalities/")
    func generatedFileMatchesTheFolder() throws {
        let folder = Paths.root.appendingPathComponent("personalities").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        #expect(Personalities.files.map(\.name) == names,
                "run python3 scripts/embed-suites.py: the built-in personalities are stale")
        for file in Personalities.files {
            var text = try String(contentsOfFile: folder + "/" + file.name, encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            #expect(file.text == text, "\(file.name) differs from its built-in copy: run python3 scripts/embed-suites.py")
        }
    }

    @Test("a personality file: knobs as --knob takes them, extends, the * default; every mistake named with its file")
    func personalityFileFormat() throws {
        let base = """
        name: base
        summary: "A base: yes, no, on and off are strings here."
        models: {chat: m, embedding: e}
        api_key: sk-base
        knobs:
          parallelToolCalls: off
          responseDelay: 40
          n: ignore
        expected:
          chat.n: ignored
        """
        let child = """
        name: child
        summary: child
        extends: base
        knobs: {n: reject, slots: oneAdvertised}
        expected: {chat.n: unsupported, chat.logprobs: broken}
        """
        let down = """
        name: down
        summary: down
        models: {chat: m}
        fault: {kind: refused, scope: models}
        expected: {"*": untested, models.list: broken}
        """
        let read = try PersonalityFile.load([("base.yaml", base), ("child.yaml", child), ("down.yaml", down)])
        let (b, c, d) = (read[0], read[1], read[2])
        #expect(b.knobs.parallelToolCalls == .off && b.knobs.responseDelay == .milliseconds(40) && b.knobs.n == .ignore)
        #expect(b.expected.filter { $0.value != .supported } == ["chat.n": .ignored])
        #expect(c.knobs.parallelToolCalls == .off && c.knobs.n == .reject && c.knobs.slots == .oneAdvertised)
        #expect(c.chatModel == "m" && c.embeddingModel == "e" && c.apiKey == "sk-base" && c.fault == nil)
        #expect(c.expected.filter { $0.value != .supported } == ["chat.n": .unsupported, "chat.logprobs": .broken])
        #expect(d.embeddingModel == nil && d.apiKey == nil && d.fault == Fault(.refused, scope: .models))
        #expect(d.expected.count == FeatureCatalog.ids.count && d.expected["models.list"] == .broken
                && d.expected.filter { $0.value == .untested }.count == FeatureCatalog.ids.count - 1)

        let mistakes: [(file: String, text: String, says: String)] = [
            ("x.yaml", "name: x\nsummary: s\nmodels: {chat: m}\nknob: {n: ignore}\n", "unknown key 'knob'"),
            ("x.yaml", "name: x\nsummary: s\nmodels: {chat: m}\nknobs: {nn: ignore}\n", "unknown knob 'nn'"),
            ("x.yaml", "name: x\nsummary: s\nmodels: {chat: m}\nknobs: {n: sometimes}\n", "knob n: unknown value 'sometimes'"),
            ("x.yaml", "name: x\nsummary: s\nmodels: {chat: m}\nexpected: {chat.nn: ignored}\n", "unknown feature id 'chat.nn'"),
            ("x.yaml", "name: x\nsummary: s\nmodels: {chat: m}\nexpected: {chat.n: fine}\n", "expected"),
            ("x.yaml", "name: y\nsummary: s\nmodels: {chat: m}\n", "name 'y' differs"),
            ("x.yaml", "name: x\nsummary: s\n", "models.chat is missing"),
            ("x.yaml", "name: x\nmodels: {chat: m}\n", "'summary' is missing"),
            ("x.yaml", "name: x\nsummary: s\nextends: nobody\n", "extends 'nobody', which is not a personality"),
            ("x.yaml", "name: x\nsummary: s\nextends: x\n", "extends itself: x → x"),
            ("x.yaml", "name: x\nsummary: [s\n", "personalities/x.yaml"),
        ]
        for m in mistakes {
            do {
                _ = try PersonalityFile.load([(m.file, m.text)])
                Issue.record("\(m.says): read without an error")
            } catch {
                #expect("\(error)".hasPrefix("personalities/\(m.file): ") && "\(error)".contains(m.says), "\(error)")
            }
        }
    }

    @Test("hand-written expectations agree with the verdicts derived from the knobs")
    func expectationsMatchOracle() {
        for p in Personalities.all {
            let derived = p.knobs.expectedVerdicts(embeddingModelConfigured: p.embeddingModel != nil)
            for id in Personalities.featureIDs where derived[id] != p.expected[id] {
                Issue.record("\(p.name) \(id): hand-written \(p.expected[id].map(\.rawValue) ?? "-"), derived \(derived[id].map(\.rawValue) ?? "-")")
            }
        }
    }

    @Test("every knob is set away from the reference by some personality")
    func everyKnobExercised() {
        let changed = Set(Personalities.all.flatMap { $0.knobs.differencesFromReference.map(\.knob) })
        #expect(Set(Knobs.names).subtracting(changed).isEmpty, "\(Set(Knobs.names).subtracting(changed).sorted())")
    }

    @Test("random knobs are deterministic per seed, and knobs code as a flat JSON object")
    func randomAndCoding() throws {
        #expect(Knobs.random(seed: 42) == Knobs.random(seed: 42))
        #expect(Knobs.random(seed: 7) == Knobs.random(seed: 7))
        #expect(Set((0..<20).map { Knobs.random(seed: $0) }).count > 15)
        #expect((0..<200).allSatisfy { Knobs.random(seed: $0).maxTokens != .reject })
        for seed in [UInt64(1), 99, 12345] {
            let knobs = Knobs.random(seed: seed)
            let data = try JSONEncoder().encode(knobs)
            #expect(try JSONDecoder().decode(Knobs.self, from: data) == knobs)
            #expect(knobs.expectedVerdicts(embeddingModelConfigured: true).count == FeatureCatalog.ids.count)
            #expect(knobs.expectedVerdicts(embeddingModelConfigured: false).count == FeatureCatalog.ids.count)
        }
        let partial = try JSONDecoder().decode(Knobs.self, from: Data(#"{"auth":"html401","chunkDelay":25}"#.utf8))
        #expect(partial.auth == .html401 && partial.chunkDelay == .milliseconds(25))
        #expect(partial.differencesFromReference.map(\.knob) == ["auth", "chunkDelay"])
        #expect(Knobs.choices.map(\.knob) == Knobs.names && Knobs.choices.first?.values.first == "v1")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Knobs.self, from: Data(#"{"auht":"html401"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Knobs.self, from: Data(#"{"auth":"sometimes"}"#.utf8)) }
    }

    // MARK: The fake model

    @Test("token caps cut words, stop strings cut before their first occurrence")
    func fakeModelGeneration() {
        let full = FakeModel.sentence
        #expect(FakeModel.tokens(in: full) == 19)
        #expect(FakeModel.pieces(of: full).joined() == full)
        func generated(_ cap: Int?, _ stops: [String]) -> String {
            let g = FakeModel.generate(full, cap: cap, stops: stops)
            return "\(g.text)|\(g.finish.rawValue)"
        }
        #expect(generated(1, []) == "Hello!|length")
        #expect(generated(3, []) == "Hello! I am|length")
        #expect(generated(nil, ["the"]) == "Hello! I am |stop")
        #expect(generated(2, ["the"]) == "Hello! I|length")
        #expect(generated(50, []) == "\(full)|stop")
        let json = FakeModel.spacedJSON(FakeModel.jsonObjectAnswer)
        #expect(json == #"{"answer": "hello", "source": "touchstone-emulator"}"#)
        #expect(JSONPrefixChecker.isValidObjectPrefix(FakeModel.generate(json, cap: 1, stops: []).text))
    }

    @Test("schema instances validate: enum, const, required, additionalProperties false, $ref, bounds")
    func schemaInstances() throws {
        let schemas: [String] = [
            #"{"type":"object","properties":{"zq":{"type":"string","enum":["XK-7731"]},"n":{"type":"integer","enum":[42]}},"required":["zq","n"],"additionalProperties":false}"#,
            #"{"type":"object","properties":{"code":{"type":"string","enum":["ZX-9"]}},"required":["code"]}"#,
            #"{"type":"object","properties":{"a":{"const":3},"b":{"type":["null","integer"],"minimum":5,"multipleOf":4},"c":{"type":"array","items":{"type":"string","minLength":8},"minItems":2}},"additionalProperties":false}"#,
            ##"{"$defs":{"p":{"type":"object","properties":{"x":{"type":"number","exclusiveMinimum":1.5}},"required":["x"]}},"type":"object","properties":{"p":{"$ref":"#/$defs/p"},"q":{"anyOf":[{"type":"null"},{"type":"boolean"}]}},"required":["p","q"]}"##,
            #"{"allOf":[{"type":"object","properties":{"a":{"type":"string","format":"date-time"}},"required":["a"]},{"properties":{"b":{"type":"string","maxLength":2}},"required":["b"]}]}"#,
        ]
        for text in schemas {
            let schema = try JSONValue(parsing: text)
            let instance = SchemaInstance.generate(schema)
            #expect(JSONSchemaValidator(schema: schema).validate(instance).isEmpty, "\(instance) against \(text)")
        }
        let strict = try JSONValue(parsing: schemas[0])
        #expect(SchemaInstance.generate(strict) == ["zq": "XK-7731", "n": 42])
    }

    // MARK: The reference over sockets

    @Test("reference: models, chat, parameters, embeddings, responses, completions, errors")
    func referenceEndpoints() async throws {
        try await withServer(Personalities.reference) { c in
            let models = try await c.get("/models")
            #expect(models.status == 200)
            #expect(models.json?["object"] == "list")
            #expect(models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["emulator-chat", "emulator-embed"])
            #expect(models.header("server") == "touchstone-emulator")

            let basic = try await c.chat(["messages": [["role": "user", "content": "Say hello in three words."]], "max_tokens": 50])
            let b = try #require(basic.json)
            #expect(basic.status == 200 && basic.header("content-type") == "application/json")
            #expect(b["object"] == "chat.completion" && b["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            #expect(b["created"]?.intValue != nil && b["model"] == "emulator-chat")
            #expect(b["choices"]?[0]?["index"] == 0 && b["choices"]?[0]?["message"]?["role"] == "assistant")
            #expect(b["choices"]?[0]?["message"]?["content"]?.stringValue == FakeModel.sentence)
            #expect(b["choices"]?[0]?["finish_reason"] == "stop")
            #expect(b["usage"] == ["prompt_tokens": 5, "completion_tokens": 19, "total_tokens": 24])

            let capped = try await c.chat(["messages": [["role": "user", "content": "Count to 50"]], "max_completion_tokens": 1]).json
            #expect(capped?["choices"]?[0]?["message"]?["content"] == "Hello!")
            #expect(capped?["choices"]?[0]?["finish_reason"] == "length")
            #expect(capped?["usage"]?["completion_tokens"] == 1)

            let stopped = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stop": ["Touchstone"]]).json
            #expect(stopped?["choices"]?[0]?["message"]?["content"] == "Hello! I am the ")
            #expect(stopped?["choices"]?[0]?["finish_reason"] == "stop")

            let two = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "n": 2, "max_tokens": 1]).json
            #expect(two?["choices"]?.arrayValue?.map { $0["index"] } == [0, 1])
            #expect(two?["usage"]?["completion_tokens"] == 2)

            let lp = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "logprobs": true, "top_logprobs": 2, "max_tokens": 1]).json
            #expect(lp?["choices"]?[0]?["logprobs"]?["content"]?[0]?["top_logprobs"]?.arrayValue?.count == 2)

            let low = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "reasoning_effort": "low"])
            let bogus = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "reasoning_effort": "bogus-level"])
            #expect(low.status == 200 && bogus.status == 400)

            let jsonObject = try await c.chat(["messages": [["role": "system", "content": "Reply in JSON."], ["role": "user", "content": "Say hello."]],
                                               "response_format": ["type": "json_object"], "max_tokens": 24]).json
            let objectText = try #require(jsonObject?["choices"]?[0]?["message"]?["content"]?.stringValue)
            #expect(try JSONValue(parsing: objectText).objectValue != nil)

            let schema: JSONValue = ["type": "object", "properties": ["zq": ["type": "string", "enum": ["XK-7731"]], "n": ["type": "integer", "enum": [42]]],
                                     "required": ["zq", "n"], "additionalProperties": false]
            let schemaAnswer = try await c.chat(["messages": [["role": "user", "content": "Say hello."]], "max_tokens": 32,
                                                 "response_format": ["type": "json_schema", "json_schema": ["name": "t", "strict": true, "schema": schema]]]).json
            let schemaText = try #require(schemaAnswer?["choices"]?[0]?["message"]?["content"]?.stringValue)
            #expect(JSONSchemaValidator(schema: schema).isValid(try JSONValue(parsing: schemaText)))

            let embed = try await c.post("/embeddings", ["model": "emulator-embed", "input": "hello"]).json
            let numbers = embed?["data"]?[0]?["embedding"]?.arrayValue?.compactMap { $0.numberValue }
            let vector = try #require(numbers)
            #expect(embed?["object"] == "list" && embed?["data"]?[0]?["index"] == 0 && vector.count == 16)
            let batch = try await c.post("/embeddings", ["model": "emulator-embed", "input": ["alpha", "beta"]]).json
            #expect(batch?["data"]?.arrayValue?.map { $0["index"] } == [0, 1])
            let b64 = try await c.post("/embeddings", ["model": "emulator-embed", "input": "hello", "encoding_format": "base64"]).json
            let floats = try #require(decodeFloat32(b64?["data"]?[0]?["embedding"]?.stringValue))
            #expect(floats.count == vector.count && zip(floats, vector).allSatisfy { abs(Double($0) - $1) < 1e-6 })
            let small = try await c.post("/embeddings", ["model": "emulator-embed", "input": "hello", "dimensions": 8]).json
            #expect(small?["data"]?[0]?["embedding"]?.arrayValue?.count == 8)

            let resp = try await c.post("/responses", ["model": "emulator-chat", "input": "Say OK", "max_output_tokens": 16]).json
            #expect(resp?["object"] == "response" && resp?["output"]?[0]?["content"]?[0]?["type"] == "output_text")
            #expect(resp?["output"]?[0]?["content"]?[0]?["text"]?.stringValue?.isEmpty == false)
            let legacy = try await c.post("/completions", ["model": "emulator-chat", "prompt": "1,2,3,", "max_tokens": 2]).json
            #expect(legacy?["object"] == "text_completion" && legacy?["choices"]?[0]?["text"] == " Hello! I")
            #expect(legacy?["choices"]?[0]?["finish_reason"] == "length")

            // Errors: status and the nested OpenAI envelope.
            let invalid = try await c.send("POST", "/chat/completions", body: Array("{".utf8))
            let missing = try await c.post("/chat/completions", ["model": "emulator-chat"])
            let unknown = try await c.chat(["model": "nonexistent-zz", "messages": [["role": "user", "content": "Hi"]]])
            let badKey = try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: "sk-bogus")
            let noKey = try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: .none)
            let unknownField = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "x_touchstone_probe": 1])
            #expect([invalid, missing, unknown, badKey, noKey, unknownField].map(\.status) == [400, 400, 404, 401, 401, 400])
            for e in [invalid, missing, unknown, badKey, noKey, unknownField] {
                #expect(e.json?["error"]?["message"]?.stringValue != nil, "\(e.text)")
            }
            #expect(badKey.json?["error"]?["code"] == "invalid_api_key")
            let wrongMethod = try await c.get("/chat/completions")
            #expect(wrongMethod.status == 405)
        }
    }

    @Test("tools: required, named, auto, none, parallel, roundtrip; arguments validate")
    func referenceTools() async throws {
        let recordCode: JSONValue = ["type": "function", "function": [
            "name": "record_code", "parameters": ["type": "object", "properties": ["code": ["type": "string", "enum": ["ZX-9"]]],
                                                  "required": ["code"], "additionalProperties": false]]]
        let alpha: JSONValue = ["type": "function", "function": ["name": "get_alpha", "parameters": ["type": "object", "properties": [:]]]]
        let beta: JSONValue = ["type": "function", "function": ["name": "get_beta"]]
        try await withServer(Personalities.reference) { c in
            func calls(_ r: HTTPResult) -> [JSONValue] { r.json?["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue ?? [] }
            let required = try await c.chat(["messages": [["role": "user", "content": "Say hello."]], "tools": [recordCode], "tool_choice": "required"])
            let call = try #require(calls(required).first)
            #expect(call["type"] == "function" && call["id"]?.stringValue?.hasPrefix("call_") == true)
            #expect(call["function"]?["name"] == "record_code")
            #expect(try JSONValue(parsing: call["function"]?["arguments"]?.stringValue ?? "") == ["code": "ZX-9"])
            #expect(required.json?["choices"]?[0]?["finish_reason"] == "tool_calls")
            #expect(required.json?["choices"]?[0]?["message"]?["content"] == .null)

            let named = try await c.chat(["messages": [["role": "user", "content": "Say hello."]], "tools": [alpha, beta],
                                          "tool_choice": ["type": "function", "function": ["name": "get_beta"]]])
            #expect(calls(named).map { $0["function"]?["name"] } == ["get_beta"])
            #expect(calls(named).first?["function"]?["arguments"] == "{}")

            let autoText = try await c.chat(["messages": [["role": "user", "content": "Say hello."]], "tools": [recordCode], "tool_choice": "auto"])
            #expect(calls(autoText).isEmpty && autoText.status == 200)
            let autoCall = try await c.chat(["messages": [["role": "user", "content": "Please call record_code now."]], "tools": [recordCode]])
            #expect(calls(autoCall).count == 1)
            let none = try await c.chat(["messages": [["role": "user", "content": "Call record_code now."]], "tools": [recordCode], "tool_choice": "none"])
            #expect(calls(none).isEmpty && none.json?["choices"]?[0]?["message"]?["content"]?.stringValue != nil)
            let parallel = try await c.chat(["messages": [["role": "user", "content": "Call get_alpha and get_beta."]], "tools": [alpha, beta],
                                             "tool_choice": "required"])
            #expect(calls(parallel).compactMap { $0["function"]?["name"]?.stringValue } == ["get_alpha", "get_beta"])
            let ids = calls(parallel).compactMap { $0["id"]?.stringValue }
            #expect(Set(ids).count == 2)
            let roundtrip = try await c.chat(["tools": [recordCode], "messages": [
                ["role": "user", "content": "Call record_code."],
                ["role": "assistant", "content": .null, "tool_calls": [["id": "call_1", "type": "function",
                                                                         "function": ["name": "record_code", "arguments": #"{"code":"ZX-9"}"#]]]],
                ["role": "tool", "tool_call_id": "call_1", "content": "recorded"],
            ]])
            #expect(roundtrip.status == 200 && calls(roundtrip).isEmpty)
            #expect(roundtrip.json?["choices"]?[0]?["message"]?["content"]?.stringValue == FakeModel.sentence)
        }
    }

    // MARK: Streaming

    @Test("/responses as OpenAI's SDK types it: required fields, typed events in order, store, retrieve, previous_response_id")
    func responsesByTheBook() async throws {
        try await withServer(Personalities.reference) { c in
            let body: JSONValue = ["model": "emulator-chat", "input": "Say OK", "max_output_tokens": 16]
            let r = try #require(try await c.post("/responses", body).json)
            for key in ["id", "created_at", "model", "object", "output", "parallel_tool_calls", "tool_choice", "tools", "text", "usage", "status"] {
                #expect(r[key] != nil, "missing \(key)")
            }
            #expect(r["status"] == "incomplete" && r["incomplete_details"]?["reason"] == "max_output_tokens")
            #expect(r["usage"]?["input_tokens_details"]?["cached_tokens"] == 0 && r["usage"]?["output_tokens_details"]?["reasoning_tokens"] == 0)
            #expect(r["output"]?[0]?["id"]?.stringValue?.hasPrefix("msg_") == true && r["text"]?["format"]?["type"] == "text")
            let id = try #require(r["id"]?.stringValue)
            #expect(try await c.get("/responses/\(id)").json == r)
            // previous_response_id: the stored id continues (its tokens count as cached input), a bogus one is a 400.
            let next = try await c.post("/responses", ["model": "emulator-chat", "input": "Again", "previous_response_id": .string(id)])
            #expect(next.status == 200 && next.json?["previous_response_id"]?.stringValue == id)
            #expect(next.json?["usage"]?["input_tokens_details"]?["cached_tokens"] == r["usage"]?["total_tokens"])
            let bogus = try await c.post("/responses", ["model": "emulator-chat", "input": "Again", "previous_response_id": "resp_nope"])
            #expect(bogus.status == 400 && bogus.json?["error"]?["code"] == "previous_response_not_found")
            // store: false is not kept.
            let unstored = try await c.post("/responses", ["model": "emulator-chat", "input": "x", "store": false]).json
            #expect(try await c.get("/responses/\(unstored?["id"]?.stringValue ?? "")").status == 404)

            // The stream: event lines name the type, sequence numbers count from 0, deltas join to the final text.
            let stream = try await c.post("/responses", ["model": "emulator-chat", "input": "Say OK", "stream": true])
            #expect(stream.header("content-type") == "text/event-stream")
            let events = SSEParser.parse(stream.body).events
            let payloads = try events.map { try JSONValue(parsing: $0.data) }
            #expect(events.map(\.event) == payloads.map { $0["type"]?.stringValue ?? "" })
            #expect(payloads.map { $0["sequence_number"]?.intValue ?? -1 } == Array(0..<payloads.count))
            let types = payloads.map { $0["type"]?.stringValue ?? "" }
            #expect(Array(types.prefix(4)) == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"])
            #expect(Array(types.suffix(4)) == ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"])
            let deltas = payloads.filter { $0["type"] == "response.output_text.delta" }.compactMap { $0["delta"]?.stringValue }.joined()
            #expect(deltas == payloads.last?["response"]?["output"]?[0]?["content"]?[0]?["text"]?.stringValue)
            #expect(payloads[0]["response"]?["status"] == "in_progress" && !events.contains { $0.isDone })

            // Tools in the Responses shape, required: a function_call item; streamed as argument deltas.
            let tool: JSONValue = ["type": "function", "name": "record_code", "parameters": [
                "type": "object", "properties": ["code": ["type": "string", "enum": ["ZX-9"]]], "required": ["code"]]]
            let call = try await c.post("/responses", ["model": "emulator-chat", "input": "Hi", "tools": [tool], "tool_choice": "required"]).json
            let item = try #require(call?["output"]?[0])
            #expect(item["type"] == "function_call" && item["name"] == "record_code" && item["arguments"] == #"{"code":"ZX-9"}"#)
            #expect(item["call_id"]?.stringValue?.hasPrefix("call_") == true && call?["tools"]?[0]?["strict"] == true)
            let none = try await c.post("/responses", ["model": "emulator-chat", "input": "Call record_code", "tools": [tool], "tool_choice": "none"]).json
            #expect(none?["output"]?[0]?["type"] == "message")
            let chatShape = try await c.post("/responses", ["model": "emulator-chat", "input": "Hi",
                                                            "tools": [["type": "function", "function": ["name": "record_code"]]]])
            #expect(chatShape.status == 400)  // the Chat Completions tool shape lacks a top-level name
            let streamedCall = try await c.post("/responses", ["model": "emulator-chat", "input": "Hi", "tools": [tool], "tool_choice": "required", "stream": true])
            let argDeltas = try SSEParser.parse(streamedCall.body).events.map { try JSONValue(parsing: $0.data) }
                .filter { $0["type"] == "response.function_call_arguments.delta" }.compactMap { $0["delta"]?.stringValue }
            #expect(argDeltas.joined() == #"{"code":"ZX-9"}"# && argDeltas.count > 1)
        }
        // Chat validation: refused by the reference, accepted where a knob says so.
        try await withServer(Personalities.reference) { c in
            let noTools = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "tool_choice": "required"])
            #expect(noTools.status == 400 && noTools.json?["error"]?["param"] == "tool_choice")
            let wizard = try await c.chat(["messages": [["role": "wizard", "content": "Hi"]]])
            #expect(wizard.status == 400 && wizard.json?["error"]?["message"]?.stringValue?.contains("wizard") == true)
        }
        try await withServer(Personalities.llamacpp) { c in
            #expect(try await c.chat(["messages": [["role": "user", "content": "Hi"]], "tool_choice": "required"]).status == 200)
            #expect(try await c.chat(["messages": [["role": "wizard", "content": "Hi"]]]).status == 200)
            #expect(try await c.send("GET", "/props", prefixed: false).json?["default_generation_settings"]?["n_ctx"] == 4096)
            let refused = try await c.post("/responses", ["model": "gemma-3-270m", "input": "Hi", "previous_response_id": "resp_x"])
            #expect(refused.status == 400)
        }
    }

    @Test("the /responses store keeps the most recent answers only: memory stays bounded")
    func responseStoreIsBounded() {
        let store = ResponseStore()
        for i in 0..<(ResponseStore.capacity + 5) { store.put("resp_\(i)", .int(i)) }
        #expect(store.get("resp_0") == nil && store.get("resp_4") == nil)
        #expect(store.get("resp_5") == .int(5) && store.get("resp_\(ResponseStore.capacity + 4)") == .int(ResponseStore.capacity + 4))
        store.put("resp_5", .int(-1))  // replacing keeps one entry
        #expect(store.get("resp_5") == .int(-1) && store.get("resp_6") == .int(6))
    }

    @Test("streams by the book: chunks, constant id, role first, one finish, usage chunk, [DONE]")
    func streamByTheBook() async throws {
        try await withServer(Personalities.reference) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stream": true, "max_tokens": 3,
                                      "stream_options": ["include_usage": true]])
            #expect(r.status == 200 && r.header("content-type") == "text/event-stream")
            #expect(r.header("transfer-encoding") == "chunked")
            let (events, parser) = SSEParser.parse(r.body)
            #expect(parser.violations.isEmpty && parser.commentCount == 0)
            #expect(events.last?.data == "[DONE]")
            let chunks = try events.dropLast().map { try JSONValue(parsing: $0.data) }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)
            #expect(chunks.first?["choices"]?[0]?["delta"] == ["role": "assistant", "content": ""])
            let finishes = chunks.compactMap { $0["choices"]?[0]?["finish_reason"]?.stringValue }
            #expect(finishes == ["length"])
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Hello! I am")
            #expect(chunks.dropFirst().dropLast(2).allSatisfy { FakeModel.tokens(in: $0["choices"]?[0]?["delta"]?["content"]?.stringValue ?? "") == 1 })
            let last = try #require(chunks.last)
            #expect(last["choices"] == [] && last["usage"] == ["prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4])
            #expect(chunks.dropLast().allSatisfy { $0["usage"] == nil })

            let plain = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stream": true, "max_tokens": 2])
            #expect(try SSEParser.parse(plain.body).events.dropLast().allSatisfy { try JSONValue(parsing: $0.data)["usage"] == nil })
        }
    }

    @Test("streamed tool calls by the book: index, id, type and name first, fragments join to JSON")
    func streamedToolCalls() async throws {
        let tools: JSONValue = [
            ["type": "function", "function": ["name": "get_alpha"]],
            ["type": "function", "function": ["name": "get_beta", "parameters": ["type": "object", "properties": ["city": ["type": "string", "enum": ["Paris"]]], "required": ["city"]]]],
        ]
        try await withServer(Personalities.reference) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Call get_alpha and get_beta."]], "tools": tools,
                                      "tool_choice": "required", "stream": true])
            let deltas = try SSEParser.parse(r.body).events.filter { !$0.isDone }.map { try JSONValue(parsing: $0.data)["choices"]?[0] }
            var first: [Int: JSONValue] = [:]
            var arguments: [Int: String] = [:]
            for call in deltas.flatMap({ $0?["delta"]?["tool_calls"]?.arrayValue ?? [] }) {
                let index = try #require(call["index"]?.intValue)
                if first[index] == nil {
                    first[index] = call
                    #expect(call["id"]?.stringValue?.hasPrefix("call_") == true && call["type"] == "function")
                    #expect(call["function"]?["arguments"] == "")
                } else {
                    #expect(call["id"] == nil && call["function"]?["name"] == nil)
                }
                arguments[index, default: ""] += call["function"]?["arguments"]?.stringValue ?? ""
            }
            #expect(first.keys.sorted() == [0, 1])
            #expect(first[0]?["function"]?["name"] == "get_alpha" && first[1]?["function"]?["name"] == "get_beta")
            #expect(try JSONValue(parsing: arguments[0] ?? "") == [:])
            #expect(try JSONValue(parsing: arguments[1] ?? "") == ["city": "Paris"])
            #expect(deltas.compactMap { $0?["finish_reason"]?.stringValue } == ["tool_calls"])
        }
    }

    // MARK: Legacy /completions and the reference's request rules

    @Test("legacy /completions: prompts × n prompt-major, echo, legacy logprobs, token arrays, streams")
    func legacyCompletions() async throws {
        try await withServer(Personalities.reference) { c in
            func complete(_ fields: [String: JSONValue]) async throws -> HTTPResult {
                var fields = fields
                fields["model"] = "emulator-chat"
                return try await c.post("/completions", .object(fields))
            }
            let grid = try #require(try await complete(["prompt": ["a b", "c"], "n": 2, "max_tokens": 2]).json)
            #expect(grid["choices"]?.arrayValue?.map { $0["index"] } == [0, 1, 2, 3])
            #expect(grid["choices"]?.arrayValue?.allSatisfy { $0["text"] == " Hello! I" && $0["finish_reason"] == "length" } == true)
            #expect(grid["usage"] == ["prompt_tokens": 3, "completion_tokens": 8, "total_tokens": 11])

            let echoed = try await complete(["prompt": ["Once upon", "Twice"], "echo": true, "max_tokens": 1]).json
            #expect(echoed?["choices"]?.arrayValue?.map { $0["text"] } == ["Once upon Hello!", "Twice Hello!"])
            #expect(echoed?["usage"]?["completion_tokens"] == 2)  // the echoed prompt is not generated

            let lp = try #require(try await complete(["prompt": "ab", "logprobs": 2, "max_tokens": 2]).json?["choices"]?[0]?["logprobs"])
            #expect(lp["tokens"] == [" Hello!", " I"])
            #expect(lp["token_logprobs"]?.arrayValue?.count == 2 && lp["token_logprobs"]?[0]?.numberValue ?? 0 < 0)
            #expect(lp["top_logprobs"]?.arrayValue?.map { $0.objectValue?.count } == [2, 2])
            #expect(lp["top_logprobs"]?[0]?[" Hello!"] == lp["token_logprobs"]?[0])
            #expect(lp["text_offset"] == [2, 9])  // counted from the prompt's start
            let echoLP = try await complete(["prompt": "ab", "echo": true, "logprobs": 0, "max_tokens": 1]).json?["choices"]?[0]?["logprobs"]
            #expect(echoLP?["tokens"] == ["ab", " Hello!"] && echoLP?["text_offset"] == [0, 2])
            #expect(echoLP?["top_logprobs"]?.arrayValue?.map { $0.objectValue?.count } == [1, 1])
            #expect(try await complete(["prompt": "a"]).json?["choices"]?[0]?["logprobs"] == .null)

            let tokens = try await complete(["prompt": [1, 2, 3], "max_tokens": 1]).json
            #expect(tokens?["choices"]?.arrayValue?.count == 1 && tokens?["usage"]?["prompt_tokens"] == 3)
            let tokenEcho = try await complete(["prompt": [[1, 2], [3]], "echo": true, "max_tokens": 1]).json
            #expect(tokenEcho?["choices"]?.arrayValue?.map { $0["text"] } == ["1 2 Hello!", "3 Hello!"])
            #expect(tokenEcho?["usage"]?["prompt_tokens"] == 3)
            let zero = try await complete(["prompt": "Say", "echo": true, "max_tokens": 0]).json?["choices"]?[0]
            #expect(zero?["text"] == "Say" && zero?["finish_reason"] == "length")

            for bad: JSONValue in [[], [[1, 2], "x"], [[]], [-1], 7, ["a", 1]] {
                let r = try await complete(["prompt": bad])
                #expect(r.status == 400 && r.json?["error"]?["param"] == "prompt", "prompt \(bad): \(r.text)")
            }
            for (field, value): (String, JSONValue) in [("logprobs", 6), ("logprobs", true), ("n", 0), ("echo", "yes")] {
                let r = try await complete(["prompt": "a", field: value])
                #expect(r.status == 400 && r.json?["error"]?["param"] == .string(field), "\(field): \(value): \(r.text)")
            }

            let stream = try await complete(["prompt": ["a"], "n": 2, "max_tokens": 2, "stream": true, "logprobs": 1])
            let events = try SSEParser.parse(stream.body).events.filter { !$0.isDone }.map { try JSONValue(parsing: $0.data) }
            #expect(events.allSatisfy { $0["object"] == "text_completion" && $0["choices"]?.arrayValue?.count == 1 })
            #expect(events.map { $0["choices"]?[0]?["index"] } == [0, 0, 0, 1, 1, 1])
            for index in [0, 1] {
                let mine = events.compactMap { $0["choices"]?[0] }.filter { $0["index"] == .int(index) }
                #expect(mine.compactMap { $0["text"]?.stringValue }.joined() == " Hello! I")
                #expect(mine.compactMap { $0["finish_reason"]?.stringValue } == ["length"])
                #expect(mine.flatMap { $0["logprobs"]?["text_offset"]?.arrayValue ?? [] } == [1, 8])
            }
        }
        // `n` and `logprobs` follow the chat knobs.
        try await withServer(knobs: Knobs { $0.n = .ignore; $0.logprobs = .reject }) { c in
            let one = try await c.post("/completions", ["model": "emulator-chat", "prompt": ["a", "b"], "n": 3]).json
            #expect(one?["choices"]?.arrayValue?.map { $0["index"] } == [0, 1])
            let refused = try await c.post("/completions", ["model": "emulator-chat", "prompt": "a", "logprobs": 1])
            #expect(refused.status == 400 && refused.json?["error"]?["param"] == "logprobs")
        }
    }

    @Test("reference request rules: OpenAI's 400s for ranges and dependent parameters; newer tool shapes accepted")
    func referenceRequestRules() async throws {
        let hi: JSONValue = [["role": "user", "content": "Hi"]]
        let weather: JSONValue = ["type": "function", "function": ["name": "get_weather"]]
        let time: JSONValue = ["type": "function", "function": ["name": "get_time"]]
        try await withServer(Personalities.reference) { c in
            let hot = try await c.chat(["messages": hi, "temperature": 5])
            #expect(hot.status == 400)
            #expect(hot.json?["error"] == ["message": "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.",
                                            "type": "invalid_request_error", "param": "temperature", "code": "decimal_above_max_value"])
            let cold = try await c.chat(["messages": hi, "temperature": -0.5])
            #expect(cold.status == 400 && cold.json?["error"]?["code"] == "decimal_below_min_value")
            #expect(cold.json?["error"]?["message"] == "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.")
            for (field, value): (String, JSONValue) in [("top_p", 1.5), ("presence_penalty", 3), ("frequency_penalty", -2.5)] {
                let r = try await c.chat(["messages": hi, field: value])
                #expect(r.status == 400 && r.json?["error"]?["param"] == .string(field), "\(field)")
            }
            for (field, value): (String, JSONValue) in [("temperature", 2), ("temperature", 0), ("top_p", 1), ("presence_penalty", -2)] {
                #expect(try await c.chat(["messages": hi, field: value, "max_tokens": 1]).status == 200, "\(field) \(value)")
            }

            for stream: JSONValue? in [nil, false] {
                var fields: [String: JSONValue] = ["messages": hi, "stream_options": ["include_usage": true]]
                fields["stream"] = stream
                let r = try await c.chat(fields)
                #expect(r.status == 400 && r.json?["error"]?["param"] == "stream_options")
                #expect(r.json?["error"]?["message"] == "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
            }
            #expect(try await c.chat(["messages": hi, "stream": true, "stream_options": ["include_usage": true]]).status == 200)

            let parallel = try await c.chat(["messages": hi, "parallel_tool_calls": false])
            #expect(parallel.status == 400 && parallel.json?["error"]?["param"] == "parallel_tool_calls")
            #expect(try await c.chat(["messages": hi, "tools": [weather], "parallel_tool_calls": false]).status == 200)

            let legacyHot = try await c.post("/completions", ["model": "emulator-chat", "prompt": "a", "temperature": 5])
            #expect(legacyHot.status == 400 && legacyHot.json?["error"]?["param"] == "temperature")
            let legacyOptions = try await c.post("/completions", ["model": "emulator-chat", "prompt": "a", "stream_options": ["include_usage": true]])
            #expect(legacyOptions.status == 400 && legacyOptions.json?["error"]?["param"] == "stream_options")

            // allowed_tools narrows auto and required to the tools it lists.
            func allowed(_ mode: String) -> JSONValue {
                ["type": "allowed_tools", "allowed_tools": ["mode": .string(mode), "tools": [["type": "function", "function": ["name": "get_time"]]]]]
            }
            let narrowed = try await c.chat(["messages": [["role": "user", "content": "Use a tool."]], "tools": [weather, time], "tool_choice": allowed("required")]).json
            #expect(narrowed?["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue?.map { $0["function"]?["name"] } == ["get_time"])
            let auto = try await c.chat(["messages": [["role": "user", "content": "Call get_weather."]], "tools": [weather, time], "tool_choice": allowed("auto")]).json
            #expect(auto?["choices"]?[0]?["message"]?["tool_calls"] == nil && auto?["choices"]?[0]?["finish_reason"] == "stop")
            let badMode = try await c.chat(["messages": hi, "tools": [weather], "tool_choice": allowed("sometimes")])
            #expect(badMode.status == 400 && badMode.json?["error"]?["param"] == "tool_choice.allowed_tools.mode")

            // Custom tools are accepted; the fake model calls only functions.
            let custom: JSONValue = ["type": "custom", "custom": ["name": "shell", "description": "Run a command."]]
            let mixed = try await c.chat(["messages": [["role": "user", "content": "Call get_weather."]], "tools": [custom, weather]]).json
            #expect(mixed?["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["name"] == "get_weather")
            #expect(try await c.chat(["messages": hi, "tools": [custom], "max_tokens": 1]).status == 200)
            let unnamed = try await c.chat(["messages": hi, "tools": [["type": "custom", "custom": [:]]]])
            #expect(unnamed.status == 400 && unnamed.json?["error"]?["param"] == "tools[0].custom.name")
            let unknownType = try await c.chat(["messages": hi, "tools": [weather, ["type": "hosted"]]])
            #expect(unknownType.status == 400 && unknownType.json?["error"]?["param"] == "tools[1].type")
            #expect(unknownType.json?["error"]?["message"] == "Invalid value: 'hosted'. Supported values are: 'function' and 'custom'.")
        }
        // Lenient servers check none of it and refuse the newer shapes by name.
        try await withServer(knobs: Knobs { $0.requestRules = .lenient }) { c in
            for fields: [String: JSONValue] in [["temperature": 5], ["stream_options": ["include_usage": true]], ["parallel_tool_calls": true]] {
                #expect(try await c.chat(fields.merging(["messages": hi, "max_tokens": 1]) { a, _ in a }).status == 200, "\(fields)")
            }
            let custom = try await c.chat(["messages": hi, "tools": [["type": "custom", "custom": ["name": "shell"]]]])
            #expect(custom.status == 400 && custom.json?["error"]?["message"]?.stringValue?.contains("'custom'") == true)
            let narrowed = try await c.chat(["messages": hi, "tools": [weather],
                                             "tool_choice": ["type": "allowed_tools", "allowed_tools": ["mode": "auto", "tools": [weather]]]])
            #expect(narrowed.status == 400 && narrowed.json?["error"]?["message"]?.stringValue?.contains("allowed_tools") == true)
        }
        #expect(Personalities.all.filter { $0.knobs.requestRules == .openai }.map(\.name) == ["reference", "reference-slow"])
    }

    @Test("litellm: a bogus key gets the real proxy's recorded body (reports/litellm-proxy/evidence.md)")
    func litellmBogusKey() async throws {
        try await withServer(Personalities.litellm) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "max_tokens": 1], key: "sk-touchstone-evidence-bogus-key")
            #expect(r.status == 400 && r.header("content-type") == "application/json")
            // Recorded from litellm 1.106.2 with a master key and no database.
            #expect(r.json == (try JSONValue(parsing: #"{"error":{"message":"No connected db.","type":"no_db_connection","param":null,"code":"400"}}"#)))
        }
    }

    @Test("chunkDelay spaces the stream's events; responseDelay holds the first byte")
    func chunkDelay() async throws {
        let knobs = Knobs {
            $0.chunkDelay = .milliseconds(60)
            $0.responseDelay = .milliseconds(150)
        }
        try await withServer(knobs: knobs) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stream": true, "max_tokens": 4])
            #expect(r.firstByteAt >= 0.14)
            let times = r.chunkTimes.map(\.time)
            #expect(times.count == 8)  // role, 4 words, finish, [DONE], terminator
            // Lower bounds only: a loaded client may read two events together, but the server
            // cannot have sent [DONE] before 150 ms + 6 × 60 ms.
            #expect(times[6] >= 0.5, "\(times)")
        }
    }

    @Test("64 concurrent connections are all served; keep-alive serves pipelined requests in order")
    func connections() async throws {
        try await withServer(Personalities.reference) { c in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<64 {
                    group.addTask { try await c.chat(["messages": [["role": "user", "content": .string("Hi \(i)")]], "max_tokens": 2]).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 64 && statuses.allSatisfy { $0 == 200 })

            let body = #"{"model":"emulator-chat","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}"#
            func request(_ close: Bool) -> String {
                "POST \(c.prefix)/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator-reference\r\n"
                    + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            let port = c.port
            let pipelined = Array((request(false) + request(false) + request(true)).utf8)
            let raw = try await withCheckedThrowingContinuation { cont in
                Thread { cont.resume(with: Result { try blockingReceive(port: port, request: pipelined) }) }.start()
            }
            let text = String(decoding: raw.flatMap(\.bytes), as: UTF8.self)
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
            #expect(text.components(separatedBy: "connection: close").count == 2)
        }
    }

    @Test("stop() returns at once while a client holds an idle keep-alive connection")
    func stopWithIdleConnection() async throws {
        let server = EmulatorServer(personality: Personalities.ollama)
        try await server.start()
        let port = server.port
        let served = Locked(false)
        let release = Locked(false)
        let closed = Locked(false)
        Thread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            let request = Array("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            if recv(fd, &buffer, buffer.count, 0) > 0 { served.withLock { $0 = true } }
            // Hold the connection open, idle, until the test releases it (or 60 s pass).
            for _ in 0..<1200 where !release.withLock({ $0 }) { usleep(50_000) }
            closed.withLock { $0 = true }
            close(fd)
        }.start()
        for _ in 0..<200 where !served.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(served.withLock { $0 })
        await server.stop()
        // stop() returned while the client still held its connection: it did not wait for it.
        #expect(!closed.withLock { $0 })
        release.withLock { $0 = true }
    }

    // MARK: Quirk knobs

    @Test("quirks: no [DONE] and cumulative chunks, HTML 401, 307 redirect, dropped connection, empty 401")
    func quirkKnobs() async throws {
        try await withServer(Personalities.perplexity) { c in
            #expect(c.prefix == "")
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stream": true, "max_tokens": 3])
            let events = SSEParser.parse(r.body).events
            #expect(!events.contains { $0.isDone } && events.count == 4)
            let contents = try events.map { try JSONValue(parsing: $0.data) }
            #expect(contents.allSatisfy { $0["object"] == "chat.completion" && $0["usage"] != nil })
            #expect(contents.last?["choices"]?[0]?["delta"]?["content"] == "Hello! I am")
            let badKey = try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: "sk-bogus")
            #expect(badKey.status == 401 && badKey.header("content-type") == "text/html" && badKey.text.contains("<html>"))
            #expect(try await c.get("/models").status == 404)
            #expect(try await c.send("GET", "/v1/models", prefixed: false).status == 404)
        }
        try await withServer(Personalities.ollama) { c in
            let redirect = try await c.send("POST", "/v1//chat/completions?x=1", prefixed: false,
                                            body: #"{"model":"llama3.2","messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(redirect.status == 307 && redirect.header("location") == "/v1/chat/completions?x=1")
            let ignored = try await c.chat(["messages": [["role": "user", "content": "Count to 50"]], "max_completion_tokens": 1]).json
            #expect(ignored?["choices"]?[0]?["finish_reason"] == "stop")
            #expect(ignored?["usage"]?["completion_tokens"] == 19)
            #expect(try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: "sk-anything").status == 200)
            // A real client follows the 307 with its POST body.
            let curl = try await runCurl(["-sS", "-L", "-o", "-", "-w", "\n%{http_code} %{num_redirects}", "-H", "Content-Type: application/json",
                                          "-d", #"{"model":"llama3.2","messages":[{"role":"user","content":"Hi"}]}"#, c.base + "//chat/completions"])
            #expect(curl.hasSuffix("200 1") && curl.contains("chat.completion"), "\(curl)")
        }
        try await withServer(Personalities.mlx) { c in
            let dropped = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "temperature": "hot"])
            #expect(dropped.dropped)
            #expect(try await c.send("POST", "/v1//chat/completions", prefixed: false, body: "{}").status == 404)
            #expect(try await c.send("GET", "/models", prefixed: false).status == 200)  // also unprefixed
        }
        try await withServer(Personalities.tgi) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: .none)
            #expect(r.status == 401 && r.body.isEmpty)
            let tooStringy = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stop": "am"])
            #expect(tooStringy.status == 422 && tooStringy.json?["error_type"] == "validation")
        }
        try await withServer(Personalities.gemini) { c in
            #expect(c.prefix == "/v1beta/openai")
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]]], key: "sk-bogus")
            #expect(r.status == 400 && r.json?[0]?["error"]?["status"] == "INVALID_ARGUMENT")
        }
        try await withServer(Personalities.azure) { c in
            let r = try await c.chat(["messages": [["role": "user", "content": "Hi"]], "stream": true, "max_tokens": 1], key: .none, headers: [("api-key", "sk-emulator-azure")])
            let first = try JSONValue(parsing: try #require(SSEParser.parse(r.body).events.first).data)
            #expect(first["choices"] == [] && first["prompt_filter_results"] != nil && first["object"] == "" && first["id"] == "")
            #expect(r.header("x-ratelimit-remaining-requests") != nil)
        }
    }

    @Test("a large body with Expect: 100-continue is answered at once (curl)")
    func expectContinue() async throws {
        try await withServer(Personalities.reference) { c in
            let big = String(repeating: "word ", count: 2000)
            let body = JSONValue.object(["model": "emulator-chat", "messages": [["role": "user", "content": .string(big)]]]).serialized()
            let out = try await runCurl(["-sS", "-v", "--stderr", "-", "-o", "-", "-H", "Expect: 100-continue",
                                         "-H", "Authorization: Bearer sk-emulator-reference", "-H", "Content-Type: application/json",
                                         "-d", body, c.base + "/chat/completions"])
            #expect(out.contains("< HTTP/1.1 200") && out.contains("\"prompt_tokens\":2000"), "\(out.suffix(200))")
            // Without an interim 100 Continue curl would wait a second before sending the body.
            #expect(out.contains("HTTP/1.1 100 Continue"), "\(out.prefix(400))")
        }
    }
}

// MARK: - Helpers

private func withServer(_ p: Personality, _ body: (EmuClient) async throws -> Void) async throws {
    try await withServer(EmulatorServer(personality: p), key: p.apiKey, model: p.chatModel, body)
}

private func withServer(knobs: Knobs, _ body: (EmuClient) async throws -> Void) async throws {
    let server = EmulatorServer(knobs: knobs, apiKey: "sk-test")
    try await withServer(server, key: "sk-test", model: "emulator-chat", body)
}

private func withServer(_ server: EmulatorServer, key: String?, model: String, _ body: (EmuClient) async throws -> Void) async throws {
    try await server.start()
    #expect(server.port > 0)
    let prefix = String(server.baseURL.dropFirst("http://127.0.0.1:\(server.port)".count))
    do {
        try await body(EmuClient(port: server.port, prefix: prefix, key: key, model: model))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

private func decodeFloat32(_ base64: String?) -> [Float]? {
    guard let base64, let data = Data(base64Encoded: base64), data.count % 4 == 0 else { return nil }
    return stride(from: 0, to: data.count, by: 4).map { i in
        Float(bitPattern: data[i..<i + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) })
    }
}

/// Runs curl (on its own thread, output to a file) and returns its stdout.
private func runCurl(_ arguments: [String]) async throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("emu-curl-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    // Generous: the tests' servers share two cores with the whole suite. What the callers
    // check is what curl saw (an interim 100, the answer), not how fast.
    process.arguments = ["--max-time", "60"] + arguments
    process.standardOutput = handle
    try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
        process.terminationHandler = { _ in cont.resume() }
        do { try process.run() } catch { cont.resume(throwing: error) }
    }
    try handle.close()
    return String(decoding: try Data(contentsOf: output), as: UTF8.self)
}

private struct HTTPResult: Sendable {
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Decoded chunks of a chunked body with their arrival time (seconds after the request).
    var chunkTimes: [(time: Double, bytes: [UInt8])] = []
    var firstByteAt = 0.0
    /// The connection closed without a response.
    var dropped = false

    func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }
    var json: JSONValue? { try? JSONValue(parsing: body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client (one connection per request, `Connection: close`) run on a
/// dedicated thread.
private struct EmuClient: Sendable {
    let port: Int
    let prefix: String
    let key: String?
    let model: String

    var base: String { "http://127.0.0.1:\(port)\(prefix)" }

    func get(_ path: String, key: KeyChoice = .configured) async throws -> HTTPResult {
        try await send("GET", path, key: key)
    }

    func post(_ path: String, _ json: JSONValue, key: KeyChoice = .configured) async throws -> HTTPResult {
        try await send("POST", path, key: key, body: json.serialized())
    }

    /// A chat request; `model` is filled in unless given.
    func chat(_ fields: [String: JSONValue], key: KeyChoice = .configured, headers: [(String, String)] = [], path: String = "/chat/completions") async throws -> HTTPResult {
        var fields = fields
        if fields["model"] == nil { fields["model"] = .string(model) }
        return try await send("POST", path, key: key, headers: headers, body: JSONValue.object(fields).serialized())
    }

    func send(_ method: String, _ path: String, prefixed: Bool = true, key: KeyChoice = .configured,
              headers: [(String, String)] = [], body: String? = nil) async throws -> HTTPResult {
        try await send(method, path, prefixed: prefixed, key: key, headers: headers, body: body.map { Array($0.utf8) })
    }

    func send(_ method: String, _ path: String, prefixed: Bool = true, key: KeyChoice = .configured,
              headers: [(String, String)] = [], body: [UInt8]?) async throws -> HTTPResult {
        let presented: String? = switch key {
        case .configured: self.key
        case .none: nil
        case .key(let k): k
        }
        var head = "\(method) \(prefixed ? prefix + path : path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let presented { head += "Authorization: Bearer \(presented)\r\n" }
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + (body ?? [])
        let port = self.port
        return try await withCheckedThrowingContinuation { cont in
            Thread { cont.resume(with: Result { try blockingExchange(port: port, request: request) }) }.start()
        }
    }
}

/// Which key a request carries: the personality's, none, or a given one (a string literal).
private enum KeyChoice: ExpressibleByStringLiteral {
    case configured, none
    case key(String)
    init(stringLiteral value: String) { self = .key(value) }
}

private struct ClientError: Error, CustomStringConvertible {
    let description: String
}

private func blockingExchange(port: Int, request: [UInt8]) throws -> HTTPResult {
    try parseResponse(blockingReceive(port: port, request: request))
}

/// Sends the bytes, then reads until the server closes; returns what arrived, with times.
private func blockingReceive(port: Int, request: [UInt8]) throws -> [(time: Double, bytes: [UInt8])] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ClientError(description: "socket failed") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 15, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw ClientError(description: "connect failed: \(errno)") }
    let start = Date()
    var sent = 0
    while sent < request.count {
        let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw ClientError(description: "send failed: \(errno)") }
        sent += n
    }
    var received: [(time: Double, bytes: [UInt8])] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 {
            if errno == ECONNRESET { break }
            throw ClientError(description: "recv failed: \(errno)")
        }
        if n == 0 { break }
        received.append((Date().timeIntervalSince(start), Array(buffer[..<n])))
    }
    return received
}

private func parseResponse(_ received: [(time: Double, bytes: [UInt8])]) throws -> HTTPResult {
    var result = HTTPResult()
    let all = received.flatMap(\.bytes)
    guard !all.isEmpty else {
        result.dropped = true
        return result
    }
    result.firstByteAt = received[0].time
    // The time at which byte `offset` had arrived.
    var ends: [(end: Int, time: Double)] = []
    var total = 0
    for r in received {
        total += r.bytes.count
        ends.append((total, r.time))
    }
    func arrival(_ offset: Int) -> Double { ends.first { $0.end > offset }?.time ?? ends.last!.time }

    let crlfcrlf: [UInt8] = [13, 10, 13, 10]
    guard all.count >= 4, let headEnd = (0...(all.count - 4)).first(where: { Array(all[$0..<$0 + 4]) == crlfcrlf }) else {
        throw ClientError(description: "no header end")
    }
    let lines = String(decoding: all[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
    result.status = Int(lines[0].split(separator: " ")[1]) ?? 0
    result.headers = lines.dropFirst().compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    var i = headEnd + 4
    if result.header("transfer-encoding") == "chunked" {
        while i < all.count {
            guard let lineEnd = (i..<(all.count - 1)).first(where: { all[$0] == 13 && all[$0 + 1] == 10 }),
                  let size = Int(String(decoding: all[i..<lineEnd], as: UTF8.self), radix: 16) else { break }
            let dataStart = lineEnd + 2
            let chunk = Array(all[dataStart..<min(dataStart + size, all.count)])
            result.chunkTimes.append((arrival(min(dataStart + size + 1, all.count - 1)), chunk))
            result.body += chunk
            i = dataStart + size + 2
            if size == 0 { break }
        }
    } else {
        result.body = Array(all[i...])
    }
    return result
}
