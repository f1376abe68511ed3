import Foundation
import Subprocess
import Testing
import TouchstoneCore
@testable import TouchstoneReports
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The HTML matrix loaded in a real headless Chromium (Debian's `chromium` package): the
/// rendered DOM has the expected rows, columns and verdicts, colours differ per verdict and
/// every cell also says its verdict in words, hostile evidence stays text, and a screenshot
/// renders. Required when CI=true; without Chromium elsewhere the tests are disabled.
@Suite("HTML matrix in Chromium", .serialized)
struct HTMLMatrixBrowserTests {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment
        if let path = env["TOUCHSTONE_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let dirs = (env["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
    }()

    static let runnable = chromium != nil || isCI
    static let reason: Comment = "Chromium is not installed (apt-get install -y chromium); these tests are required when CI=true"

    struct BrowserFailure: Error, CustomStringConvertible { var description: String }

    /// Runs headless Chromium on a file with a fresh profile; returns stdout.
    static func chromium(_ arguments: [String], page: URL, profile: URL) async throws -> String {
        guard let binary = chromium else {
            throw BrowserFailure(description: "CI=true but Chromium is missing: apt-get install -y chromium (scripts/setup.sh does it under CI)")
        }
        // `timeout` only guards against a wedged browser; nothing is asserted about time.
        let r = try await run(.path(FilePath("/usr/bin/timeout")),
                              arguments: Arguments(["300", binary, "--headless", "--no-sandbox", "--disable-gpu",
                                                    "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                                                    "--user-data-dir=\(profile.path)"] + arguments + [page.absoluteString]),
                              output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
        guard case .exited(0) = r.terminationStatus else {
            throw BrowserFailure(description: "chromium \(r.terminationStatus): \(r.standardError)")
        }
        return r.standardOutput
    }

    /// Five emulator personalities plus a target whose strings try to break the page.
    static func report() async throws -> Report {
        var report = try await EmulatorReports.report(["reference", "ollama", "vllm", "gemini", "misbehaving"])
        let attack = "</script><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
            + "</td></tr></table><!-- \u{1B}[31m NUL\u{0} U+FFFE\u{FFFE} \(String(decoding: [0xC3, 0x28, 0xFF] as [UInt8], as: UTF8.self)) ' \" &amp;"
        var hostile = try await EmulatorReports.shared.target("reference")
        hostile.name = "<b>evil</b>\"'"
        hostile.features["chat.basic"]!.detail = attack
        hostile.features["chat.basic"]!.verdict = .broken
        hostile.features["chat.basic"]!.evidence = [Evidence(step: attack, method: "POST", url: "http://x/\(attack)",
                                                             status: 500, error: nil, elapsedMs: 1, request: attack, response: attack)]
        hostile.quirks["server"] = .string(attack)
        hostile.features.removeValue(forKey: "chat.n")  // one missing cell
        report.targets.append(hostile)
        return report
    }

    static func expectedVerdict(_ report: Report, target: String, feature: String) -> String {
        report.targets.first { $0.name == target }?.features[feature]?.verdict.rawValue ?? "none"
    }

    @Test(.enabled(if: runnable, reason)) func renderedMatrixHasEveryRowColumnAndVerdict() async throws {
        let report = try await Self.report()
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = HTMLMatrixWriter.page(report, redactor: Redactor(secrets: []))

        // 1. The page exactly as written: the parsed DOM has no element the data tried to add.
        let page = dir.appendingPathComponent("matrix.html")
        try Data(html.utf8).write(to: page)
        let dom = try await Self.chromium(["--dump-dom"], page: page, profile: dir.appendingPathComponent("p1"))
        #expect(dom.contains("<table class=\"matrix\" id=\"matrix\">"), "the page loaded: \(dom.prefix(300))")
        #expect(!dom.contains("<script") && !dom.contains("<img"))
        #expect(dom.contains("<title>Touchstone capability matrix</title>"))
        #expect(dom.contains("&lt;/script&gt;&lt;script&gt;document.title="), "the attack is shown as text")

        // 2. A copy with a measuring script (the page itself forbids scripts): the rendered
        //    matrix, cell by cell, with computed colours.
        let measured = html
            .replacingOccurrences(of: "<meta http-equiv=\"Content-Security-Policy\"", with: "<meta name=\"csp-lifted-for-test\"")
            .replacingOccurrences(of: "</body>", with: "<script>\(Self.measure)</script>\n</body>")
        let copy = dir.appendingPathComponent("measured.html")
        try Data(measured.utf8).write(to: copy)
        let out = try await Self.chromium(["--dump-dom"], page: copy, profile: dir.appendingPathComponent("p2"))
        let b64 = try #require(out.firstMatch(of: /<pre id="probe">([A-Za-z0-9+\/=]+)<\/pre>/)?.output.1, "\(out.suffix(500))")
        let m = try JSONDecoder().decode(Measurement.self, from: try #require(Data(base64Encoded: String(b64))))

        #expect(m.title == "Touchstone capability matrix", "no injected script ran")
        #expect(m.scripts == 1 && m.images == 0)
        let ids = MatrixLayout(report).featureIDs
        #expect(m.columns == report.targets.map(\.name))
        #expect(m.rows == ids)
        #expect(m.groups == MatrixLayout(report).groups.map(\.title))
        #expect(m.cells.count == ids.count * report.targets.count)
        var colours: [String: Set<String>] = [:]
        for c in m.cells {
            let want = Self.expectedVerdict(report, target: c.target, feature: c.feature)
            #expect(c.verdict == want, "\(c.feature) on \(c.target)")
            #expect(c.label == (want == "none" ? "no result" : want), "the verdict is written, not only coloured")
            #expect(!c.symbol.isEmpty)
            #expect(c.infoHidden, "evidence stays folded until asked for")
            colours[c.verdict, default: []].insert(c.background)
        }
        #expect(Set(colours.keys) == Set(Verdict.allCases.map(\.rawValue) + ["none"]), "every verdict appears: \(colours.keys)")
        for (v, set) in colours { #expect(set.count == 1, "\(v) has one colour: \(set)") }
        let distinct = Set(colours.values.compactMap(\.first))
        #expect(distinct.count == colours.count, "each verdict has its own colour: \(colours)")
        #expect(colours["supported"]?.first != "rgba(0, 0, 0, 0)")
        let hostile = try #require(m.cells.first { $0.target == "<b>evil</b>\"'" && $0.feature == "chat.basic" })
        #expect(hostile.title.hasPrefix("broken: </script><script>document.title='pwned'</script><img src=x"))
    }

    @Test(.enabled(if: runnable, reason)) func screenshotRenders() async throws {
        let report = try await EmulatorReports.report(["reference", "ollama", "vllm", "gemini", "misbehaving"])
        let dir = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One cell opened, as a click would (ollama's chat.n), to show the evidence popover.
        var html = HTMLMatrixWriter.page(report, redactor: Redactor(secrets: []))
        let row = try #require(html.range(of: "data-feature=\"chat.n\""))
        let cell = try #require(html.range(of: "data-target=\"ollama\"", range: row.upperBound..<html.endIndex))
        let details = try #require(html.range(of: "<details>", range: cell.upperBound..<html.endIndex))
        html.replaceSubrange(details, with: "<details open>")
        let page = dir.appendingPathComponent("matrix.html")
        try Data(html.utf8).write(to: page)
        let png = dir.appendingPathComponent("matrix.png")
        _ = try await Self.chromium(["--screenshot=\(png.path)", "--window-size=1100,900"], page: page,
                                    profile: dir.appendingPathComponent("p"))
        let data = try Data(contentsOf: png)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        let be = { (o: Int) in data[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be(16) == 1100 && be(20) == 900, "IHDR size")
        // TOUCHSTONE_UPDATE_SCREENSHOT=1 refreshes the picture in the docs.
        if ProcessInfo.processInfo.environment["TOUCHSTONE_UPDATE_SCREENSHOT"] == "1" {
            try AtomicFile.write(data, to: Paths.root.appendingPathComponent("docs/images/matrix.png").path)
        }
    }

    struct Measurement: Decodable {
        struct Cell: Decodable {
            var feature: String
            var target: String
            var verdict: String
            var label: String
            var symbol: String
            var background: String
            var title: String
            var infoHidden: Bool
        }
        var title: String
        var scripts: Int
        var images: Int
        var columns: [String]
        var rows: [String]
        var groups: [String]
        var cells: [Cell]
    }

    /// Collects what the browser rendered and writes it, base64 JSON, into `<pre id="probe">`.
    static let measure = """
    (function () {
      var q = function (s, root) { return Array.prototype.slice.call((root || document).querySelectorAll(s)); };
      var out = {
        title: document.title, scripts: q('script').length, images: q('img').length,
        columns: q('#matrix thead th.target').map(function (th) { return th.getAttribute('data-target'); }),
        rows: q('#matrix tbody tr.feature').map(function (tr) { return tr.getAttribute('data-feature'); }),
        groups: q('#matrix tbody tr.group-title th').map(function (th) { return th.textContent; }),
        cells: []
      };
      q('#matrix tbody tr.feature').forEach(function (tr) {
        q('td', tr).forEach(function (td) {
          var info = td.querySelector('.info');
          var label = td.querySelector('.label');
          var sym = td.querySelector('.sym');
          out.cells.push({
            feature: tr.getAttribute('data-feature'), target: td.getAttribute('data-target'),
            verdict: td.getAttribute('data-verdict'), label: label ? label.textContent : '',
            symbol: sym ? sym.textContent : '', background: getComputedStyle(td).backgroundColor,
            title: td.title, infoHidden: !info || !info.checkVisibility()
          });
        });
      });
      var pre = document.createElement('pre');
      pre.id = 'probe';
      pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
      document.body.appendChild(pre);
    })();
    """
}
