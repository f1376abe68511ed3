import Foundation
import TouchstoneCore

/// Every line the CLI prints goes through here (save `Console`'s own colour and line-clearing
/// codes): user- and upstream-supplied text — target names from a targets file, suite and
/// feature names, paths, error messages that quote them — reaches the terminal with its
/// control characters (ESC, BEL, CR, C1, invalid UTF-8) escaped as `\u001B`, so it can neither
/// retitle nor clear the terminal nor hide what came before. Newlines and tabs stay.
enum Terminal {
    /// `text` with every terminal control escaped; newlines and tabs kept.
    static func safe(_ text: String) -> String {
        TextSanitizer.excerpt(text.utf8, limit: text.utf8.count + 1)
    }

    /// Standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(safe(text).utf8))
    }

    /// Standard output, like `print`.
    static func out(_ text: String, terminator: String = "\n") {
        Swift.print(safe(text), terminator: terminator)
    }
}
