import CLibXML2
import Foundation
import TouchstoneCore

/// libxml2 process-wide setup. `xmlInitParser` runs exactly once, on first use.
public enum LibXML2Runtime {
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Idempotent and thread-safe; call before any other libxml2 function
    /// (the writers do; tests using libxml2 directly should too).
    public static func ensureInitialized() {
        _ = initialized
    }
}

public struct ReportWriterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A thin wrapper over libxml2's xmlTextWriter writing to memory. Every attribute value and
/// every text node goes through `XMLTextFilter` (redaction, XML Char escaping, cap); element
/// and attribute names are fixed ASCII literals chosen by the caller.
final class XMLStreamWriter {
    private let buffer: xmlBufferPtr
    private let writer: OpaquePointer
    private let redactor: Redactor?
    private var finished = false

    init(redactor: Redactor?, indent: Bool = true) throws {
        LibXML2Runtime.ensureInitialized()
        guard let buffer = xmlBufferCreate() else { throw ReportWriterError("xmlBufferCreate failed") }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw ReportWriterError("xmlNewTextWriterMemory failed")
        }
        self.buffer = buffer
        self.writer = writer
        self.redactor = redactor
        if indent { try check(ts_writer_set_indent(writer, "  "), "set indent") }
        try check(ts_writer_start_document(writer), "start document")
    }

    deinit {
        if !finished { xmlFreeTextWriter(writer) }
        xmlBufferFree(buffer)
    }

    func start(_ name: StaticString) throws {
        try check(ts_writer_start_element(writer, name.description), "start <\(name)>")
    }

    func end() throws {
        try check(xmlTextWriterEndElement(writer), "end element")
    }

    /// An attribute; the value is filtered to a single line of at most `limit` characters.
    func attribute(_ name: StaticString, _ value: String, limit: Int = 1024) throws {
        let safe = XMLTextFilter.filter(value, limit: limit, redactor: redactor, singleLine: true)
        try check(ts_writer_attribute(writer, name.description, safe), "attribute \(name)")
    }

    /// A text node (escaped by libxml2; never CDATA).
    func text(_ value: String, limit: Int = XMLTextFilter.defaultLimit) throws {
        let safe = XMLTextFilter.filter(value, limit: limit, redactor: redactor)
        guard !safe.isEmpty else { return }
        try check(ts_writer_string(writer, safe), "text")
    }

    /// `<name>text</name>`.
    func element(_ name: StaticString, text: String, limit: Int = XMLTextFilter.defaultLimit) throws {
        try start(name)
        try self.text(text, limit: limit)
        try end()
    }

    /// Closes every open element and returns the document bytes.
    func finish() throws -> Data {
        try check(xmlTextWriterEndDocument(writer), "end document")
        xmlFreeTextWriter(writer)  // flushes into `buffer`
        finished = true
        let count = Int(xmlBufferLength(buffer))
        guard count > 0, let bytes = ts_buffer_bytes(buffer) else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    private func check(_ rc: Int32, _ what: String) throws {
        if rc < 0 { throw ReportWriterError("libxml2 xmlTextWriter failed: \(what)") }
    }
}
