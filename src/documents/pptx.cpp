// PowerPoint: the slides in ppt/presentation.xml's order, each slide's number as its page.
#include "documents/office_formats.h"
#include "documents/office_relationships.h"
#include "documents/xml_tree.h"
#include "documents/zip_archive.h"

namespace qe::documents {

namespace {

// The text of a DrawingML text body: one string per paragraph.
std::vector<std::string> text_paragraphs(const XmlNode* body) {
    std::vector<std::string> out;
    for (const XmlNode* p : descendants(body, "p")) {
        std::string text;
        for (const XmlNode* c : child_elements(p)) {
            if (is_element(c, "r") || is_element(c, "fld")) {
                text += text_content(child_element(c, "t"));
            } else if (is_element(c, "br")) {
                text += '\n';
            }
        }
        out.push_back(std::move(text));
    }
    return out;
}

bool is_title(const XmlNode* shape) {
    const XmlNode* nv = child_element(child_element(shape, "nvSpPr"), "nvPr");
    const std::string type = attribute(child_element(nv, "ph"), "type");
    return type == "title" || type == "ctrTitle";
}

void read_shapes(const XmlNode* tree, int page, std::vector<Block>& blocks) {
    for (const XmlNode* shape : child_elements(tree)) {
        if (is_element(shape, "sp")) {
            const bool title = is_title(shape);
            for (std::string& text : text_paragraphs(child_element(shape, "txBody"))) {
                if (title) {
                    add_heading(blocks, 1, std::move(text), page);
                } else {
                    add_paragraph(blocks, std::move(text), page);
                }
            }
        } else if (is_element(shape, "graphicFrame")) {
            for (const XmlNode* tbl : descendants(shape, "tbl")) {
                std::vector<std::vector<std::string>> rows;
                for (const XmlNode* tr : child_elements(tbl)) {
                    if (!is_element(tr, "tr")) continue;
                    std::vector<std::string>& cells = rows.emplace_back();
                    for (const XmlNode* tc : child_elements(tr)) {
                        std::string cell;
                        for (const std::string& t : text_paragraphs(child_element(tc, "txBody"))) {
                            cell += (cell.empty() ? "" : " ") + t;
                        }
                        if (is_element(tc, "tc")) cells.push_back(std::move(cell));
                    }
                }
                add_table(blocks, std::move(rows), page);
            }
        } else if (is_element(shape, "grpSp")) {
            read_shapes(shape, page, blocks);
        }
    }
}

}  // namespace

std::vector<Block> read_pptx(std::string_view bytes) {
    ZipArchive zip(bytes);
    const std::string presentation = zip.read_required("ppt/presentation.xml", "PPTX");
    const auto rels = read_relationships(zip, "ppt/presentation.xml");
    const XmlDocument xml(presentation, "ppt/presentation.xml");
    std::vector<Block> blocks;
    int page = 0;
    for (const XmlNode* id : child_elements(child_element(xml.root(), "sldIdLst"))) {
        const auto it = rels.find(relationship_id(id));
        if (it == rels.end()) continue;
        ++page;
        const std::optional<std::string> slide = zip.read(it->second);
        if (!slide) continue;  // a slide the list names but the archive lacks
        const XmlDocument slide_xml(*slide, it->second);
        read_shapes(child_element(child_element(slide_xml.root(), "cSld"), "spTree"), page, blocks);
    }
    return blocks;
}

}  // namespace qe::documents
