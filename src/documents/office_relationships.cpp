#include "documents/office_relationships.h"

namespace qe::documents {

std::map<std::string, std::string> read_relationships(ZipArchive& zip, std::string_view part) {
    const std::string folder = zip_folder(part);
    const std::string rels = folder + "_rels/" + std::string(part.substr(folder.size())) + ".rels";
    std::map<std::string, std::string> out;
    const std::optional<std::string> bytes = zip.read(rels);
    if (!bytes) return out;
    const XmlDocument xml(*bytes, rels);
    for (const XmlNode* r : child_elements(xml.root())) {
        if (!is_element(r, "Relationship") || attribute(r, "TargetMode") == "External") continue;
        const std::string target = attribute(r, "Target");
        out[attribute(r, "Id")] =
            normalize_zip_path(target.starts_with("/") ? target : folder + target);
    }
    return out;
}

std::string relationship_id(const XmlNode* node) {
    std::string id = attribute_ns(
        node, "id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
    if (id.empty()) {
        id = attribute_ns(node, "id", "http://purl.oclc.org/ooxml/officeDocument/relationships");
    }
    return id;
}

}  // namespace qe::documents
