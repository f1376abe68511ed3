import ArgumentParser
import Foundation

/// Runs the benchmarks and prints every figure beside its target and the alternative.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the benchmarks (all, or those named with --only).")

    @Option(help: "Benchmarks to run, by issue target number (comma-separated, e.g. 1,3). Default: all.")
    var only: String?

    @Option(help: "The release `touchstone` executable.")
    var touchstone: String

    @Option(help: "The Python with the `openai` SDK installed.")
    var python: String

    @Option(help: "The repository root (for suites/ and the Python script).")
    var repo: String

    @Option(help: "Directory for recorded streams and results.")
    var work: String

    @Flag(help: "Smaller sizes, for a quick check of the harness itself (figures are not meaningful).")
    var quick = false

    func validate() throws {
        for path in [touchstone, python] where !FileManager.default.isExecutableFile(atPath: path) {
            throw ValidationError("not an executable: \(path)")
        }
        guard FileManager.default.fileExists(atPath: repo + "/suites") else {
            throw ValidationError("no suites/ under --repo \(repo)")
        }
        if let only {
            for part in only.split(separator: ",") where Int(part).map({ !(1...6).contains($0) }) ?? true {
                throw ValidationError("--only takes target numbers 1–6, got `\(part)`")
            }
        }
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let selected = Set((only ?? "1,2,3,4,5,6").split(separator: ",").compactMap { Int($0) })
        let ctx = BenchContext(me: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
                               touchstone: touchstone, python: python, repo: repo, work: work, quick: quick)
        var results = RunResults(machine: MachineInfo.read(python: python),
                                 startedAt: ISO8601DateFormatter().string(from: Date()),
                                 command: CommandLine.arguments.joined(separator: " "))
        let m = results.machine
        note("machine: \(m.cpu), \(m.cores) cores, \(m.memoryGiB) GiB, Linux \(m.kernel)")
        note("\(m.swift); \(m.curl.split(separator: " ").prefix(2).joined(separator: " ")); \(m.python), openai \(m.openaiSDK)")
        let benches: [(Int, String, (BenchContext) async throws -> BenchOutput)] = [
            (1, "critical path", CriticalPathBench.run),
            (6, "latency figures", LatencyBench.run),
            (2, "many targets", ManyTargetsBench.run),
            (3, "stream parsing", StreamParsingBench.run),
            (4, "per-request overhead", OverheadBench.run),
            (5, "bounded memory", MemoryBench.run),
        ]
        for (n, name, bench) in benches where selected.contains(n) {
            note("[\(n)] \(name)… (load \(LoadAverage.read()))")
            do {
                let out = try await bench(ctx)
                results.figures += out.figures
                for (k, v) in out.details { results.details[k] = v }
                for line in out.details.sorted(by: { $0.key < $1.key }).flatMap({ k, v in v.map { "    \(k): \($0)" } }) {
                    note(line)
                }
            } catch {
                note("[\(n)] \(name) failed: \(error)")
                results.figures.append(Figure(target: n, name: name, goal: "-", measured: "failed", alternative: "-",
                                              ratio: "-", met: false, note: "\(error)", load: "\(LoadAverage.read())"))
            }
        }
        results.figures.sort { $0.target < $1.target }
        print("")
        print(Table.text(results.figures))
        for f in results.figures where !f.note.isEmpty { print("[\(f.target)] \(f.name): \(f.note)") }
        let stamp = results.startedAt.replacingOccurrences(of: ":", with: "")
        let jsonPath = "\(work)/results-\(stamp).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: URL(fileURLWithPath: jsonPath))
        try Table.markdown(results.figures).write(toFile: "\(work)/results-\(stamp).md", atomically: true, encoding: .utf8)
        note("results: \(jsonPath)")
    }
}

/// What every benchmark needs.
struct BenchContext: Sendable {
    /// This executable (for helper processes).
    var me: String
    var touchstone: String
    var python: String
    var repo: String
    var work: String
    var quick: Bool

    var suites: String { repo + "/suites" }
    var load: String { LoadAverage.read().description }

    func temporaryFile(_ name: String) -> String { "\(work)/tmp-\(UUID().uuidString.prefix(8))-\(name)" }
}

struct BenchOutput {
    var figures: [Figure] = []
    var details: [String: [String]] = [:]
}

/// Progress on stderr (the table goes to stdout).
func note(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
