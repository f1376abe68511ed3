import CYaml

/// Finds a mapping key that is not a plain scalar (an alias, a list, a mapping) by walking
/// libyaml's events, before anything is composed. Yams checks a mapping's keys for duplicates
/// by hashing them whole, so a key that names an aliased "billion laughs" node costs time
/// exponential in the file's size (a 550-byte file took 22 s) before `YAMLBudget` can refuse
/// it. No file Touchstone reads needs such a key.
enum YAMLKeyScan {
    /// The line and column (1-based) of the first key that is not a plain scalar; nil when every
    /// key is one, or when the text does not parse (the composer reports that).
    static func complexKey(in text: String) -> (line: Int, column: Int)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> (line: Int, column: Int)? in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // For each open collection: is it a mapping, and is its next node a key?
            var open: [(mapping: Bool, expectsKey: Bool)] = []
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let type = event.type
                let mark = (line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                yaml_event_delete(&event)
                switch type {
                case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    if let top = open.last, top.mapping {
                        if top.expectsKey && type != YAML_SCALAR_EVENT { return mark }
                        open[open.count - 1].expectsKey.toggle()
                    }
                    if type == YAML_SEQUENCE_START_EVENT { open.append((mapping: false, expectsKey: false)) }
                    if type == YAML_MAPPING_START_EVENT { open.append((mapping: true, expectsKey: true)) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if !open.isEmpty { open.removeLast() }
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            return nil
        }
    }
}
