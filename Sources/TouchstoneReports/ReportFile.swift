import Foundation
import TouchstoneCore

/// Reads a `touchstone.report/v1` file with an error that names the file and the place.
public enum ReportFile {
    public static func read(_ path: String) throws -> Report {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReportFileError(path: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        // Check the schema first, so a report of another version says so instead of failing on a field.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let schema = object["schema"] as? String, schema != Report.schemaID {
            throw ReportFileError(path: path, message: "schema `\(schema)`; this version reads `\(Report.schemaID)`")
        }
        do {
            return try JSONReportWriter.decode(data)
        } catch let DecodingError.dataCorrupted(context) {
            throw ReportFileError(path: path, message: "not JSON: \(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ReportFileError(path: path, message: "not a Touchstone report: missing `\(key.stringValue)` at \(location(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ReportFileError(path: path, message: "not a Touchstone report: \(context.debugDescription) at \(location(context.codingPath))")
        } catch {
            throw ReportFileError(path: path, message: "not a Touchstone report: \(error)")
        }
    }

    static func location(_ path: [CodingKey]) -> String {
        path.isEmpty ? "the top level" : "/" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: "/")
    }
}

public struct ReportFileError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var path: String
    public var message: String
    public var description: String { "\(path): error: \(message)" }
    public var errorDescription: String? { description }
}
