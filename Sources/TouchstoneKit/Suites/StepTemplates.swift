/// Every step's request template by the name `extends:` uses (`CASE/STEP`, the step's first
/// variant), built once for a set of cases.
public struct StepTemplates: Sendable {
    public let byName: [String: RequestTemplate]

    public init(_ cases: [Case]) {
        var byName: [String: RequestTemplate] = [:]
        for c in cases {
            for s in c.steps { if let v = s.variants.first { byName["\(c.id)/\(s.id)"] = v.request } }
        }
        self.byName = byName
    }

    public subscript(name: String) -> RequestTemplate? { byName[name] }

    /// The templates `t` extends, nearest first, at most `RequestBuilder.maxExtendsDepth` of
    /// them (the loader rejects longer chains and cycles).
    public func bases(of t: RequestTemplate) -> [RequestTemplate] {
        var out: [RequestTemplate] = []
        var next = t.extends
        while let name = next, out.count < RequestBuilder.maxExtendsDepth, let base = byName[name] {
            out.append(base)
            next = base.extends
        }
        return out
    }
}
