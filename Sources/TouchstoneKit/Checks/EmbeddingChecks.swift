import Foundation
import TouchstoneCore

enum EmbeddingChecks {
    static let checks: [String: BuiltinCheck] = [
        "embeddings": BuiltinCheck(
            "object list with data[i].embedding non-empty number arrays and data[i].index == i; `rows`: exactly this many; `dimensions`: vectors of this length",
            arguments: ["rows", "dimensions"],
            examples: [
                .pass("1 row(s) of 3 dimensions", vectors(#"[{"object":"embedding","index":0,"embedding":[0.5,-0.25,1]}]"#)),
                .fail("1 row(s), expected 2", vectors(#"[{"object":"embedding","index":0,"embedding":[0.5,-0.25,1]}]"#), args: ["rows": 2]),
                .fail("vectors have 3 dimensions, expected 4", vectors(#"[{"object":"embedding","index":0,"embedding":[0.5,-0.25,1]}]"#),
                      args: ["dimensions": 4]),
                .fail("data[1].index is not 1", vectors(#"[{"index":0,"embedding":[0.5]},{"index":0,"embedding":[0.5]}]"#)),
                .fail("data[0].embedding is string, not an array", vectors(#"[{"index":0,"embedding":"AAAAPwAAgL4="}]"#)),
                .fail("data[0].embedding is not a non-empty array of numbers", vectors(#"[{"index":0,"embedding":[]}]"#)),
                .fail(#"`object` is not "list""#, .json(#"{"data":[{"index":0,"embedding":[0.5]}]}"#, path: "/embeddings")),
            ]
        ) { input in
            guard let body = input.exchange.json else { return .fail("body is not JSON") }
            guard body["object"]?.stringValue == "list" else { return .fail("`object` is not \"list\"") }
            guard let data = body["data"]?.arrayValue, !data.isEmpty else { return .fail("`data` is empty or missing") }
            if let rows = input.int("rows"), data.count != rows {
                return .fail("\(data.count) row(s), expected \(rows)")
            }
            for (i, row) in data.enumerated() {
                guard row["index"]?.intValue == i else { return .fail("data[\(i)].index is not \(i)") }
                guard let v = row["embedding"]?.arrayValue else {
                    return .fail("data[\(i)].embedding is \(row["embedding"]?.typeName ?? "missing"), not an array")
                }
                guard !v.isEmpty, v.allSatisfy({ $0.numberValue != nil }) else {
                    return .fail("data[\(i)].embedding is not a non-empty array of numbers")
                }
                if let d = input.int("dimensions"), v.count != d {
                    return .fail("vectors have \(v.count) dimensions, expected \(d)")
                }
            }
            let dims = data[0]["embedding"]!.arrayValue!.count
            return .pass("\(data.count) row(s) of \(dims) dimensions")
        },
        "embeddings_base64": BuiltinCheck(
            "data[0].embedding is base64 of little-endian float32 equal (1e-5) to the `float_step` vector",
            arguments: ["float_step"], required: ["float_step"],
            examples: [
                .pass("2 float32 values equal to the float result", vectors(#"[{"index":0,"embedding":"AAAAPwAAgL4="}]"#),
                      args: ["float_step": "float"], steps: ["float": vectors(#"[{"index":0,"embedding":[0.5,-0.25]}]"#)]),
                .fail("value 1 differs: -0.25 vs 0.25", vectors(#"[{"index":0,"embedding":"AAAAPwAAgL4="}]"#),
                      args: ["float_step": "float"], steps: ["float": vectors(#"[{"index":0,"embedding":[0.5,0.25]}]"#)]),
                .fail("base64 holds 2 floats, the float result has 1", vectors(#"[{"index":0,"embedding":"AAAAPwAAgL4="}]"#),
                      args: ["float_step": "float"], steps: ["float": vectors(#"[{"index":0,"embedding":[0.5]}]"#)]),
                .fail("data[0].embedding is not a string", vectors(#"[{"index":0,"embedding":[0.5,-0.25]}]"#),
                      args: ["float_step": "float"], steps: ["float": vectors(#"[{"index":0,"embedding":[0.5,-0.25]}]"#)]),
                .fail("data[0].embedding is not base64 of float32 values", vectors(#"[{"index":0,"embedding":"AAAA"}]"#),
                      args: ["float_step": "float"], steps: ["float": vectors(#"[{"index":0,"embedding":[0.5,-0.25]}]"#)]),
                .fail("no float vector to compare with", vectors(#"[{"index":0,"embedding":"AAAAPwAAgL4="}]"#), args: ["float_step": "float"]),
            ]
        ) { input in
            guard let b64 = input.exchange.json?["data"]?[0]?["embedding"]?.stringValue else {
                return .fail("data[0].embedding is not a string")
            }
            guard let data = Data(base64Encoded: b64), data.count % 4 == 0, !data.isEmpty else {
                return .fail("data[0].embedding is not base64 of float32 values")
            }
            guard let stepName = input.string("float_step"), let ref = input.step(stepName)?.json?["data"]?[0]?["embedding"]?.arrayValue else {
                return .fail("no float vector to compare with")
            }
            let floats: [Float] = data.withUnsafeBytes { raw in
                stride(from: 0, to: raw.count, by: 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0, as: UInt32.self))) }
            }
            guard floats.count == ref.count else {
                return .fail("base64 holds \(floats.count) floats, the float result has \(ref.count)")
            }
            for (i, (a, b)) in zip(floats, ref).enumerated() {
                guard let y = b.numberValue, abs(Double(a) - y) <= 1e-5 else {
                    return .fail("value \(i) differs: \(a) vs \(b.numberValue ?? .nan)")
                }
            }
            return .pass("\(floats.count) float32 values equal to the float result")
        },
    ]

    /// An embeddings answer with these rows (JSON text), for the examples.
    static func vectors(_ rows: String) -> ExchangeFixture {
        .json(#"{"object":"list","model":"e","data":\#(rows)}"#, path: "/embeddings")
    }
}
