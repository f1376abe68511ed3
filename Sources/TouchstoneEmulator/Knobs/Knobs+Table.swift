import TouchstoneCore

/// The knob table: one row per knob, driving coding, listing, diffing and `random(seed:)`,
/// so adding a knob is one property plus one row here.
extension Knobs {
    struct Field: Sendable {
        let name: String
        /// Every value the knob can take, as coded.
        let choices: [String]
        let read: @Sendable (Knobs) -> String
        let decode: @Sendable (KeyedDecodingContainer<AnyKey>, inout Knobs) throws -> Void
        let encode: @Sendable (Knobs, inout KeyedEncodingContainer<AnyKey>) throws -> Void
        let randomize: @Sendable (inout Knobs, inout SplitMix64) -> Void
    }

    static let fields: [Field] = [
        field("pathPrefix", \.pathPrefix, random: PathPrefix.allCases.filter { $0 != .azureDeployments }),
        field("doubledSlash", \.doubledSlash),
        field("serverHeader", \.serverHeader),
        field("rateLimitHeaders", \.rateLimitHeaders),
        field("auth", \.auth),
        field("errorDialect", \.errorDialect),
        field("validationStatus", \.validationStatus),
        field("rejectStatus", \.rejectStatus),
        field("unknownParams", \.unknownParams),
        field("wrongTypeParams", \.wrongTypeParams),
        field("unknownModel", \.unknownModel),
        // `random` never refuses max_tokens: nearly every probe uses it as its token cap, so
        // the oracle would have to guess which cap each probe sends (docs/emulator.md).
        field("maxTokens", \.maxTokens, random: [.honor, .ignore]),
        field("maxCompletionTokens", \.maxCompletionTokens),
        field("stop", \.stop),
        field("n", \.n),
        field("logprobs", \.logprobs),
        field("reasoningEffort", \.reasoningEffort),
        field("imageInput", \.imageInput),
        field("reasoningField", \.reasoningField),
        field("requestRules", \.requestRules),
        field("invalidRole", \.invalidRole),
        field("toolChoice", \.toolChoice),
        field("toolChoiceWithoutTools", \.toolChoiceWithoutTools),
        field("parallelToolCalls", \.parallelToolCalls),
        field("toolCallIDs", \.toolCallIDs),
        field("toolStreaming", \.toolStreaming),
        field("doneSentinel", \.doneSentinel),
        field("chunkStyle", \.chunkStyle),
        field("roleDelta", \.roleDelta),
        field("sseComments", \.sseComments),
        field("filterChunk", \.filterChunk),
        field("streamUsage", \.streamUsage),
        field("usageChunkChoices", \.usageChunkChoices),
        field("jsonObject", \.jsonObject),
        field("jsonSchema", \.jsonSchema),
        field("modelsList", \.modelsList),
        field("contextLength", \.contextLength),
        field("embeddings", \.embeddings),
        field("embeddingsBatch", \.embeddingsBatch),
        field("embeddingsBase64", \.embeddingsBase64),
        field("embeddingsDimensions", \.embeddingsDimensions),
        field("responses", \.responses),
        field("responsesStream", \.responsesStream),
        field("responsesTools", \.responsesTools),
        field("responsesStore", \.responsesStore),
        field("previousResponse", \.previousResponse),
        field("responsesDoneSentinel", \.responsesDoneSentinel),
        field("completions", \.completions),
        delayField("responseDelay", \.responseDelay),
        delayField("chunkDelay", \.chunkDelay),
        field("slots", \.slots),
    ]

    private static func field<T: KnobValue>(
        _ name: String, _ path: WritableKeyPath<Knobs, T> & Sendable, random: [T] = Array(T.allCases)
    ) -> Field {
        let key = AnyKey(name)
        return Field(
            name: name,
            choices: T.allCases.map(\.rawValue),
            read: { $0[keyPath: path].rawValue },
            decode: { c, knobs in
                guard let raw = try c.decodeIfPresent(String.self, forKey: key) else { return }
                guard let value = T(rawValue: raw) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c,
                        debugDescription: "knob \(name): unknown value '\(raw)'; one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                knobs[keyPath: path] = value
            },
            encode: { knobs, c in try c.encode(knobs[keyPath: path].rawValue, forKey: key) },
            randomize: { knobs, rng in knobs[keyPath: path] = random[Int(rng.next() % UInt64(random.count))] }
        )
    }

    private static func delayField(_ name: String, _ path: WritableKeyPath<Knobs, Delay> & Sendable) -> Field {
        let key = AnyKey(name)
        return Field(
            name: name,
            choices: ["<milliseconds>"],
            read: { String($0[keyPath: path].milliseconds) },
            decode: { c, knobs in
                if let value = try c.decodeIfPresent(Delay.self, forKey: key) { knobs[keyPath: path] = value }
            },
            encode: { knobs, c in try c.encode(knobs[keyPath: path], forKey: key) },
            // Latency stays at zero in random knob sets: it changes no verdict, only run time.
            randomize: { _, _ in }
        )
    }

    /// Every knob name, in declaration order.
    public static var names: [String] { fields.map(\.name) }

    /// Every knob with the values it can take, as coded (delays: `<milliseconds>`).
    public static var choices: [(knob: String, values: [String])] { fields.map { ($0.name, $0.choices) } }

    /// The knobs whose value differs from the reference's, in declaration order.
    public var differencesFromReference: [(knob: String, value: String)] {
        let reference = Knobs()
        return Self.fields.compactMap { f in
            let mine = f.read(self)
            return mine == f.read(reference) ? nil : (f.name, mine)
        }
    }

    /// A deterministic random knob set: the same seed gives the same knobs.
    /// Latency knobs stay at zero and `maxTokens` is never `reject` (see the table above).
    public static func random(seed: UInt64) -> Knobs {
        var rng = SplitMix64(seed: seed)
        var knobs = Knobs()
        for f in fields { f.randomize(&knobs, &rng) }
        return knobs
    }
}

extension Knobs: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, over: Knobs())
    }

    /// `base` with the knobs the decoder names set (a personality file that `extends` another).
    init(from decoder: any Decoder, over base: Knobs) throws {
        self = base
        let c = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Self.fields.map(\.name))
        if let unknown = c.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: c, debugDescription: "unknown knob '\(unknown.stringValue)'")
        }
        for f in Self.fields { try f.decode(c, &self) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for f in Self.fields { try f.encode(self, &c) }
    }
}

struct AnyKey: CodingKey, Sendable {
    let stringValue: String
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

