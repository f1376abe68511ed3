import ArgumentParser
import Foundation
import TouchstoneKit

struct SuitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suites",
        abstract: "Validate and list suite files.",
        subcommands: [Validate.self, List.self, SuitesDocsCommand.self, SuitesChecksCommand.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check suite files; print every error with file, line and column.",
            discussion: "Exits 0 when every file is valid, 2 otherwise."
        )
        @Argument(help: "A suites directory (checked together with the built-in suites it may extend) or a single .yaml file (default: the built-in suites).")
        var path: String?

        func run() throws {
            var isDir: ObjCBool = false
            if let path, !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                Terminal.error("error: \(path): no such file or directory\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            do {
                let suites: [Suite]
                if let path, !isDir.boolValue {
                    suites = [try SuiteLoader.load(file: path)]
                } else {
                    suites = try BuiltinSuites.load(adding: path)
                }
                let n = suites.reduce(0) { $0 + $1.cases.count }
                Terminal.out("ok: \(suites.count) suite file(s), \(n) case(s) in \(path ?? "the built-in suites")")
            } catch let e as SuiteErrors {
                Terminal.error((e.description + "\n"))
                Terminal.error("\(e.errors.count) error(s)\n")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the features and cases of the suites.")
        @Argument(help: "A suites directory, listed with the built-in suites (default: the built-in suites alone).")
        var path: String?

        func run() throws {
            do {
                for suite in try BuiltinSuites.load(adding: path) {
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
