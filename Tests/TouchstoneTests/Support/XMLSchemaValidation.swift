import CLibXML2
import Foundation
import TouchstoneReports

/// Test helper: well-formedness and XSD validation with libxml2 (xmlReadMemory,
/// xmlSchemaParse, xmlSchemaValidateDoc), plus a small parsed tree for assertions.
enum XMLSchemaValidation {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Fixtures/junit-xsd/<name>.xsd, from the test bundle or, failing that, next to this file.
    static func schemaURL(_ name: String) -> URL {
        if let base = Bundle.module.resourceURL {
            let url = base.appendingPathComponent("Fixtures/junit-xsd/\(name).xsd")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/junit-xsd/\(name).xsd")
    }

    /// Validates `document` against the XSD at `schema`; returns the validation errors
    /// (empty when valid). Throws when the schema or the document cannot be parsed at all.
    static func errors(_ document: Data, schema: URL) throws -> [String] {
        LibXML2Runtime.ensureInitialized()
        let box = ErrorBox()
        let context = Unmanaged.passUnretained(box).toOpaque()
        defer { withExtendedLifetime(box) {} }

        guard let parser = xmlSchemaNewParserCtxt(schema.path) else {
            throw Failure(description: "cannot open schema \(schema.path)")
        }
        defer { xmlSchemaFreeParserCtxt(parser) }
        xmlSchemaSetParserStructuredErrors(parser, collect, context)
        guard let compiled = xmlSchemaParse(parser) else {
            throw Failure(description: "schema \(schema.lastPathComponent) does not compile: \(box.messages)")
        }
        defer { xmlSchemaFree(compiled) }
        guard let validator = xmlSchemaNewValidCtxt(compiled) else {
            throw Failure(description: "xmlSchemaNewValidCtxt failed")
        }
        defer { xmlSchemaFreeValidCtxt(validator) }
        xmlSchemaSetValidStructuredErrors(validator, collect, context)

        let doc = try parse(document)
        defer { xmlFreeDoc(doc) }
        let rc = xmlSchemaValidateDoc(validator, doc)
        if rc < 0 { throw Failure(description: "xmlSchemaValidateDoc internal error \(rc)") }
        if rc > 0 && box.messages.isEmpty { return ["invalid (code \(rc))"] }
        return box.messages
    }

    /// Nil when `document` is well-formed XML, else libxml2's error.
    static func wellFormednessError(_ document: Data) -> String? {
        do {
            xmlFreeDoc(try parse(document))
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// Parses strictly (no recovery, no network, no entity expansion beyond the predefined).
    static func parse(_ document: Data) throws -> xmlDocPtr {
        LibXML2Runtime.ensureInitialized()
        guard let ctxt = xmlNewParserCtxt() else { throw Failure(description: "xmlNewParserCtxt failed") }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_HUGE.rawValue)
        let doc = document.withUnsafeBytes { raw -> xmlDocPtr? in
            guard let base = raw.bindMemory(to: CChar.self).baseAddress else { return nil }
            return xmlCtxtReadMemory(ctxt, base, Int32(raw.count), "document.xml", nil, options)
        }
        guard let doc, ctxt.pointee.wellFormed != 0 else {
            if let doc { xmlFreeDoc(doc) }
            let error = xmlCtxtGetLastError(UnsafeMutableRawPointer(ctxt))
            throw Failure(description: "not well-formed (line \(ts_error_line(error))): "
                          + String(cString: ts_error_message(error)))
        }
        return doc
    }

    /// An element of a parsed document: name, attributes, element children, direct text.
    struct Element {
        var name: String
        var attributes: [String: String]
        var children: [Element]
        var text: String

        func all(_ name: String) -> [Element] { children.filter { $0.name == name } }
        func first(_ name: String) -> Element? { children.first { $0.name == name } }
        subscript(attribute: String) -> String? { attributes[attribute] }
    }

    static func tree(_ document: Data) throws -> Element {
        let doc = try parse(document)
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw Failure(description: "no root element") }
        return element(root)
    }

    private static func element(_ node: xmlNodePtr) -> Element {
        var attributes: [String: String] = [:]
        var attr = node.pointee.properties
        while let a = attr {
            attributes[String(cString: a.pointee.name)] = textOf(a.pointee.children)
            attr = a.pointee.next
        }
        var children: [Element] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { children.append(element(c)) }
            child = c.pointee.next
        }
        return Element(name: String(cString: node.pointee.name), attributes: attributes,
                       children: children, text: textOf(node.pointee.children))
    }

    /// Concatenated text and CDATA nodes among siblings starting at `first`.
    private static func textOf(_ first: xmlNodePtr?) -> String {
        var bytes: [UInt8] = []
        var node = first
        while let n = node {
            if n.pointee.type == XML_TEXT_NODE || n.pointee.type == XML_CDATA_SECTION_NODE,
               let content = n.pointee.content {
                var p = content
                while p.pointee != 0 { bytes.append(p.pointee); p += 1 }
            }
            node = n.pointee.next
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private final class ErrorBox {
    var messages: [String] = []
}

private let collect: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let box = Unmanaged<ErrorBox>.fromOpaque(context).takeUnretainedValue()
    let message = String(cString: ts_error_message(error)).trimmingCharacters(in: .whitespacesAndNewlines)
    box.messages.append("line \(ts_error_line(error)): \(message)")
}
