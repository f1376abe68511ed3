import ArgumentParser
import TouchstoneCore
import TouchstoneKit

extension ParsableCommand {
    /// "Unknown option '--jsn'. Did you mean '--json'?" for the first option this command does
    /// not have, as ArgumentParser says it when no positional argument swallowed the next word.
    static func unknownOption(in arguments: [String]) -> String? {
        let help = helpMessage(columns: 10_000)
        let known = Set(help.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) } + ["--help"])
        for arg in arguments.dropFirst() where arg.hasPrefix("--") && arg.count > 2 {
            let name = String(arg.split(separator: "=", maxSplits: 1)[0])
            if !known.contains(name) {
                let hint = SuiteLoader.suggestion(name, in: known)
                return "Unknown option '\(TextSanitizer.oneLine(name, limit: 60))'" + (hint.isEmpty ? "" : hint.replacingOccurrences(of: "; did you mean `", with: ". Did you mean '").replacingOccurrences(of: "`?", with: "'?"))
            }
        }
        return nil
    }
}
