import Foundation
import TouchstoneCore

extension Knobs {
    /// Why knob overrides do not apply.
    public struct OverrideError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The names of the knobs, as `Knobs` codes them (`pathPrefix`, `maxN`, …).
    public var names: Set<String> { Set(coded.keys) }

    /// These knobs with `overrides` (knob → value, as `Knobs` codes them) applied: a targets
    /// file's `knobs:` and `touchstone emulate --knob` (docs/emulator.md § Knobs).
    public func overriding(_ overrides: [String: JSONValue]) throws(OverrideError) -> Knobs {
        var merged = coded
        for (k, v) in overrides { merged[k] = v }
        do {
            return try JSONDecoder().decode(Knobs.self, from: Data(JSONValue.object(merged).serialized(sortedKeys: true).utf8))
        } catch let DecodingError.dataCorrupted(c) {
            throw OverrideError(description: c.debugDescription)
        } catch {
            throw OverrideError(description: "\(error); see docs/emulator.md § Knobs")
        }
    }

    /// The knobs as a flat object, as they are coded.
    private var coded: [String: JSONValue] {
        ((try? JSONEncoder().encode(self)).flatMap { try? JSONParser.parse(Array($0)) })?.objectValue ?? [:]
    }
}
