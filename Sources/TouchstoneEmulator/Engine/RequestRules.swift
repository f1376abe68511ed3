import TouchstoneCore

/// OpenAI's request rules that go beyond field types, applied under `requestRules: openai`
/// (the reference): numeric ranges, and parameters that need another one. Each violation is
/// a 400 with OpenAI's message, `param` and `code`. Under `lenient` nothing is checked here,
/// as on most other servers.
struct RequestRules {
    let knobs: Knobs
    let body: JSONValue

    enum Endpoint { case chat, completions }

    /// The documented range of each numeric sampling parameter.
    static let ranges: [(key: String, min: Double, max: Double)] = [
        ("temperature", 0, 2), ("top_p", 0, 1), ("presence_penalty", -2, 2), ("frequency_penalty", -2, 2),
    ]

    func check(endpoint: Endpoint) throws {
        guard knobs.requestRules == .openai else { return }
        for (key, low, high) in Self.ranges {
            guard let value = body[key], let number = value.numberValue else { continue }
            if number > high {
                throw APIError(400, "Invalid '\(key)': decimal above maximum value. Expected a value <= \(Self.show(high)), but got \(value.serialized()) instead.",
                               code: "decimal_above_max_value", param: key)
            }
            if number < low {
                throw APIError(400, "Invalid '\(key)': decimal below minimum value. Expected a value >= \(Self.show(low)), but got \(value.serialized()) instead.",
                               code: "decimal_below_min_value", param: key)
            }
        }
        if let options = body["stream_options"], !options.isNull, body["stream"]?.boolValue != true {
            throw APIError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                           code: "invalid_value", param: "stream_options")
        }
        if endpoint == .chat, let parallel = body["parallel_tool_calls"], !parallel.isNull,
           body["tools"]?.arrayValue?.isEmpty ?? true {
            throw APIError(400, "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.",
                           code: "invalid_value", param: "parallel_tool_calls")
        }
    }

    private static func show(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }
}
