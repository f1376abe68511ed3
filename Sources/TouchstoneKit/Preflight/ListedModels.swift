import TouchstoneCore

/// The model ids a `GET /models` answer lists, read leniently: the preflight wants to know what
/// the upstream serves, not whether the list is well formed (`models.list` judges that).
/// Reads `{data: [{id}]}`, a bare array, and Ollama's `{models: [{name|model}]}`.
struct ListedModels: Sendable, Equatable {
    let ids: [String]

    /// The ids of a 2xx JSON answer; nil when the answer is not a list of models.
    init?(_ exchange: Exchange) {
        guard let status = exchange.status, (200..<300).contains(status), exchange.error == nil,
              let body = exchange.json else { return nil }
        let entries: [JSONValue]
        if let a = body.arrayValue {
            entries = a
        } else if let a = body["data"]?.arrayValue {
            entries = a
        } else if let a = body["models"]?.arrayValue {
            entries = a
        } else {
            return nil
        }
        var ids: [String] = []
        for e in entries {
            guard let id = e["id"]?.stringValue ?? e["name"]?.stringValue ?? e["model"]?.stringValue ?? e.stringValue,
                  !id.isEmpty, !ids.contains(id) else { continue }
            ids.append(id)
        }
        self.ids = ids
    }

    /// Words in ids of models that do not chat (embeddings, rerankers, speech, images, moderation).
    static let nonChatWords = ["embed", "rerank", "whisper", "tts", "dall-e", "moderation", "transcribe", "image"]

    /// The ids that may be chat models.
    var chatModels: [String] {
        ids.filter { id in
            let lower = id.lowercased()
            return !ListedModels.nonChatWords.contains { lower.contains($0) }
        }
    }

    /// Whether `model` is listed, allowing the spellings upstreams use for the same model:
    /// Gemini's `models/` prefix and Ollama's `:latest` tag.
    func contains(_ model: String) -> Bool {
        let want = ListedModels.canonical(model)
        return ids.contains { ListedModels.canonical($0) == want }
    }

    static func canonical(_ id: String) -> String {
        var s = id
        if s.hasPrefix("models/") { s.removeFirst("models/".count) }
        if s.hasSuffix(":latest") { s.removeLast(":latest".count) }
        return s
    }

    /// `a, b, c` (at most `limit` ids, then `… and N more`).
    static func list(_ ids: [String], limit: Int = 20) -> String {
        let shown = ids.prefix(limit).joined(separator: ", ")
        return ids.count > limit ? "\(shown), … and \(ids.count - limit) more" : shown
    }
}
