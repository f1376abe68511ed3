import Foundation
import TouchstoneHTTP

/// How long a 429 asks the client to wait, read only from what HTTP allows:
/// `Retry-After` as delta-seconds (a non-negative integer) or an HTTP-date (RFC 9110 § 10.2.3),
/// and `retry-after-ms` (OpenAI's) as a non-negative decimal number of milliseconds. Anything
/// else (`-inf`, `nan`, `1e400`, `-5`, `0x10`) is no instruction: the caller keeps its default
/// backoff. The result is always within `0...cap` seconds, so that it converts to a sleep
/// without overflow.
enum RetryAfter {
    /// The delay the headers ask for, in seconds within `0...cap`; nil when they ask for none
    /// that HTTP allows. `now` is the reference for an HTTP-date.
    static func seconds(_ headers: [HTTPHeader], cap: Double, now: Date = Date()) -> Double? {
        let cap = cap.isFinite ? max(0, cap) : 0
        if let ms = headers.value(for: "retry-after-ms").flatMap(decimalMilliseconds) { return min(cap, ms / 1000) }
        if let text = headers.value(for: "retry-after") {
            if let s = deltaSeconds(text) { return min(cap, s) }
            if let date = httpDate(text) { return min(cap, max(0, date.timeIntervalSince(now))) }
        }
        return nil
    }

    /// A sleep of `seconds` (any value) as milliseconds that cannot trap: negative and
    /// non-finite values sleep not at all, and no sleep is longer than a day.
    static func milliseconds(forSleep seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int(min(seconds, 86_400) * 1000)
    }

    /// `1*DIGIT`: digits only; more than fit in a Double is "a very long time".
    static func deltaSeconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return t.utf8.count > 15 ? .greatestFiniteMagnitude : Double(t)
    }

    /// `retry-after-ms`: digits with an optional fraction (`1500`, `250.5`).
    static func decimalMilliseconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, !parts.contains(where: \.isEmpty),
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return nil }
        guard parts[0].utf8.count <= 15, let v = Double(t), v.isFinite else { return .greatestFiniteMagnitude }
        return v
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms a recipient
    /// must accept: RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
    static func httpDate(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.utf8.count <= 40 else { return nil }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = format
            if let d = f.date(from: t.replacingOccurrences(of: "  ", with: " ")) { return d }
        }
        return nil
    }
}
