import Foundation
import TouchstoneCore

/// Builds one instance of a JSON Schema, the way constrained decoding would: `const`, then the
/// first `enum` value, then the first branch of `anyOf`/`oneOf`, then a value of the (first
/// non-null) type honouring the usual bounds. Objects get their required properties, or every
/// declared property when none is required, and nothing else (so `additionalProperties: false`
/// holds). `$ref` to `#/…` pointers is followed. `pattern` is not solved.
enum SchemaInstance {
    static func generate(_ schema: JSONValue) -> JSONValue {
        generate(schema, root: schema, depth: 0)
    }

    private static func generate(_ schema: JSONValue, root: JSONValue, depth: Int) -> JSONValue {
        guard depth < 32 else { return .null }
        if case .bool(let allowed) = schema { return allowed ? "hello" : .null }
        guard var s = schema.objectValue else { return .null }

        if let ref = s["$ref"]?.stringValue, let target = resolve(ref, in: root) {
            return generate(target, root: root, depth: depth + 1)
        }
        if let value = s["const"] { return value }
        if let first = s["enum"]?.arrayValue?.first { return first }
        if let parts = s["allOf"]?.arrayValue {
            s = merge(parts.compactMap { resolved($0, root: root).objectValue } + [s])
        }
        for key in ["anyOf", "oneOf"] {
            if let branches = s[key]?.arrayValue, !branches.isEmpty {
                let nonNull = branches.first { $0["type"]?.stringValue != "null" } ?? branches[0]
                return generate(nonNull, root: root, depth: depth + 1)
            }
        }

        switch type(of: s) {
        case "object":
            let properties = s["properties"]?.objectValue ?? [:]
            let required = s["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let keys = required.isEmpty ? properties.keys.sorted() : required
            var out: [String: JSONValue] = [:]
            for key in keys {
                out[key] = properties[key].map { generate($0, root: root, depth: depth + 1) } ?? "hello"
            }
            return .object(out)
        case "array":
            let prefix = s["prefixItems"]?.arrayValue ?? []
            let count = max(s["minItems"]?.intValue ?? 0, prefix.count)
            return .array((0..<count).map { i in
                let item = i < prefix.count ? prefix[i] : (s["items"] ?? .object([:]))
                return generate(item, root: root, depth: depth + 1)
            })
        case "string":
            return .string(string(for: s))
        case "integer":
            return .int(Int(number(for: s, integer: true)))
        case "number":
            let n = number(for: s, integer: false)
            return n.rounded() == n && abs(n) < 1e15 ? .int(Int(n)) : .double(n)
        case "boolean":
            return .bool(true)
        case "null":
            return .null
        default:
            return "hello"
        }
    }

    private static func type(of s: [String: JSONValue]) -> String {
        switch s["type"] {
        case .string(let t): return t
        case .array(let types):
            let names = types.compactMap(\.stringValue)
            return names.first { $0 != "null" } ?? names.first ?? "string"
        default:
            if s["properties"] != nil || s["required"] != nil { return "object" }
            if s["items"] != nil || s["prefixItems"] != nil { return "array" }
            return "string"
        }
    }

    private static func string(for s: [String: JSONValue]) -> String {
        var value: String
        switch s["format"]?.stringValue {
        case "date-time": value = "2025-01-01T00:00:00Z"
        case "date": value = "2025-01-01"
        case "time": value = "00:00:00Z"
        case "email": value = "emulator@example.com"
        case "uri", "url": value = "https://example.com/"
        case "uuid": value = "00000000-0000-4000-8000-000000000000"
        case "ipv4": value = "127.0.0.1"
        default: value = "hello"
        }
        if let min = s["minLength"]?.intValue, value.unicodeScalars.count < min {
            value += String(repeating: "x", count: min - value.unicodeScalars.count)
        }
        if let max = s["maxLength"]?.intValue, value.unicodeScalars.count > max {
            value = String(String.UnicodeScalarView(value.unicodeScalars.prefix(max)))
        }
        return value
    }

    private static func number(for s: [String: JSONValue], integer: Bool) -> Double {
        var value = 0.0
        if let min = s["minimum"]?.numberValue { value = Swift.max(value, min) }
        if let exclusive = s["exclusiveMinimum"]?.numberValue, value <= exclusive {
            value = integer ? exclusive.rounded(.down) + 1 : exclusive + 0.5
        }
        if let max = s["maximum"]?.numberValue, value > max { value = max }
        if let exclusive = s["exclusiveMaximum"]?.numberValue, value >= exclusive {
            value = integer ? exclusive.rounded(.up) - 1 : exclusive - 0.5
        }
        if let step = s["multipleOf"]?.numberValue, step > 0 {
            value = (value / step).rounded(.up) * step
        }
        return integer ? value.rounded(.up) : value
    }

    private static func resolved(_ schema: JSONValue, root: JSONValue) -> JSONValue {
        if let ref = schema["$ref"]?.stringValue, let target = resolve(ref, in: root) { return target }
        return schema
    }

    /// Merges `allOf` parts: properties and required lists are unioned, other keywords kept from
    /// the last part that has them.
    private static func merge(_ parts: [[String: JSONValue]]) -> [String: JSONValue] {
        var merged: [String: JSONValue] = [:]
        var properties: [String: JSONValue] = [:]
        var required: [String] = []
        for part in parts {
            for (k, v) in part where k != "allOf" && k != "properties" && k != "required" { merged[k] = v }
            properties.merge(part["properties"]?.objectValue ?? [:]) { _, new in new }
            for name in part["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !required.contains(name) {
                required.append(name)
            }
        }
        if !properties.isEmpty { merged["properties"] = .object(properties) }
        if !required.isEmpty { merged["required"] = .array(required.map(JSONValue.string)) }
        return merged
    }

    /// Resolves `#`, `#/$defs/x`, `#/definitions/x` and other JSON pointers in the root.
    private static func resolve(_ ref: String, in root: JSONValue) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = root
        for raw in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let next = node[token] {
                node = next
            } else if let i = Int(token), let next = node[i] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }
}
