import Foundation
import Testing
import TouchstoneCore
import TouchstoneEmulator
@testable import TouchstoneKit

/// docs/features.md is generated from the suites (`touchstone suites docs`): it stays equal to
/// the generator's output, covers every feature of the catalogue, and its links resolve.
@Suite("Feature reference")
struct FeatureReferenceTests {
    static let regenerate = "run `swift run touchstone suites docs --output docs/features.md` (after python3 scripts/embed-suites.py)"

    static func checkedIn() throws -> String {
        try String(contentsOf: Paths.root.appendingPathComponent("docs/features.md"), encoding: .utf8)
    }

    /// Text with every run of white space as one space (the reference re-flows lines).
    static func flatten(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test func checkedInFeaturesMdIsTheGeneratorsOutput() throws {
        let generated = FeatureReference(suites: try BuiltinSuites.load()).markdown()
        let file = try Self.checkedIn()
        if file != generated {
            let a = file.split(separator: "\n", omittingEmptySubsequences: false)
            let b = generated.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("docs/features.md is stale from line \(line + 1) (\(a.count) lines, generated \(b.count)): \(Self.regenerate)")
        }
    }

    @Test func everyCatalogueFeatureHasASectionAndARule() throws {
        let reference = FeatureReference(suites: try BuiltinSuites.load())
        let markdown = reference.markdown()
        let flat = Self.flatten(markdown)
        for id in FeatureCatalog.ids {
            guard let c = reference.testCase(feature: id) else {
                Issue.record("no built-in case decides \(id)")
                continue
            }
            #expect(c.title?.isEmpty == false, "\(id) has no title")
            guard let rule = c.rule else {
                Issue.record("\(id) has no rule")
                continue
            }
            #expect(!rule.sends.isEmpty, "\(id): empty rule.sends")
            for v in Set(c.verdicts.map(\.verdict)) {
                #expect(rule.verdicts[v]?.isEmpty == false, "\(id) can be \(v.rawValue) but its rule does not say when")
            }
            #expect(markdown.contains("\n### `\(id)`\n"), "no section for \(id)")
            #expect(flat.contains(Self.flatten(rule.sends)), "the section of \(id) lacks its rule")
        }
        // The quirk-only cases describe what they record.
        for c in try BuiltinSuites.load().flatMap(\.cases) where c.feature == nil {
            #expect(c.rule?.records?.isEmpty == false, "quirk case \(c.id) has no rule.records")
        }
    }

    @Test func everyQuirkThatCanBeRecordedIsDocumentedAndNoOther() throws {
        let reference = FeatureReference(suites: try BuiltinSuites.load())
        let documented = Set(FeatureReference.documentedQuirks)
        let recorded = Set(reference.quirkRecorders().keys).union(FeatureReference.quirksRecordedElsewhere)
        #expect(recorded.subtracting(documented).isEmpty, "undocumented quirks: \(recorded.subtracting(documented).sorted())")
        #expect(documented.subtracting(recorded).isEmpty, "documented but never recorded: \(documented.subtracting(recorded).sorted())")
        let markdown = reference.markdown()
        for key in documented { #expect(markdown.contains("\n### `\(key)`\n"), "no section for quirk \(key)") }
    }

    /// The quirks of real probes (the emulator over real sockets) are all in the reference.
    @Test func quirksOfRealProbesAreDocumented() async throws {
        let documented = Set(FeatureReference.documentedQuirks)
        for p in [Personalities.llamacpp, Personalities.vllm, Personalities.reference] {
            let report = try await Probing.probe(p)
            #expect(!report.quirks.isEmpty, "\(p.name): no quirk recorded")
            let unknown = Set(report.quirks.keys).subtracting(documented)
            #expect(unknown.isEmpty, "\(p.name) recorded quirks the reference does not describe: \(unknown.sorted())")
        }
    }

    /// Links into docs/features.md from the other docs, and within it, name headings it has.
    @Test func linksToFeatureAnchorsResolve() throws {
        let file = try Self.checkedIn()
        var anchors = Set<String>()
        for line in file.split(separator: "\n") where line.hasPrefix("#") {
            anchors.insert(FeatureReference.anchor(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))
        }
        var links: [(String, String)] = []
        for m in file.matches(of: /\]\(#([^)]+)\)/) { links.append(("docs/features.md", String(m.1))) }
        let docs = try FileManager.default.contentsOfDirectory(atPath: Paths.root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 } + ["README.md"]
        for doc in docs {
            let text = try String(contentsOf: Paths.root.appendingPathComponent(doc), encoding: .utf8)
            for m in text.matches(of: /features\.md#([A-Za-z0-9_\-]+)/) { links.append((doc, String(m.1))) }
        }
        #expect(links.count > 50)
        let broken = links.filter { !anchors.contains($0.1) }.map { "\($0.0) → features.md#\($0.1)" }
        #expect(broken.isEmpty, "links to no heading of docs/features.md: \(broken)")
    }

    @Test func anchorsAreGitHubs() {
        #expect(FeatureReference.anchor("`chat.max_tokens`") == "chatmax_tokens")
        #expect(FeatureReference.anchor("Verdicts that do not depend on the harness") == "verdicts-that-do-not-depend-on-the-harness")
        #expect(FeatureReference.anchor("Tools and tool_choice") == "tools-and-tool_choice")
    }

    @Test func wrappingKeepsCodeSpansWhole() {
        let text = FeatureReference.wrap("aaaa `GET /props` bbbb", width: 8)
        #expect(text == "aaaa\n`GET /props`\nbbbb")
        #expect(FeatureReference.wrap("x", width: 8) == "x")
    }
}
