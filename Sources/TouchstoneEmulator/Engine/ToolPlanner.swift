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
        let tools = try definitions()
        var mode = try requestedMode(hasTools: !tools.isEmpty)
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

    private func definitions() throws -> [(name: String, parameters: JSONValue)] {
        guard let tools = body["tools"]?.arrayValue else { return [] }
        return try tools.enumerated().map { i, tool in
            guard let function = tool["function"], let name = function["name"]?.stringValue, !name.isEmpty else {
                throw APIError.invalid("tools[\(i)]: a function tool needs 'function.name'", param: "tools", knobs: knobs)
            }
            return (name, function["parameters"] ?? ["type": "object", "properties": [:]])
        }
    }

    private func requestedMode(hasTools: Bool) throws -> Mode {
        switch body["tool_choice"] {
        case nil, .null?:
            return hasTools ? .auto : .none
        case .string(let s)?:
            switch s {
            case "auto": return .auto
            case "none": return .none
            case "required", "any": return hasTools ? .required : .none
            default:
                throw APIError.refused("tool_choice", "Invalid value for 'tool_choice': '\(s)'.", knobs: knobs)
            }
        case .object(let o)?:
            guard let name = o["function"]?["name"]?.stringValue ?? o["name"]?.stringValue else {
                throw APIError.refused("tool_choice", "'tool_choice' must name a function.", knobs: knobs)
            }
            return .named(name)
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
