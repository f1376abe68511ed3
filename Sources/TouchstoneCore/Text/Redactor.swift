import Foundation

/// Replaces every known secret in a string — in plain, JSON-escaped, URL-encoded and base64
/// forms — with `[REDACTED]`. Every string that leaves the engine passes through one.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"
    /// Secrets shorter than this are not redacted: they would mask ordinary text.
    public static let minimumLength = 4

    private let needles: [String]

    public init(secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets where secret.count >= Redactor.minimumLength {
            forms.insert(secret)
            forms.insert(Redactor.jsonEscaped(secret))
            if let url = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                forms.insert(url)
            }
            if let url = secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) {
                forms.insert(url)
            }
            let b64 = Data(secret.utf8).base64EncodedString()
            forms.insert(b64)
            // Without padding, as it appears inside longer base64 (e.g. Basic auth "user:key").
            forms.insert(b64.trimmingCharacters(in: CharacterSet(charactersIn: "=")))
            // "Bearer key" and "user:key" encodings seen in Authorization headers.
            forms.insert(Data(":\(secret)".utf8).base64EncodedString().trimmingCharacters(in: CharacterSet(charactersIn: "=")))
        }
        // Longest first, so a longer form is masked before a shorter one inside it.
        needles = forms.filter { $0.count >= Redactor.minimumLength }.sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { needles.isEmpty }

    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        var out = text
        for needle in needles where out.contains(needle) {
            out = out.replacingOccurrences(of: needle, with: Redactor.mask)
        }
        return out
    }

    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
