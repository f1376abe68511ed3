import ArgumentParser
import Foundation
import TouchstoneCore
import TouchstoneKit

/// Probes several base URLs in one run with the engine, as `touchstone probe` does for one
/// (the CLI takes a single URL). Writes the reports, the wall time and the peak RSS as JSON.
struct ProbeChildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Probe base URLs in one run and write reports + peak RSS (a benchmark helper).")

    @Option(help: "A base URL (repeatable).")
    var url: [String] = []

    @Option var model = "emulator-chat"
    @Option var embeddingModel: String?

    @Option(help: "Environment variable holding the key.")
    var keyEnv: String?

    @Option var jobs = ProbeOptions().jobs
    @Option var timeout = ProbeOptions().timeout
    @Option var maxBodyBytes = ProbeOptions().maxBodyBytes

    @Option(help: "Feature globs (repeatable).")
    var features: [String] = []

    @Option(help: "The suites directory.")
    var suites: String

    @Option(help: "Where to write the JSON result.")
    var out: String

    struct Output: Codable {
        var wallSeconds: Double
        var peakKB: Int
        var reports: [TargetReport]
    }

    func validate() throws {
        guard !url.isEmpty else { throw ValidationError("give at least one --url") }
    }

    func run() async throws {
        let key = keyEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        let loaded = try SuiteLoader.load(directory: suites)
        let targets = try url.enumerated().map { i, u in
            try Target(name: "t\(i)", baseURL: u, model: model, embeddingModel: embeddingModel, apiKey: key)
        }
        let prober = Prober(suites: loaded, options: ProbeOptions(jobs: jobs, timeout: timeout, include: features,
                                                                 maxBodyBytes: maxBodyBytes))
        let started = ContinuousClock.now
        let reports = await withTaskGroup(of: (Int, TargetReport).self) { group in
            for (i, t) in targets.enumerated() { group.addTask { (i, await prober.probe(t)) } }
            var all: [(Int, TargetReport)] = []
            for await r in group { all.append(r) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let d = (ContinuousClock.now - started).components
        let output = Output(wallSeconds: Double(d.seconds) + Double(d.attoseconds) / 1e18,
                            peakKB: ProcStatus.peakKB() ?? 0, reports: reports)
        try JSONEncoder().encode(output).write(to: URL(fileURLWithPath: out))
    }
}
