/// Which cases wait for which features: prerequisites, features named in conditions, and
/// `after:` globs. Cycles are rejected when suites load.
struct DependencyGraph: Sendable {
    let cases: [Case]
    private let byFeature: [String: Case]

    init(cases: [Case]) {
        self.cases = cases
        var m: [String: Case] = [:]
        for c in cases { if let f = c.feature { m[f] = c } }
        byFeature = m
    }

    /// Features a case must know before it runs.
    func dependencies(of c: Case, universe: Set<String>) -> [String] {
        var deps = Set(c.requires + c.requiresAny + c.referencedFeatures)
        if let f = c.feature { deps.remove(f) }
        return deps.filter { universe.contains($0) }.sorted()
    }

    /// Cases a case waits for because of its `after:` globs (matched on feature or case id).
    /// A case never waits for cases that have `after:` themselves, so `after: ["*"]` is safe.
    func afterCases(of c: Case) -> [String] {
        guard !c.after.isEmpty else { return [] }
        return cases.filter { other in
            other.id != c.id && other.after.isEmpty
                && c.after.contains { pattern in
                    Glob.matches(pattern, other.id) || other.feature.map { Glob.matches(pattern, $0) } == true
                }
        }.map(\.id)
    }

    /// Strong prerequisites only (for selecting what `--features` must also run).
    func prerequisites(of c: Case) -> [String] { c.requires + c.requiresAny + c.referencedFeatures }

    /// A cycle as a list of feature ids, if any.
    func cycle() -> [String]? {
        let universe = Set(byFeature.keys)
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ f: String) -> [String]? {
            if state[f] == 2 { return nil }
            if state[f] == 1 {
                let start = stack.firstIndex(of: f) ?? 0
                return Array(stack[start...]) + [f]
            }
            state[f] = 1
            stack.append(f)
            if let c = byFeature[f] {
                for d in dependencies(of: c, universe: universe) {
                    if let found = visit(d) { return found }
                }
            }
            stack.removeLast()
            state[f] = 2
            return nil
        }
        for f in universe.sorted() {
            if let found = visit(f) { return found }
        }
        return nil
    }
}

/// `*` matches any run of characters (including dots); everything else is literal.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
