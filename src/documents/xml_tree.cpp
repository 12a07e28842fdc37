#include "documents/xml_tree.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>

#include "documents/skip_reason.h"

namespace qe::documents {

void init_libxml2() {
    static const bool done = (xmlInitParser(), true);
    (void)done;
}

XmlDocument::XmlDocument(std::string_view bytes, std::string_view what) {
    init_libxml2();
    if (bytes.size() < size_t(INT_MAX)) {
        doc_ = xmlReadMemory(bytes.data(), int(bytes.size()), nullptr, nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    }
    if (!doc_ || !xmlDocGetRootElement(doc_)) {
        if (doc_) xmlFreeDoc(doc_);
        doc_ = nullptr;
        throw DocumentError(SkipReason::kBroken,
                            "broken: " + std::string(what) + " is not well-formed XML");
    }
    // Office and OFD parts never declare a DTD; one that does could define entities that expand
    // without end when the text is read ("billion laughs").
    if (doc_->intSubset || doc_->extSubset) {
        xmlFreeDoc(doc_);
        doc_ = nullptr;
        throw DocumentError(SkipReason::kBroken, "broken: " + std::string(what) +
                                                     " declares a DTD, which no such file does");
    }
}

XmlDocument::~XmlDocument() {
    if (doc_) xmlFreeDoc(doc_);
}

const XmlNode* XmlDocument::root() const {
    return xmlDocGetRootElement(doc_);
}

std::string_view local_name(const XmlNode* node) {
    return node && node->name ? reinterpret_cast<const char*>(node->name) : "";
}

bool is_element(const XmlNode* node, std::string_view name) {
    return node && node->type == XML_ELEMENT_NODE && local_name(node) == name;
}

std::vector<const XmlNode*> child_elements(const XmlNode* node) {
    std::vector<const XmlNode*> out;
    for (const xmlNode* c = node ? node->children : nullptr; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) out.push_back(c);
    }
    return out;
}

const XmlNode* child_element(const XmlNode* node, std::string_view name) {
    for (const xmlNode* c = node ? node->children : nullptr; c; c = c->next) {
        if (is_element(c, name)) return c;
    }
    return nullptr;
}

namespace {

void collect(const XmlNode* node, std::string_view name, std::vector<const XmlNode*>& out) {
    for (const xmlNode* c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (local_name(c) == name) out.push_back(c);
        collect(c, name, out);
    }
}

}  // namespace

std::vector<const XmlNode*> descendants(const XmlNode* node, std::string_view name) {
    std::vector<const XmlNode*> out;
    if (node) collect(node, name, out);
    return out;
}

std::string attribute(const XmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    if (!value) return "";
    std::string out(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return out;
}

std::string attribute_ns(const XmlNode* node, const char* name, const char* ns) {
    xmlChar* value = xmlGetNsProp(node, reinterpret_cast<const xmlChar*>(name),
                                  reinterpret_cast<const xmlChar*>(ns));
    if (!value) return "";
    std::string out(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return out;
}

std::string text_content(const XmlNode* node) {
    xmlChar* value = xmlNodeGetContent(node);
    if (!value) return "";
    std::string out(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return out;
}

}  // namespace qe::documents
