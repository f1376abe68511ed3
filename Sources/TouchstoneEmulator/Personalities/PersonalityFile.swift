import Foundation
import TouchstoneCore
import Yams

/// One file of `personalities/` as written (docs/emulator.md § Personalities):
///
/// ```yaml
/// name: ollama                      # the file's name without .yaml
/// summary: "Ollama /v1: …"
/// models: {chat: llama3.2, embedding: nomic-embed-text}   # embedding: omitted when none
/// api_key: sk-…                     # omitted when the server enforces no key
/// knobs:                            # knob → value, as `emulate --knob` takes them
///   auth: ignoreKey
///   responseDelay: 40               # delays in milliseconds
/// fault: {kind: closeMidBody, scope: streams}   # the fault-… personalities only
/// expected:                         # feature id → verdict; every feature not listed: supported
///   chat.n: ignored                 # ("*": untested sets the default instead)
/// ```
///
/// `extends: OTHER` starts from another personality: its models, key and fault unless given,
/// its knobs with these set on top, its expected verdicts with these set on top.
/// Unknown keys, knobs, values, feature ids and verdicts are errors.
struct PersonalityFile: Decodable {
    struct Models: Decodable {
        var chat: String
        var embedding: String?
    }

    var name: String
    var summary: String
    var extends: String?
    var models: Models?
    var apiKey: String?
    var knobs: Knobs?
    var fault: Fault?
    var expected: [String: Verdict]?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case name, summary, extends, models, apiKey = "api_key", knobs, fault, expected
    }

    /// The knobs a file's `knobs` are set on (the extended personality's), passed to the decoder.
    static let baseKnobs = CodingUserInfoKey(rawValue: "touchstone.baseKnobs")!

    init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        if let unknown = any.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: any,
                debugDescription: "unknown key '\(unknown.stringValue)'; one of \(CodingKeys.allCases.map(\.stringValue).joined(separator: ", "))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        summary = try c.decode(String.self, forKey: .summary)
        extends = try c.decodeIfPresent(String.self, forKey: .extends)
        models = try c.decodeIfPresent(Models.self, forKey: .models)
        apiKey = try c.decodeIfPresent(String.self, forKey: .apiKey)
        if c.contains(.knobs) {
            knobs = try Knobs(from: c.superDecoder(forKey: .knobs),
                              over: decoder.userInfo[Self.baseKnobs] as? Knobs ?? Knobs())
        }
        fault = try c.decodeIfPresent(Fault.self, forKey: .fault)
        expected = try c.decodeIfPresent([String: Verdict].self, forKey: .expected)
    }

    /// The personality this file describes, on top of `base` when it `extends` one.
    func personality(base: Personality?) throws -> Personality {
        guard let chat = models?.chat ?? base?.chatModel else {
            throw PersonalityFileError(file: "\(name).yaml", message: "models.chat is missing (the chat model the prober asks for)")
        }
        var table = base?.expected ?? Dictionary(uniqueKeysWithValues: FeatureCatalog.ids.map { ($0, .supported) })
        for (id, verdict) in expected ?? [:] {
            if id == "*" {
                for f in table.keys where expected?[f] == nil { table[f] = verdict }
            } else if table[id] == nil {
                throw PersonalityFileError(file: "\(name).yaml", message: "expected: unknown feature id '\(id)' (docs/features.md)")
            } else {
                table[id] = verdict
            }
        }
        return Personality(name: name, summary: summary, knobs: knobs ?? base?.knobs ?? Knobs(), expected: table,
                           chatModel: chat, embeddingModel: models == nil ? base?.embeddingModel : models?.embedding,
                           apiKey: apiKey ?? base?.apiKey, fault: fault ?? base?.fault)
    }

    /// Reads every file (name under personalities/ and text), each after the one it extends.
    static func load(_ files: [(name: String, text: String)]) throws -> [Personality] {
        var texts: [String: String] = [:]
        for (file, text) in files {
            let name = String(file.dropLast(file.hasSuffix(".yaml") ? 5 : 0))
            guard texts.updateValue(text, forKey: name) == nil else {
                throw PersonalityFileError(file: file, message: "a second file named \(name)")
            }
        }
        var done: [String: Personality] = [:]
        func read(_ name: String, chain: [String]) throws -> Personality {
            if let p = done[name] { return p }
            let file = "\(name).yaml"
            guard let text = texts[name] else {
                throw PersonalityFileError(file: chain.last.map { "\($0).yaml" } ?? file,
                                           message: "extends '\(name)', which is not a personality")
            }
            guard !chain.contains(name) else {
                throw PersonalityFileError(file: file, message: "extends itself: \((chain + [name]).joined(separator: " → "))")
            }
            let p: Personality
            do {
                let header = try YAMLDecoder().decode(Header.self, from: text)
                let base = try header.extends.map { try read($0, chain: chain + [name]) }
                let parsed = try YAMLDecoder().decode(PersonalityFile.self, from: text,
                                                      userInfo: base.map { [baseKnobs: $0.knobs] } ?? [:])
                guard parsed.name == name else {
                    throw PersonalityFileError(file: file, message: "name '\(parsed.name)' differs from the file's name")
                }
                p = try parsed.personality(base: base)
            } catch let error as PersonalityFileError {
                throw error
            } catch {
                throw PersonalityFileError(file: file, message: Self.describe(error))
            }
            done[name] = p
            return p
        }
        return try texts.keys.sorted().map { try read($0, chain: []) }
    }

    /// Only `extends`, read first to find the base.
    private struct Header: Decodable {
        var extends: String?
    }

    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "" : "\(p): "
        }
        switch error {
        case DecodingError.dataCorrupted(let c): return path(c) + c.debugDescription
        case DecodingError.keyNotFound(let key, let c): return path(c) + "'\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return path(c) + c.debugDescription
        default: return "\(error)"
        }
    }
}

/// A personality file that does not read: the file and what is wrong.
struct PersonalityFileError: Error, CustomStringConvertible {
    var file: String
    var message: String
    var description: String { "personalities/\(file): \(message)" }
}
