import Foundation
import TouchstoneCore
import TouchstoneReports

/// Loads and validates suite files. Every problem is reported with file, line and column
/// before anything is sent; `touchstone suites validate` runs exactly this.
public enum SuiteLoader {
    /// Loads every `*.yaml` / `*.yml` file of a directory (sorted by name) and checks them as a set.
    public static func load(directory: String) throws -> [Suite] {
        var (suites, errors) = try loadEach(directory: directory)
        errors += validateSet(suites)
        if !errors.isEmpty { throw SuiteErrors(errors) }
        return suites
    }

    /// Loads each suite file of a directory on its own: the suites that loaded and the errors
    /// of those that did not. References between files are not checked yet (`validateSet`).
    static func loadEach(directory: String) throws -> ([Suite], [SuiteError]) {
        let url = URL(fileURLWithPath: directory)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: directory, line: 0, column: 0),
                                          message: "suites directory not found")])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        var suites: [Suite] = []
        var errors: [SuiteError] = []
        for file in files {
            let path = url.appendingPathComponent(file).path
            do {
                suites.append(try load(file: path))
            } catch let e as SuiteErrors {
                // The file's well-formed cases still take part in the checks across files, so
                // one pass reports every error (the errors above keep the set from running).
                errors += e.errors
                if let partial = e.partial { suites.append(partial) }
            }
        }
        if suites.isEmpty && errors.isEmpty {
            errors.append(SuiteError(location: SourceLocation(file: directory, line: 0, column: 0),
                                     message: "no suite files (*.yaml) in this directory"))
        }
        return (suites, errors)
    }

    public static func load(file path: String) throws -> Suite {
        let text = try SuiteErrors.readText(path, what: "file")
        return try load(text: text, file: path)
    }

    /// Loads suites from texts (one per file) and checks them as a set, exactly as
    /// `load(directory:)` does with the files of a directory.
    public static func load(sources: [(text: String, file: String)]) throws -> [Suite] {
        var suites: [Suite] = []
        var errors: [SuiteError] = []
        for source in sources {
            do {
                suites.append(try load(text: source.text, file: source.file))
            } catch let e as SuiteErrors {
                errors += e.errors
                if let partial = e.partial { suites.append(partial) }
            }
        }
        errors += validateSet(suites)
        if !errors.isEmpty { throw SuiteErrors(errors) }
        return suites
    }

    /// Loads one suite file's text, checking it on its own (references to other files are
    /// checked by `load(directory:)` and `load(sources:)`).
    public static func load(text: String, file: String) throws -> Suite {
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(text, file: file)
        } catch let e as SuiteError {
            throw SuiteErrors([e])
        }
        guard let root else {
            throw SuiteErrors([SuiteError(location: SourceLocation(file: file, line: 1, column: 1),
                                          message: "empty suite file; expected `suite:` and `cases:`")])
        }
        var reader = SuiteReader(file: file)
        let suite = reader.suite(root)
        if !reader.errors.isEmpty { throw SuiteErrors(reader.errors, partial: suite) }
        return suite!
    }

    /// Checks across files: unique case ids, known references, no prerequisite cycles.
    static func validateSet(_ suites: [Suite]) -> [SuiteError] {
        var errors: [SuiteError] = []
        var byID: [String: Case] = [:]
        var features = Set<String>()
        for c in suites.flatMap(\.cases) {
            if let other = byID[c.id] {
                errors.append(SuiteError(location: c.location,
                                         message: "case `\(c.id)` is declared twice (first at \(other.location))"))
            }
            byID[c.id] = c
            if let f = c.feature { features.insert(f) }
        }
        let all = suites.flatMap(\.cases)
        let stepKeys = Set(all.flatMap { c in c.steps.map { "\(c.id)/\($0.id)" } })
        for c in all {
            for f in c.requires + c.requiresAny + c.referencedFeatures where !features.contains(f) {
                errors.append(SuiteError(location: c.location,
                                         message: "case `\(c.id)` refers to unknown feature `\(f)`\(suggestion(f, in: features))"))
            }
            for step in c.steps {
                for v in step.variants {
                    if let ext = v.request.extends {
                        if ext.split(separator: "/", maxSplits: 1).count != 2 || !stepKeys.contains(ext) {
                            errors.append(SuiteError(location: v.request.location,
                                                     message: "`extends: \(ext)` names no step; write `<case id>/<step id>`"))
                        }
                    }
                }
            }
        }
        errors += SuiteReferences.errors(all)
        if errors.isEmpty, let cycle = SuiteReferences.waitCycle(all) {
            let c = byID[cycle[0]]!
            errors.append(SuiteError(location: c.location, message:
                "prerequisite cycle: \(cycle.joined(separator: " → ")) (through `requires`, `requires_any`, features named in conditions and `after:`); these cases would wait for each other forever, so remove one of the links"))
        }
        return errors
    }

    public static func suggestion(_ word: String, in candidates: some Collection<String>) -> String {
        let best = candidates.min { editDistance(word, $0) < editDistance(word, $1) }
        if let best, editDistance(word, best) <= max(2, word.count / 3) { return "; did you mean `\(best)`?" }
        return ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}

extension Case {
    /// Features named in `feature:` conditions anywhere in the case.
    var referencedFeatures: [String] {
        var out: [String] = []
        func walk(_ c: Condition?) {
            guard let c else { return }
            switch c {
            case .all(let l), .any(let l): l.forEach(walk)
            case .not(let x): walk(x)
            case .feature(let id, _): out.append(id)
            default: break
            }
        }
        for s in steps {
            walk(s.runIf)
            s.variants.forEach { walk($0.condition) }
        }
        verdicts.forEach { walk($0.condition) }
        quirks.forEach { walk($0.condition) }
        return out
    }
}
