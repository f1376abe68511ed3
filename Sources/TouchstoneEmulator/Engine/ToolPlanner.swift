import Foundation
import TouchstoneCore

/// Decides which tools the fake model calls, under the `toolChoice` policy:
/// - `none` → text;
/// - `auto` (or tool_choice omitted with tools) → the tools whose names the last user message
///   contains (as words), else text; after a tool result, text;
/// - `required` → the tools the last user message names, else the first tool;
/// - named → that tool.
/// One call unless parallel calls are on (and the request does not set `parallel_tool_calls: false`).
/// Arguments are an instance of the tool's parameter schema.
struct ToolPlanner {
    let knobs: Knobs
    let body: JSONValue
    let messages: [JSONValue]

    enum Mode: Equatable {
        case auto, none, required
        case named(String)
    }

    func plan() throws -> [(name: String, arguments: String)] {
        var tools = try definitions()
        let requested = try requestedMode(hasTools: !tools.isEmpty)
        var mode = requested.mode
        if let allowed = requested.allowed { tools = tools.filter { allowed.contains($0.name) } }
        guard !tools.isEmpty else { return [] }

        switch knobs.toolChoice {
        case .honor: break
        case .ignore: mode = .auto
        case .toolsIgnored: return []
        case .toolsNeedJinja:
            throw APIError(400, "Unsupported param: tools (--jinja mode required for tool calls; start the server with --jinja)",
                           param: "tools")
        case .autoNeedsFlag:
            if mode == .auto {
                throw APIError(400, "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set",
                               param: "tool_choice")
            }
        case .autoAndNoneOnly:
            if mode != .auto && mode != .none {
                throw APIError.refused("tool_choice", "Only 'auto' and 'none' are supported for 'tool_choice'.", knobs: knobs)
            }
        }

        let parallel = knobs.parallelToolCalls == .on && body["parallel_tool_calls"]?.boolValue != false
        let mentioned = tools.filter { Self.mentions(lastUserText, $0.name) }
        let chosen: [(name: String, parameters: JSONValue)]
        switch mode {
        case .none:
            chosen = []
        case .auto:
            chosen = messages.last?["role"]?.stringValue == "tool" ? [] : mentioned
        case .required:
            chosen = mentioned.isEmpty ? [tools[0]] : mentioned
        case .named(let name):
            guard let tool = tools.first(where: { $0.name == name }) else {
                throw APIError.refused("tool_choice", "tool_choice names '\(name)', which is not in 'tools'.", knobs: knobs)
            }
            chosen = [tool]
        }
        return (parallel ? chosen : Array(chosen.prefix(1))).map {
            ($0.name, SchemaInstance.generate($0.parameters).serialized())
        }
    }

    /// The function tools a request defines. Custom tools (`requestRules: openai`) are
    /// accepted but never called: the fake model only calls functions.
    private func definitions() throws -> [(name: String, parameters: JSONValue)] {
        guard let tools = body["tools"]?.arrayValue else { return [] }
        return try tools.enumerated().compactMap { i, tool in
            switch tool["type"]?.stringValue ?? "function" {
            case "function":
                guard let function = tool["function"], let name = function["name"]?.stringValue, !name.isEmpty else {
                    throw APIError.invalid("tools[\(i)]: a function tool needs 'function.name'", param: "tools", knobs: knobs)
                }
                return (name, function["parameters"] ?? ["type": "object", "properties": [:]])
            case "custom" where knobs.requestRules == .openai:
                guard let name = tool["custom"]?["name"]?.stringValue, !name.isEmpty else {
                    throw APIError(400, "Missing required parameter: 'tools[\(i)].custom.name'.", code: "missing_required_parameter",
                                   param: "tools[\(i)].custom.name")
                }
                return nil
            case let type:
                if knobs.requestRules == .openai {
                    throw APIError(400, "Invalid value: '\(type)'. Supported values are: 'function' and 'custom'.",
                                   code: "invalid_value", param: "tools[\(i)].type")
                }
                throw APIError.refused("tools", "tools[\(i)]: tools of type '\(type)' are not supported; only 'function' tools are.",
                                       knobs: knobs)
            }
        }
    }

    /// The mode `tool_choice` asks for, and the tools it allows (nil: all).
    private func requestedMode(hasTools: Bool) throws -> (mode: Mode, allowed: Set<String>?) {
        switch body["tool_choice"] {
        case nil, .null?:
            return (hasTools ? .auto : .none, nil)
        case .string(let s)?:
            switch s {
            case "auto": return (.auto, nil)
            case "none": return (.none, nil)
            case "required", "any": return (hasTools ? .required : .none, nil)
            default:
                throw APIError.refused("tool_choice", "Invalid value for 'tool_choice': '\(s)'.", knobs: knobs)
            }
        case .object(let o)? where o["type"]?.stringValue == "allowed_tools":
            guard knobs.requestRules == .openai else {
                throw APIError.refused("tool_choice", "tool_choice of type 'allowed_tools' is not supported.", knobs: knobs)
            }
            let spec = o["allowed_tools"]
            let names = (spec?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue ?? $0["name"]?.stringValue }
            switch spec?["mode"]?.stringValue {
            case "auto"?: return (.auto, Set(names))
            case "required"?: return (hasTools ? .required : .none, Set(names))
            default:
                throw APIError(400, "Invalid value for 'tool_choice.allowed_tools.mode': expected 'auto' or 'required'.",
                               code: "invalid_value", param: "tool_choice.allowed_tools.mode")
            }
        case .object(let o)?:
            guard let name = o["function"]?["name"]?.stringValue ?? o["name"]?.stringValue else {
                throw APIError.refused("tool_choice", "'tool_choice' must name a function.", knobs: knobs)
            }
            return (.named(name), nil)
        default:
            throw APIError.refused("tool_choice", "Invalid 'tool_choice'.", knobs: knobs)
        }
    }

    private var lastUserText: String {
        FakeModel.text(of: messages.last { $0["role"]?.stringValue == "user" }?["content"])
    }

    /// Whether `text` contains `name` as a whole word (case-insensitive; letters, digits and
    /// `_` are word characters).
    static func mentions(_ text: String, _ name: String) -> Bool {
        let haystack = Array(text.lowercased().unicodeScalars)
        let needle = Array(name.lowercased().unicodeScalars)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isWordChar(_ c: Unicode.Scalar) -> Bool { c == "_" || CharacterSet.alphanumerics.contains(c) }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            let beforeOK = start == 0 || !isWordChar(haystack[start - 1])
            let end = start + needle.count
            let afterOK = end == haystack.count || !isWordChar(haystack[end])
            if beforeOK && afterOK { return true }
        }
        return false
    }
}
