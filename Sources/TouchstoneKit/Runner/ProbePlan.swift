/// What a probe takes from the suites for one selection of features, computed once and shared
/// by every target probed with that selection (`RunPipeline` keeps one per selection): the
/// cases selected with the prerequisites they need, their dependency graph, what each case
/// waits for, the step templates `extends` names, and the priority each case starts at.
public struct ProbePlan: Sendable {
    /// Cases selected by `--features` / `--skip`, plus the prerequisites they need, in file order.
    public let selected: [Case]
    /// For each selected case id, the selected case ids it waits for before it starts.
    public let waits: [String: [String]]
    /// The features the selected cases decide.
    let universe: Set<String>
    let graph: DependencyGraph
    /// Every step's template by `CASE/STEP`, selected or not (a selected step may extend any).
    let stepTemplates: [String: RequestTemplate]
    /// `.high` or `.medium` for the cases others wait for (`ProbePlan.priorities`).
    let priorities: [String: TaskPriority]

    public init(cases: [Case], include: [String], exclude: [String]) {
        selected = ProbePlan.select(cases, include: include, exclude: exclude)
        universe = Set(selected.compactMap(\.feature))
        graph = DependencyGraph(cases: selected)
        let decider = Dictionary(selected.compactMap { c in c.feature.map { ($0, c.id) } }, uniquingKeysWith: { a, _ in a })
        var waits: [String: [String]] = [:]
        for c in selected {
            let deps = graph.dependencies(of: c, universe: universe).compactMap { decider[$0] }
            waits[c.id] = Array(Set(deps + graph.afterCases(of: c))).sorted()
        }
        self.waits = waits
        let templates = StepTemplates(cases)
        stepTemplates = templates.byName
        priorities = ProbePlan.priorities(selected, waits: waits, templates: templates)
    }

    /// The cases whose feature or id a glob of `include` matches (all when it is empty) and no
    /// glob of `exclude` does, then every case deciding a prerequisite of a chosen one.
    static func select(_ all: [Case], include: [String], exclude: [String]) -> [Case] {
        let graph = DependencyGraph(cases: all)
        func matches(_ c: Case, _ globs: [String]) -> Bool {
            globs.contains { Glob.matches($0, c.feature ?? c.id) || Glob.matches($0, c.id) }
        }
        var chosen = Set(all.filter { c in (include.isEmpty || matches(c, include)) && !matches(c, exclude) }.map(\.id))
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byFeature = Dictionary(all.compactMap { c in c.feature.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
        var frontier = Array(chosen)
        while let id = frontier.popLast() {
            guard let c = byID[id] else { continue }
            for f in graph.prerequisites(of: c) {
                if let dep = byFeature[f], !chosen.contains(dep.id) {
                    chosen.insert(dep.id)
                    frontier.append(dep.id)
                }
            }
        }
        return all.filter { chosen.contains($0.id) }
    }

    /// The task priority of each selected case that others wait for: `.high` for the heads of
    /// the longest chains (at least half the longest, a streamed request counting as three
    /// plain ones), `.medium` for the others; cases nobody waits for are absent (the prober
    /// runs them at `.low`). A limited `--jobs` then spends its slots on the critical path first.
    static func priorities(_ selected: [Case], waits: [String: [String]], templates: StepTemplates) -> [String: TaskPriority] {
        var dependents: [String: [String]] = [:]
        for (c, ws) in waits { for w in ws { dependents[w, default: []].append(c) } }
        // A streamed answer takes several times a plain one (every token is a chunk).
        func streams(_ t: RequestTemplate) -> Bool {
            for u in [t] + templates.bases(of: t) {
                if let v = u.merge?["stream"]?.boolValue ?? u.body?["stream"]?.boolValue { return v }
            }
            return false
        }
        let steps = Dictionary(selected.map { c in
            (c.id, c.steps.map { st in st.variants.first.map { streams($0.request) ? 3 : 1 } ?? 1 }.reduce(0, +))
        }, uniquingKeysWith: { a, _ in a })
        // Cost (plain requests) from the start of a case to the end of the longest chain through it.
        var tail: [String: Int] = [:]
        func tailOf(_ id: String, _ depth: Int) -> Int {
            if let t = tail[id] { return t }
            guard depth < 1024 else { return 0 }  // suites are acyclic; a bound all the same
            let t = (steps[id] ?? 0) + (dependents[id] ?? []).map { tailOf($0, depth + 1) }.reduce(0, max)
            tail[id] = t
            return t
        }
        let longest = selected.map { tailOf($0.id, 0) }.reduce(0, max)
        var out: [String: TaskPriority] = [:]
        for c in selected where !(dependents[c.id] ?? []).isEmpty {
            out[c.id] = 2 * tailOf(c.id, 0) >= longest ? .high : .medium
        }
        return out
    }
}
