import Foundation
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneKit

/// Starts an emulator personality on a real socket, probes it with the built-in suites over
/// real libcurl, and stops it.
enum Probing {
    static let suites: [Suite] = {
        do { return try SuiteLoader.load(directory: Paths.suites) } catch { fatalError("built-in suites: \(error)") }
    }()

    static func probe(_ personality: Personality, options: ProbeOptions = ProbeOptions(timeout: 20),
                      withEmbeddings: Bool = true) async throws -> TargetReport {
        let server = EmulatorServer(personality: personality)
        try await server.start()
        defer { Task { await server.stop() } }
        let target = try Target(name: personality.name, baseURL: server.baseURL, model: personality.chatModel,
                                embeddingModel: withEmbeddings ? personality.embeddingModel : nil,
                                apiKey: personality.apiKey)
        let report = await Prober(suites: suites, options: options).probe(target)
        await server.stop()
        return report
    }

    /// "feature: got X, expected Y (detail)" for every disagreement.
    static func mismatches(_ report: TargetReport, _ expected: [String: Verdict]) -> [String] {
        FeatureCatalog.ordered(Set(expected.keys).union(report.features.keys)).compactMap { f in
            let got = report.features[f]?.verdict
            let want = expected[f]
            guard got != want else { return nil }
            return "\(report.name) \(f): got \(got?.rawValue ?? "nothing"), expected \(want?.rawValue ?? "nothing") (\(report.features[f]?.detail ?? ""))"
        }
    }
}
