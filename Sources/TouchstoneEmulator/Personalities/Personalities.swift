import TouchstoneCore

/// The built-in personalities: the files of `personalities/`, compiled in by
/// scripts/embed-suites.py (`Personalities.files`) and read once, at first use.
public enum Personalities {
    /// The feature ids of features.md (the catalogue TouchstoneCore keeps), for the emulator's
    /// own checks.
    public static let featureIDs: [String] = FeatureCatalog.ids

    /// Every built-in personality: the reference ones first, then by name. A file that does not
    /// read is a programmer error (EmulatorTests reads each one and names the problem).
    static let catalog: [Personality] = {
        do {
            return try PersonalityFile.load(files).sorted {
                ($0.name.hasPrefix("reference") ? 0 : 1, $0.name) < ($1.name.hasPrefix("reference") ? 0 : 1, $1.name)
            }
        } catch {
            fatalError("built-in personalities: \(error)")
        }
    }()

    /// The working upstreams (`--emulate all`). The fault personalities are in `faults`.
    public static let all: [Personality] = catalog.filter { $0.fault == nil }

    /// The `fault-…` personalities: a working upstream with one `Fault` injected. Not in `all`,
    /// so that `--emulate all` stays a matrix of working upstreams.
    public static let faults: [Personality] = catalog.filter { $0.fault != nil }

    /// A personality of `all` or of `faults` by name.
    public static func named(_ name: String) -> Personality? {
        catalog.first { $0.name == name }
    }
}
