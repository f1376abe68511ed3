import ArgumentParser
import Foundation
import TouchstoneKit

struct SuitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suites",
        abstract: "Validate and list suite files.",
        subcommands: [Validate.self, List.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check suite files; print every error with file, line and column.",
            discussion: "Exits 0 when every file is valid, 2 otherwise."
        )
        @Argument(help: "A suites directory or a single .yaml file (default: the built-in suites).")
        var path: String?

        func run() throws {
            let target = try path ?? SuiteLocator.defaultDirectory()
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: target, isDirectory: &isDir)
            do {
                let suites = isDir.boolValue ? try SuiteLoader.load(directory: target)
                                             : [try SuiteLoader.load(file: target)]
                let n = suites.reduce(0) { $0 + $1.cases.count }
                Terminal.out("ok: \(suites.count) suite file(s), \(n) case(s) in \(target)")
            } catch let e as SuiteErrors {
                Terminal.error((e.description + "\n"))
                Terminal.error("\(e.errors.count) error(s)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the features and cases of the suites.")
        @Argument(help: "A suites directory (default: the built-in suites).")
        var path: String?

        func run() throws {
            let dir = try path ?? SuiteLocator.defaultDirectory()
            do {
                for suite in try SuiteLoader.load(directory: dir) {
                    Terminal.out("\(suite.name) (\(suite.file))")
                    for c in suite.cases {
                        let deps = (c.requires + c.requiresAny).joined(separator: ", ")
                        Terminal.out("  \(c.feature ?? "(quirks) \(c.id)")\(deps.isEmpty ? "" : "  needs: \(deps)")")
                    }
                }
            } catch let e as SuiteErrors {
                Terminal.error((e.description + "\n"))
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
    }
}

/// Finds the built-in suites: `$TOUCHSTONE_SUITES`, `./suites`, or the `suites` folder of the
/// checkout the binary was built in.
enum SuiteLocator {
    static func defaultDirectory() throws -> String {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["TOUCHSTONE_SUITES"], !env.isEmpty { return env }
        var candidates = [fm.currentDirectoryPath + "/suites"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("suites").path)
            candidates.append(dir.appendingPathComponent("share/touchstone/suites").path)
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { p in
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue
                && ((try? fm.contentsOfDirectory(atPath: p))?.contains { $0.hasSuffix(".yaml") } ?? false)
        }) {
            return found
        }
        throw ValidationError("cannot find the built-in suites; pass --suites DIR or set TOUCHSTONE_SUITES")
    }
}
