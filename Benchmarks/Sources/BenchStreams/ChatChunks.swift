import Foundation
import TouchstoneCore

/// Deterministic, real-looking `chat.completion.chunk` SSE events of about 250 bytes each, in
/// the shape OpenAI's API sends them (one word of content per chunk).
public struct ChatChunks {
    private var rng: SplitMix64
    public private(set) var index = 0
    public let id: String
    public static let created = 1_767_225_600
    public static let model = "gpt-4o-mini"

    public init(seed: UInt64 = 0x7057_C4E0) {
        rng = SplitMix64(seed: seed)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var s = "chatcmpl-"
        var r = SplitMix64(seed: seed ^ 0x5eed)
        for _ in 0..<29 { s.append(alphabet[Int(r.next() % UInt64(alphabet.count))]) }
        id = s
    }

    /// Words, some with characters JSON must escape or that take several UTF-8 bytes.
    public static let words = [
        "the", "stream", "harness", "token", "latency", "upstream", "compatible", "response",
        "chunk", "parser", "deterministic", "emulator", "probe", "verdict", "evidence", "quota",
        "naïve", "café", "résumé", "\"quoted\"", "tab\there", "line\nbreak", "emoji 🙂", "日本語",
        "back\\slash", "a", "of", "to", "and", "is", "in", "it",
    ]

    private func head(_ body: String) -> String {
        "data: {\"id\":\"\(id)\",\"object\":\"chat.completion.chunk\",\"created\":\(Self.created),\"model\":\"\(Self.model)\",\"system_fingerprint\":\"fp_b376dfbbd5\",\(body)}\n\n"
    }

    private static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The first event: the assistant role with empty content.
    public mutating func roleEvent() -> [UInt8] {
        index += 1
        return Array(head("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null").utf8)
    }

    /// One content event (one or two words).
    public mutating func contentEvent() -> [UInt8] {
        index += 1
        var text = " " + Self.words[Int(rng.next() % UInt64(Self.words.count))]
        if rng.next() % 3 == 0 { text += " " + Self.words[Int(rng.next() % UInt64(Self.words.count))] }
        return Array(head("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(Self.escape(text))\"},\"logprobs\":null,\"finish_reason\":null}]").utf8)
    }

    public mutating func finishEvent() -> [UInt8] {
        index += 1
        return Array(head("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null").utf8)
    }

    public mutating func usageEvent(completionTokens: Int) -> [UInt8] {
        index += 1
        return Array(head("\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":\(completionTokens),\"total_tokens\":\(completionTokens + 12),\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}").utf8)
    }

    public static let done = Array("data: [DONE]\n\n".utf8)

    /// A whole stream of at least `bytes` bytes: role, content events, finish, usage, `[DONE]`.
    public static func stream(bytes: Int, seed: UInt64 = 0x7057_C4E0) -> (bytes: [UInt8], events: Int) {
        var g = ChatChunks(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 4096)
        out += g.roleEvent()
        var contents = 0
        while out.count < bytes {
            out += g.contentEvent()
            contents += 1
        }
        out += g.finishEvent()
        out += g.usageEvent(completionTokens: contents)
        out += done
        return (out, g.index + 1)
    }
}
