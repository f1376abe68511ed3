/// `${VAR}` and `${VAR:-default}` in configuration values, taken from the environment.
///
/// - `${VAR}`: the variable's value; an unset variable is an error.
/// - `${VAR:-default}`: the default when the variable is unset or empty (as in a shell).
/// - `$$`: a literal `$`. A `$` followed by anything else is kept as written.
///
/// Expansion happens on parsed scalar values, never on the YAML text, so a variable's value
/// cannot change the structure of the file.
public struct VariableExpansion: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    /// What expanding one value gave: the text and the variables it read.
    public struct Result: Sendable, Equatable {
        public var text: String
        /// Variables whose value (not a default) went into `text`.
        public var variables: [String]
        /// The values of those variables whose names say they hold credentials (`looksSecret`).
        public var secretValues: [String] = []
    }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unset(String)
        case badName(String)
        case unterminated

        public var description: String {
            switch self {
            case .unset(let v):
                "environment variable `\(v)` is not set; export it, or write `${\(v):-default}` to give a default"
            case .badName(let v):
                "`${\(v)}` is not a variable name: use letters, digits and `_`, not starting with a digit (write `$$` for a literal `$`)"
            case .unterminated:
                "`${` without a closing `}` (write `$$` for a literal `$`)"
            }
        }
    }

    public func expand(_ text: String) throws(Problem) -> Result {
        guard text.contains("$") else { return Result(text: text, variables: []) }
        var out = ""
        var used: [String] = []
        var secrets: [String] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            guard c == "$", next < text.endIndex else {
                out.append(c)
                i = next
                continue
            }
            if text[next] == "$" {
                out.append("$")
                i = text.index(after: next)
                continue
            }
            guard text[next] == "{" else {
                out.append(c)
                i = next
                continue
            }
            let bodyStart = text.index(after: next)
            guard let close = text[bodyStart...].firstIndex(of: "}") else { throw .unterminated }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let r = body.range(of: ":-") {
                name = body[..<r.lowerBound]
                fallback = body[r.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard VariableExpansion.isName(name) else { throw .badName(String(body)) }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                out += value
                used.append(String(name))
                if VariableExpansion.looksSecret(String(name)) { secrets.append(value) }
            } else if let fallback {
                out += fallback
            } else {
                throw .unset(String(name))
            }
            i = text.index(after: close)
        }
        return Result(text: out, variables: used, secretValues: secrets)
    }

    public static func isName(_ s: Substring) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// Whether a variable's name says it holds a credential (`*KEY*`, `*TOKEN*`, `*SECRET*`,
    /// `*PASSWORD*`, `*PASSWD*`, `*CREDENTIAL*`): its value is redacted wherever it is used.
    public static func looksSecret(_ name: String) -> Bool {
        let n = name.uppercased()
        return ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"].contains { n.contains($0) }
    }
}
