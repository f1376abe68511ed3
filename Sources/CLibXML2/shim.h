#ifndef TOUCHSTONE_CLIBXML2_SHIM_H
#define TOUCHSTONE_CLIBXML2_SHIM_H

// Debian's libxml2 headers pull the system ICU headers, which clash with Foundation's
// bundled ICU ("'UErrorCode' has different definitions in different modules").
// Undefining the feature macro right after xmlversion.h keeps encoding.h from including ICU.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>

// Typed, non-variadic wrappers taking `const char *` so Swift can pass a String directly.

static inline int ts_writer_start_document(xmlTextWriterPtr w) {
    return xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
}

static inline int ts_writer_set_indent(xmlTextWriterPtr w, const char *indent) {
    int rc = xmlTextWriterSetIndent(w, 1);
    if (rc < 0) return rc;
    return xmlTextWriterSetIndentString(w, (const xmlChar *)indent);
}

static inline int ts_writer_start_element(xmlTextWriterPtr w, const char *name) {
    return xmlTextWriterStartElement(w, (const xmlChar *)name);
}

static inline int ts_writer_attribute(xmlTextWriterPtr w, const char *name, const char *value) {
    return xmlTextWriterWriteAttribute(w, (const xmlChar *)name, (const xmlChar *)value);
}

static inline int ts_writer_string(xmlTextWriterPtr w, const char *text) {
    return xmlTextWriterWriteString(w, (const xmlChar *)text);
}

static inline const char *ts_buffer_bytes(xmlBufferPtr b) {
    return (const char *)xmlBufferContent(b);
}

static inline const char *ts_error_message(xmlErrorPtr e) {
    return (e != NULL && e->message != NULL) ? e->message : "";
}

static inline int ts_error_line(xmlErrorPtr e) {
    return e != NULL ? e->line : 0;
}

#endif
