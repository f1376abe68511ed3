/// Checks feature patterns a user typed (`--features`, `--skip`, a targets file's
/// `features:`/`skip:`, an expectations file's feature keys) against the features the loaded
/// suites declare, so that a typo is a usage error with a suggestion instead of a run that
/// silently probes less, or an expectation that silently never applies.
public enum FeaturePatterns {
    /// One message per pattern that matches no feature and no case id, with the closest
    /// feature (or group glob such as `stream.*`) when one is near.
    public static func unmatched(_ patterns: [String], suites: [Suite], what: String) -> [String] {
        let cases = suites.flatMap(\.cases)
        let names = Set(cases.compactMap(\.feature) + cases.map(\.id))
        let groups = Set(cases.compactMap(\.feature).compactMap { f in f.split(separator: ".").first.map { "\($0).*" } })
        return patterns.filter { p in p != "*" && !names.contains { Glob.matches(p, $0) } }.map { p in
            "\(what) `\(p)` matches no feature\(SuiteLoader.suggestion(p, in: names.union(groups))); see `touchstone suites list`"
        }
    }
}
