import Foundation
import TouchstoneCore

extension Emulator {
    // MARK: GET /models

    private var servedModels: [String] {
        [chatModel] + (embeddingModel.map { $0 == chatModel ? [] : [$0] } ?? [])
    }

    private func modelObject(_ id: String) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(id), "object": "model", "created": 1_735_689_600, "owned_by": "touchstone"]
        switch knobs.contextLength {
        case .modelsContextLength: o["context_length"] = .int(Knobs.ContextAdvert.window)
        case .modelsMaxModelLen: o["max_model_len"] = .int(Knobs.ContextAdvert.window)
        case .none, .props: break
        }
        return .object(o)
    }

    // MARK: GET /props (llama.cpp's server properties, beside the API)

    /// llama.cpp's `GET /props`: its slots (`total_slots`, what the prober caps its concurrency
    /// to) and the context window. Served by the personalities that model llama-server.
    func props() throws -> Reply {
        guard knobs.contextLength == .props || knobs.slots == .oneAdvertised else {
            throw APIError(404, "Not found", code: "not_found")
        }
        let window = knobs.contextLength == .props ? Knobs.ContextAdvert.window : 4096
        var body: [String: JSONValue] = [
            "default_generation_settings": ["n_ctx": .int(window), "params": ["temperature": 0.8]],
            "model_alias": .string(chatModel),
        ]
        // llama-server's default is four slots (`-np`); `oneAdvertised` is `-np 1`. `one` models a
        // single-slot server that does not say so: no `total_slots`.
        switch knobs.slots {
        case .many: body["total_slots"] = 4
        case .oneAdvertised: body["total_slots"] = 1
        case .one: break
        }
        return .json(200, .object(body))
    }

    func models() throws -> Reply {
        switch knobs.modelsList {
        case .standard:
            return .json(200, ["object": "list", "data": .array(servedModels.map(modelObject))])
        case .singleWithMeta:
            var entry = modelObject(chatModel).objectValue!
            entry["owned_by"] = "llamacpp"
            entry["meta"] = ["vocab_type": 2, "n_vocab": 262_144, "n_ctx_train": 32_768, "n_embd": 640,
                             "n_params": 268_098_176, "size": 253_105_152]
            return .json(200, ["object": "list", "data": [.object(entry)]])
        case .bareArray:
            return .json(200, .array(servedModels.map(modelObject)))
        case .modelsKeyOnly:
            return .json(200, ["models": .array(servedModels.map { ["name": .string($0), "model": .string($0)] })])
        case .prefixedIDs:
            return .json(200, ["object": "list", "data": .array(servedModels.map { modelObject("models/" + $0) })])
        case .notFound:
            throw APIError(404, "Not found", code: "not_found")
        }
    }

    func model(_ id: String) throws -> Reply {
        guard knobs.modelsList != .notFound else { throw APIError(404, "Not found", code: "not_found") }
        let bare = id.hasPrefix("models/") && knobs.modelsList == .prefixedIDs ? String(id.dropFirst(7)) : id
        guard servedModels.contains(bare) else {
            throw APIError(404, "The model `\(id)` does not exist or you do not have access to it.", code: "model_not_found")
        }
        return .json(200, modelObject(id))
    }

    // MARK: POST /embeddings

    /// Vectors have this many dimensions unless `dimensions` asks for fewer.
    static let embeddingDimensions = 16

    func embeddings(_ body: JSONValue) throws -> Reply {
        guard knobs.embeddings == .served else { throw APIError(404, "Not found", code: "not_found") }
        let model = try checkModel(requiredModel(body), serves: embeddingModel)
        let inputs: [String]
        switch body["input"] {
        case .string(let s)?: inputs = [s]
        case .array(let items)? where !items.isEmpty:
            if items.allSatisfy({ $0.stringValue != nil }) {
                inputs = items.compactMap(\.stringValue)
            } else if items.allSatisfy({ $0.intValue != nil }) {
                inputs = [items.map(\.description).joined(separator: " ")]  // one token array
            } else if items.allSatisfy({ $0.arrayValue?.allSatisfy { $0.intValue != nil } == true }) {
                inputs = items.map { $0.arrayValue!.map(\.description).joined(separator: " ") }
            } else {
                throw APIError.invalid("'input' must be a string, an array of strings or token arrays.", param: "input", knobs: knobs)
            }
        default:
            throw APIError.invalid("'input' is a required property (a string or a non-empty array).", param: "input", knobs: knobs)
        }

        var dimensions = Self.embeddingDimensions
        if let value = body["dimensions"], !value.isNull {
            switch knobs.embeddingsDimensions {
            case .ignore: break
            case .reject: throw APIError.refused("dimensions", "Extra inputs are not permitted: dimensions", knobs: knobs)
            case .honor:
                guard let d = optionalInt(body, "dimensions"), (1...Self.embeddingDimensions).contains(d) else {
                    throw APIError.refused("dimensions", "'dimensions' must be between 1 and \(Self.embeddingDimensions).", knobs: knobs)
                }
                dimensions = d
            }
        }
        var base64 = false
        switch body["encoding_format"] {
        case nil, .null?, .string("float")?: break
        case .string("base64")?:
            switch knobs.embeddingsBase64 {
            case .honor: base64 = true
            case .ignore: break
            case .reject:
                throw APIError.refused("encoding_format", "encoding_format 'base64' is not supported.", knobs: knobs)
            }
        default:
            throw APIError.refused("encoding_format", "'encoding_format' must be 'float' or 'base64'.", knobs: knobs)
        }

        let rows = knobs.embeddingsBatch == .allRows ? inputs : Array(inputs.prefix(1))
        let data: [JSONValue] = rows.enumerated().map { i, input in
            let vector = Self.embedding(of: input, dimensions: dimensions)
            let embedding: JSONValue = base64
                ? .string(Self.base64(vector))
                : .array(vector.map { .double(Double($0)) })
            return ["object": "embedding", "index": .int(i), "embedding": embedding]
        }
        let tokens = inputs.reduce(0) { $0 + FakeModel.tokens(in: $1) }
        return .json(200, [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .int(tokens), "total_tokens": .int(tokens)],
        ])
    }

    /// A unit vector from a hash of the input; `dimensions` truncates then renormalizes.
    static func embedding(of input: String, dimensions: Int) -> [Float] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in input.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        var rng = SplitMix64(seed: hash)
        let full = (0..<embeddingDimensions).map { _ in Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1 }
        let kept = full.prefix(dimensions)
        let norm = kept.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return kept.map { Float(norm > 0 ? $0 / norm : 0) }
    }

    /// Base64 of the little-endian float32s.
    static func base64(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
