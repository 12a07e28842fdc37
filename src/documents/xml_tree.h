// XML parts of Office and OFD files through libxml2, with no network and no entity expansion
// beyond libxml2's default limits. Elements are matched by local name ("p" for "w:p"): the
// formats' namespaces are fixed, and some writers use other prefixes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct _xmlDoc;
struct _xmlNode;

namespace qe::documents {

using XmlNode = _xmlNode;

// libxml2's global state, set up once before the first parse (libxml2 asks for it where threads
// parse at the same time). Every parse of this library calls it.
void init_libxml2();

class XmlDocument {
  public:
    // Throws DocumentError(kBroken) naming `what` (e.g. "word/document.xml") when not well formed.
    XmlDocument(std::string_view bytes, std::string_view what);
    ~XmlDocument();
    XmlDocument(const XmlDocument&) = delete;
    XmlDocument& operator=(const XmlDocument&) = delete;

    const XmlNode* root() const;

  private:
    _xmlDoc* doc_ = nullptr;
};

bool is_element(const XmlNode* node, std::string_view local_name);
std::string_view local_name(const XmlNode* node);

// The element children of `node`, in order.
std::vector<const XmlNode*> child_elements(const XmlNode* node);
// The first child element named `local_name`, or nullptr.
const XmlNode* child_element(const XmlNode* node, std::string_view local_name);
// Every descendant element named `local_name`, in document order.
std::vector<const XmlNode*> descendants(const XmlNode* node, std::string_view local_name);

// An attribute by its local name ("val" finds w:val); "" when absent.
std::string attribute(const XmlNode* node, const char* local_name);
// An attribute in a namespace (for r:id beside a plain id); "" when absent.
std::string attribute_ns(const XmlNode* node, const char* local_name, const char* ns);
// All text below `node`.
std::string text_content(const XmlNode* node);

}  // namespace qe::documents
