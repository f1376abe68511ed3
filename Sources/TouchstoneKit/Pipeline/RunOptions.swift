import TouchstoneCore
import TouchstoneReports

/// Everything a run is told besides its targets: how to probe, what to write, when to fail.
public struct RunOptions: Sendable {
    /// Per-target defaults (jobs, timeout, `--features`, `--skip`); a target's own settings win.
    public var probe: ProbeOptions
    /// Requests in flight at once across all targets.
    public var maxInFlight: Int
    /// A directory of suite files added to the built-in suites, or replacing them.
    public var suitesDirectory: String?
    public var onlySuites: Bool
    /// TLS verification off for every target that does not say otherwise.
    public var insecure: Bool
    /// Seconds the whole run may take.
    public var deadline: Double?
    /// Report paths by option (`--json` → `report.json`).
    public var outputs: [String: String]
    /// An expectations file, or a previous JSON report whose verdicts are the minimum.
    public var expect: String?
    public var baseline: String?
    /// Verdicts that fail the run by themselves.
    public var failOn: Set<Verdict>
    /// The part of the targets this process probes, recorded in the report.
    public var shard: Shard?
    /// Targets in the report by name (`run`, as `merge` orders them) instead of as given.
    public var sortByName: Bool
    public var markdown: ReportSource.MarkdownStyle

    public init(probe: ProbeOptions = ProbeOptions(), maxInFlight: Int = RunScheduler.defaultMaxInFlight,
                suitesDirectory: String? = nil, onlySuites: Bool = false, insecure: Bool = false,
                deadline: Double? = nil, outputs: [String: String] = [:], expect: String? = nil,
                baseline: String? = nil, failOn: Set<Verdict> = [.ignored, .broken], shard: Shard? = nil,
                sortByName: Bool = false, markdown: ReportSource.MarkdownStyle = .table) {
        self.probe = probe
        self.maxInFlight = maxInFlight
        self.suitesDirectory = suitesDirectory
        self.onlySuites = onlySuites
        self.insecure = insecure
        self.deadline = deadline
        self.outputs = outputs
        self.expect = expect
        self.baseline = baseline
        self.failOn = failOn
        self.shard = shard
        self.sortByName = sortByName
        self.markdown = markdown
    }
}
