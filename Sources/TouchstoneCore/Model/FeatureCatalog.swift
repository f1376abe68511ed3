/// The feature ids of features.md, in its order and groups. Reports, presets and JUnit key on
/// these ids: they are a public, stable contract. Suites may declare more features; those
/// sort after these.
public enum FeatureCatalog {
    public static let groups: [(title: String, ids: [String])] = [
        ("Endpoints and transport", ["models.list", "base_url.trailing_slash", "auth.invalid_key_rejected"]),
        ("Chat completions", [
            "chat.basic", "chat.usage", "chat.system_message", "chat.multi_turn", "chat.max_tokens",
            "chat.max_completion_tokens", "chat.stop", "chat.n", "chat.logprobs", "chat.reasoning_effort",
            "chat.image_input",
        ]),
        ("Streaming", [
            "stream.basic", "stream.done_sentinel", "stream.include_usage", "stream.tool_calls", "stream.response_format",
        ]),
        ("Tools and tool_choice", [
            "tools.basic", "tools.parallel", "tools.result_roundtrip", "tool_choice.auto", "tool_choice.none",
            "tool_choice.required", "tool_choice.named",
        ]),
        ("Structured output", ["response_format.json_object", "response_format.json_schema"]),
        ("Embeddings", ["embeddings.basic", "embeddings.batch", "embeddings.base64", "embeddings.dimensions"]),
        ("Responses API", [
            "responses.basic", "responses.stream", "responses.tools", "responses.retrieve", "responses.previous_response",
        ]),
        ("Other endpoints", ["completions.legacy"]),
        ("Errors", [
            "errors.unknown_model", "errors.invalid_json", "errors.missing_messages", "errors.tool_choice_without_tools",
            "errors.invalid_role", "errors.envelope",
        ]),
    ]

    public static let ids: [String] = groups.flatMap(\.ids)

    /// Sorts feature ids: catalogue order first, then any others alphabetically.
    public static func ordered(_ features: some Sequence<String>) -> [String] {
        let rank = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return features.sorted { a, b in
            switch (rank[a], rank[b]) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
    }
}
