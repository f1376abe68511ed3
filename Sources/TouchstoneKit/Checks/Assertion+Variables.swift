import TouchstoneCore

extension Assertion {
    /// The assertion with `${name}` in its expected values (`equals`, `not_equals`, `in`,
    /// `contains`) read from `variables` (a step's captures, the target's variables), as request
    /// templates read them: an exact `${name}` keeps the value's JSON type. Patterns, schemas and
    /// bounds are taken as written: a value the upstream sent never becomes a regular expression.
    func substituting(_ variables: [String: JSONValue]) throws(RequestBuilder.MissingVariable) -> Assertion {
        var out = self
        switch op {
        case .equals(let v): out.op = .equals(try RequestBuilder.substitute(v, variables))
        case .notEquals(let v): out.op = .notEquals(try RequestBuilder.substitute(v, variables))
        case .isIn(let list): out.op = .isIn(try list.map { v throws(RequestBuilder.MissingVariable) in try RequestBuilder.substitute(v, variables) })
        case .contains(let v): out.op = .contains(try RequestBuilder.substitute(v, variables))
        default: break
        }
        return out
    }
}
