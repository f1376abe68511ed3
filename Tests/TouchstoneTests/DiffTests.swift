import Foundation
import Testing
import TouchstoneCore
@testable import TouchstoneReports

/// `ReportDiff`: what changed between two reports, and whether it is a regression.
@Suite("Diff")
struct DiffTests {
    @Test func aReportHasNoChangeAgainstItself() async throws {
        let r = try await EmulatorReports.report(["reference", "ollama"])
        let diff = ReportDiff.compare(old: r, new: r)
        #expect(diff.isEmpty && !diff.hasRegression)
        #expect(diff.text().hasSuffix("no change\n"))
    }

    @Test func aServerThatLostFeaturesIsARegression() async throws {
        // "The new server version": reference before, ollama after, under the same name.
        let before = try await EmulatorReports.report(["reference"])
        var after = try await EmulatorReports.report(["ollama"])
        after.targets[0].name = "reference"
        let diff = ReportDiff.compare(old: before, new: after)
        #expect(diff.hasRegression)
        let expected = before.targets[0].features.keys.filter { id in
            (after.targets[0].features[id]?.verdict.rank ?? -1) < before.targets[0].features[id]!.verdict.rank
        }
        #expect(Set(diff.regressions.map(\.feature)) == Set(expected))
        #expect(diff.regressions.contains { $0.feature == "chat.n" && $0.old == .supported && $0.new == .ignored })
        // And back again: only improvements, no regression.
        let back = ReportDiff.compare(old: after, new: before)
        #expect(!back.hasRegression && back.features.allSatisfy { $0.kind == .improvement })
        #expect(back.features.count == diff.features.count)
        #expect(diff.text().contains("REGRESSION") && diff.text().contains("supported → ignored"))
    }

    @Test func missingFeaturesAndTargetsCountAddedOnesDoNot() {
        func r(_ targets: [TargetReport]) -> Report {
            Report(tool: ToolInfo(version: "t"), startedAt: "s", finishedAt: "f", targets: targets)
        }
        func t(_ name: String, _ features: [String: Verdict], quirks: [String: JSONValue] = [:]) -> TargetReport {
            TargetReport(name: name, baseURL: "http://h/v1", model: "m", embeddingModel: nil,
                         features: features.mapValues { FeatureResult(verdict: $0, detail: "why \($0.rawValue)", suite: "s", caseID: "c") },
                         quirks: quirks, stats: TargetStats())
        }
        let old = r([t("a", ["chat.basic": .supported, "chat.n": .ignored], quirks: ["server": "x/1"]), t("gone", ["chat.basic": .supported])])
        let new = r([t("a", ["chat.basic": .supported, "chat.stop": .supported], quirks: ["server": "x/2"]), t("fresh", ["chat.basic": .broken])])
        let diff = ReportDiff.compare(old: old, new: new)
        #expect(diff.features.map(\.kind) == [.added, .missing])  // chat.stop added, chat.n missing (catalogue order)
        #expect(diff.removedTargets == ["gone"] && diff.addedTargets == ["fresh"])
        #expect(diff.quirks == [ReportDiff.QuirkChange(target: "a", key: "server", old: "x/1", new: "x/2")])
        #expect(diff.hasRegression)
        // Added only: no regression.
        let grown = ReportDiff.compare(old: r([t("a", ["chat.basic": .supported])]), new: new)
        #expect(!grown.hasRegression, "\(grown.text())")
        // The JSON form reads back.
        let data = try! JSONEncoder().encode(diff)
        #expect(try! JSONDecoder().decode(ReportDiff.self, from: data) == diff)
        let text = diff.text()
        #expect(text.contains("MISSING") && text.contains("REMOVED target gone") && text.contains("new target fresh"))
        #expect(text.contains("quirk") && text.contains("x/1 → x/2"))
    }

    @Test func hostileStringsStayOnOneLineAndSecretsAreRedacted() {
        let secret = "sk-diff-secret-0123456789"
        func report(_ v: Verdict) -> Report {
            Report(tool: ToolInfo(version: "t"), startedAt: "s", finishedAt: "f", targets: [
                TargetReport(name: "t\u{1B}[31m", baseURL: "http://h/v1", model: nil, embeddingModel: nil,
                             features: ["chat.basic": FeatureResult(verdict: v, detail: "line1\nline2 \(secret)", suite: "s", caseID: "c")],
                             quirks: [:], stats: TargetStats()),
            ])
        }
        let text = ReportDiff.compare(old: report(.supported), new: report(.broken)).text(redactor: Redactor(secrets: [secret]))
        #expect(!text.contains(secret) && text.contains("[REDACTED]"))
        #expect(!text.contains("\u{1B}") && text.contains("\\u001B"))
        #expect(text.contains("line1 line2"))
    }
}
