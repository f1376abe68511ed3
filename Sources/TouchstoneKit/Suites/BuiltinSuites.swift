import Foundation

/// The suites compiled into the binary (generated from `suites/` by `scripts/embed-suites.py`),
/// and how a user's own suite folder combines with them. Nothing is read from the current
/// directory implicitly: a copied binary probes with exactly these.
public enum BuiltinSuites {
    /// How error locations name a built-in file.
    public static func label(_ name: String) -> String { "suites/\(name) (built in)" }

    /// The built-in suites, checked as a set.
    public static func load() throws -> [Suite] {
        try SuiteLoader.load(sources: files.map { (text: $0.text, file: label($0.name)) })
    }

    /// The suites a run uses: the built-in ones plus every suite file of `directory`. A user
    /// file whose `suite:` name is a built-in suite's replaces that suite; with `replacing`,
    /// only the directory's suites are used. Every file's errors are reported together.
    public static func load(adding directory: String?, replacing: Bool = false) throws -> [Suite] {
        guard let directory else { return try load() }
        if replacing { return try SuiteLoader.load(directory: directory) }
        var (own, errors) = try SuiteLoader.loadEach(directory: directory)
        let replaced = Set(own.map(\.name))
        let kept = try load().filter { !replaced.contains($0.name) }
        let suites = kept + own
        errors += SuiteLoader.validateSet(suites)
        if !errors.isEmpty { throw SuiteErrors(errors) }
        return suites
    }

    /// The names of the built-in suites a directory's files replace (for a note to the user).
    public static func replacedNames(by suites: [Suite]) -> [String] {
        let builtin = Set(files.compactMap { f in try? SuiteLoader.load(text: f.text, file: label(f.name)).name })
        return suites.filter { builtin.contains($0.name) && !$0.file.hasSuffix("(built in)") }.map(\.name)
    }
}
