import TouchstoneCore

/// The event stream of a Responses answer, as OpenAI sends it: `response.created`,
/// `response.in_progress`, then per output item `response.output_item.added`, its content
/// (`response.content_part.added`, one `response.output_text.delta` per word,
/// `response.output_text.done`, `response.content_part.done` for a message;
/// `response.function_call_arguments.delta`/`.done` for a function call) and
/// `response.output_item.done`, then `response.completed` (or `response.incomplete`). Every
/// event has an `event:` line naming its `type` and an increasing `sequence_number`.
struct ResponsesStream {
    let knobs: Knobs

    func reply(opening: JSONValue, final: JSONValue) -> Reply {
        var events: [[UInt8]] = []
        var sequence = 0
        func emit(_ type: String, _ fields: [String: JSONValue]) {
            var o = fields
            o["type"] = .string(type)
            o["sequence_number"] = .int(sequence)
            sequence += 1
            events.append(Array("event: \(type)\ndata: ".utf8) + JSONValue.object(o).serializedBytes() + Array("\n\n".utf8))
        }
        emit("response.created", ["response": opening])
        emit("response.in_progress", ["response": opening])
        for (index, item) in (final["output"]?.arrayValue ?? []).enumerated() {
            let itemID = item["id"] ?? .null
            let at: [String: JSONValue] = ["output_index": .int(index), "item_id": itemID]
            var started = item.objectValue ?? [:]
            started["status"] = "in_progress"
            if item["type"] == "function_call" {
                started["arguments"] = ""
                emit("response.output_item.added", ["output_index": .int(index), "item": .object(started)])
                let arguments = item["arguments"]?.stringValue ?? ""
                for piece in ChatStream.fragments(of: arguments) {
                    emit("response.function_call_arguments.delta", at.merging(["delta": .string(piece)]) { _, b in b })
                }
                emit("response.function_call_arguments.done",
                     at.merging(["arguments": .string(arguments), "name": item["name"] ?? .null]) { _, b in b })
            } else {
                started["content"] = []
                emit("response.output_item.added", ["output_index": .int(index), "item": .object(started)])
                let text = item["content"]?[0]?["text"]?.stringValue ?? ""
                let part = at.merging(["content_index": 0]) { _, b in b }
                emit("response.content_part.added", part.merging(["part": Responses.outputText("")]) { _, b in b })
                for piece in FakeModel.pieces(of: text) {
                    emit("response.output_text.delta", part.merging(["delta": .string(piece), "logprobs": []]) { _, b in b })
                }
                emit("response.output_text.done", part.merging(["text": .string(text), "logprobs": []]) { _, b in b })
                emit("response.content_part.done", part.merging(["part": Responses.outputText(text)]) { _, b in b })
            }
            emit("response.output_item.done", ["output_index": .int(index), "item": item])
        }
        let closing = final["status"] == "incomplete" ? "response.incomplete" : "response.completed"
        emit(closing, ["response": final])
        if knobs.responsesDoneSentinel == .send { events.append(Array("data: [DONE]\n\n".utf8)) }
        return .stream(status: 200, headers: ChatStream.sseHeaders, events: events)
    }
}
