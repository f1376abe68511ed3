import Foundation
import TouchstoneCore

/// The deterministic stand-in "model": one fixed answer, one token per whitespace-separated
/// word. Token caps cut words, stop strings cut before their first occurrence.
enum FakeModel {
    /// What the model says to every prompt (19 tokens).
    static let sentence =
        "Hello! I am the Touchstone emulator, a deterministic stand-in model, and I answer every prompt with this same sentence."
    /// The reasoning text, when a request asks for reasoning.
    static let reasoning = "The user wrote a prompt; I reply with my one fixed sentence."
    /// The answer under `response_format: json_object` (4 tokens, so a cap can cut it).
    static let jsonObjectAnswer: JSONValue = ["answer": "hello", "source": "touchstone-emulator"]
    /// What a server that only tries to follow a json_schema produces.
    static let bestEffortAnswer: JSONValue = ["answer": "hello"]

    enum Finish: String {
        case stop, length
    }

    /// The number of tokens (whitespace-separated words) in a text.
    static func tokens(in text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count
    }

    /// The stream pieces of a text: each word with the whitespace before it, so that the
    /// pieces join back to the text. Trailing whitespace is a piece of its own.
    static func pieces(of text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inWord = false
        for ch in text {
            if ch.isWhitespace {
                if inWord {
                    result.append(current)
                    current = ""
                    inWord = false
                }
                current.append(ch)
            } else {
                inWord = true
                current.append(ch)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// `full` generated under a token cap and stop strings.
    static func generate(_ full: String, cap: Int?, stops: [String]) -> (text: String, finish: Finish) {
        let allPieces = pieces(of: full)
        var kept = allPieces
        var finish = Finish.stop
        if let cap, cap < tokens(in: full) {
            // Keep `cap` words (a whitespace-only piece is no token).
            var words = 0
            kept = []
            for piece in allPieces {
                let isWord = piece.contains { !$0.isWhitespace }
                if isWord {
                    if words == cap { break }
                    words += 1
                }
                kept.append(piece)
            }
            finish = .length
        }
        let text = kept.joined()
        // Generation stops as soon as a stop string is complete, if that happens within the cap.
        let fullUTF8 = Array(full.utf8)
        var cut: (start: Int, end: Int)?
        for stop in stops where !stop.isEmpty {
            guard let r = full.range(of: stop) else { continue }
            let start = full.utf8.distance(from: full.startIndex, to: r.lowerBound)
            let end = full.utf8.distance(from: full.startIndex, to: r.upperBound)
            if end <= text.utf8.count, cut == nil || end < cut!.end { cut = (start, end) }
        }
        if let cut {
            return (String(decoding: fullUTF8[..<cut.start], as: UTF8.self), .stop)
        }
        return (text, finish)
    }

    /// JSON on one line with a space after each `:` and `,`, so a token cap can cut it into
    /// words while every prefix stays a prefix of the JSON text.
    static func spacedJSON(_ value: JSONValue) -> String {
        switch value {
        case .object(let o):
            let members = o.keys.sorted().map { "\(JSONValue.string($0).serialized()): \(spacedJSON(o[$0]!))" }
            return "{" + members.joined(separator: ", ") + "}"
        case .array(let a):
            return "[" + a.map(spacedJSON).joined(separator: ", ") + "]"
        default:
            return value.serialized()
        }
    }

    /// `logprobs.content` entries for stream pieces, each with `top` alternatives.
    static func logprobs(for pieces: [String], top: Int) -> [JSONValue] {
        pieces.enumerated().map { i, piece in
            let chosen = -0.001 * Double(i + 1)
            var alternatives: [JSONValue] = []
            if top > 0 {
                alternatives.append(entry(piece, chosen))
                for k in 1..<top {
                    alternatives.append(entry(" alt\(k)", chosen - 2.5 * Double(k)))
                }
            }
            var e = entry(piece, chosen)
            if case .object(var o) = e {
                o["top_logprobs"] = .array(alternatives)
                e = .object(o)
            }
            return e
        }
    }

    private static func entry(_ token: String, _ logprob: Double) -> JSONValue {
        ["token": .string(token), "logprob": .double(logprob), "bytes": .array(token.utf8.map { .int(Int($0)) })]
    }

    /// The words of every text a set of chat messages carries (prompt token count).
    static func promptTokens(_ messages: [JSONValue]) -> Int {
        messages.reduce(0) { $0 + tokens(in: text(of: $1["content"])) }
    }

    /// The text of a message `content`: a string, or the `text` of its text parts.
    static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let s): s
        case .array(let parts): parts.compactMap { $0["text"]?.stringValue }.joined(separator: " ")
        default: ""
        }
    }

    /// A fresh id: `prefix` + `length` alphanumerics.
    static func id(_ prefix: String, length: Int = 24) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var rng = SystemRandomNumberGenerator()
        return prefix + String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}
