// OFD (GB/T 33190): OFD.xml names each document's Document.xml, which lists the pages (and the
// templates they draw first); a page's Content.xml places TextObjects, whose TextCodes hold the
// text. E-invoices scatter labels and values over the page, so text is put back in lines by its
// position: TextObject's Boundary ("x y w h") plus TextCode's X and Y.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "core/utf8.h"
#include "documents/office_formats.h"
#include "documents/skip_reason.h"
#include "documents/token_estimate.h"
#include "documents/xml_tree.h"
#include "documents/zip_archive.h"

namespace qe::documents {

namespace {

constexpr double kLineTolerance = 1.5;  // mm: text objects this close in y share a line

struct PlacedText {
    double y, x;
    std::string text;
};

// A part name as written in OFD: absolute from the archive's root, or relative to `folder`.
std::string resolve(std::string_view folder, const std::string& location) {
    return normalize_zip_path(location.starts_with("/") ? location
                                                        : std::string(folder) + location);
}

// The n-th number of a space-separated list ("x y w h"), or 0.
double number_at(const std::string& list, int n) {
    const char* p = list.c_str();
    for (int i = 0;; ++i) {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end == p) return 0;
        if (i == n) return std::isfinite(v) ? v : 0;
        p = end;
    }
}

void collect_text(const XmlNode* content, std::vector<PlacedText>& out) {
    for (const XmlNode* object : descendants(content, "TextObject")) {
        const std::string boundary = attribute(object, "Boundary");
        const double top = number_at(boundary, 1), left = number_at(boundary, 0);
        for (const XmlNode* code : child_elements(object)) {
            if (!is_element(code, "TextCode")) continue;
            out.push_back({top + std::atof(attribute(code, "Y").c_str()),
                           left + std::atof(attribute(code, "X").c_str()), text_content(code)});
        }
    }
}

bool cjk_at_start(std::string_view s) {
    return !s.empty() && is_cjk(utf8::examine(s).cp);
}

bool cjk_at_end(std::string_view s) {
    size_t i = s.size();
    while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
    return i > 0 && is_cjk(utf8::examine(s.substr(i - 1)).cp);
}

// Texts in reading order, one paragraph a line; no space is put between Chinese pieces.
void add_lines(std::vector<PlacedText> texts, int page, std::vector<Block>& blocks) {
    std::stable_sort(texts.begin(), texts.end(),
                     [](const PlacedText& a, const PlacedText& b) { return a.y < b.y; });
    size_t start = 0;
    while (start < texts.size()) {
        size_t end = start + 1;
        while (end < texts.size() && texts[end].y - texts[start].y <= kLineTolerance) ++end;
        std::stable_sort(texts.begin() + start, texts.begin() + end,
                         [](const PlacedText& a, const PlacedText& b) { return a.x < b.x; });
        std::string line;
        for (size_t i = start; i < end; ++i) {
            const std::string piece = trim_space(texts[i].text);
            if (piece.empty()) continue;
            if (!line.empty() && !(cjk_at_end(line) && cjk_at_start(piece))) line += ' ';
            line += piece;
        }
        add_paragraph(blocks, std::move(line), page);
        start = end;
    }
}

void read_document_part(ZipArchive& zip, const std::string& name, std::vector<Block>& blocks) {
    const std::string folder = zip_folder(name);
    const XmlDocument doc(zip.read_required(name, "OFD"), name);
    std::map<std::string, std::string> templates;  // template ID -> part name
    for (const XmlNode* t : descendants(child_element(doc.root(), "CommonData"), "TemplatePage")) {
        templates[attribute(t, "ID")] = resolve(folder, attribute(t, "BaseLoc"));
    }
    int number = 0;
    for (const XmlNode* page : descendants(child_element(doc.root(), "Pages"), "Page")) {
        ++number;
        const std::string part = resolve(folder, attribute(page, "BaseLoc"));
        const std::optional<std::string> bytes = zip.read(part);
        if (!bytes) continue;
        const XmlDocument content(*bytes, part);
        std::vector<PlacedText> texts;
        for (const XmlNode* t : child_elements(content.root())) {
            if (!is_element(t, "Template")) continue;
            const auto it = templates.find(attribute(t, "TemplateID"));
            if (it == templates.end() || it->second == part) continue;
            if (const std::optional<std::string> tb = zip.read(it->second)) {
                const XmlDocument template_xml(*tb, it->second);
                collect_text(template_xml.root(), texts);
            }
        }
        collect_text(content.root(), texts);
        add_lines(std::move(texts), number, blocks);
    }
}

}  // namespace

std::vector<Block> read_ofd(std::string_view bytes) {
    ZipArchive zip(bytes);
    const XmlDocument ofd(zip.read_required("OFD.xml", "OFD"), "OFD.xml");
    std::vector<Block> blocks;
    for (const XmlNode* body : child_elements(ofd.root())) {
        if (!is_element(body, "DocBody")) continue;
        const std::string root = trim_space(text_content(child_element(body, "DocRoot")));
        if (!root.empty()) read_document_part(zip, resolve("", root), blocks);
    }
    return blocks;
}

}  // namespace qe::documents
