// Word: word/document.xml's body, with heading levels from word/styles.xml.
#include <algorithm>
#include <cctype>
#include <map>

#include "documents/office_formats.h"
#include "documents/xml_tree.h"
#include "documents/zip_archive.h"

namespace qe::documents {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// "heading 2" / "Heading2" / "标题 2" -> 2; "title" -> 1; anything else -> 0.
int level_from_style_name(const std::string& name) {
    const std::string n = lower(name);
    if (n == "title" || n == "标题") return 1;
    for (const std::string_view prefix : {"heading", "标题"}) {
        if (!n.starts_with(prefix)) continue;
        std::string_view rest = std::string_view(n).substr(prefix.size());
        while (rest.starts_with(" ")) rest.remove_prefix(1);
        if (rest.size() == 1 && rest[0] >= '1' && rest[0] <= '9') return rest[0] - '0';
    }
    return 0;
}

// An outline level element's value (0-based; 9 is body text) as a heading level, or 0.
int level_from_outline(const XmlNode* ppr) {
    const XmlNode* outline = child_element(ppr, "outlineLvl");
    if (!outline) return 0;
    const std::string v = attribute(outline, "val");
    return v.size() == 1 && v[0] >= '0' && v[0] <= '8' ? v[0] - '0' + 1 : 0;
}

// styleId -> heading level, for the paragraph styles that are headings.
std::map<std::string, int> heading_styles(ZipArchive& zip) {
    std::map<std::string, int> levels;
    const std::optional<std::string> bytes = zip.read("word/styles.xml");
    if (!bytes) return levels;
    const XmlDocument xml(*bytes, "word/styles.xml");
    for (const XmlNode* style : child_elements(xml.root())) {
        if (!is_element(style, "style")) continue;
        int level = level_from_outline(child_element(style, "pPr"));
        if (level == 0)
            level = level_from_style_name(attribute(child_element(style, "name"), "val"));
        if (level > 0) levels[attribute(style, "styleId")] = level;
    }
    return levels;
}

void append_run_text(const XmlNode* node, std::string& out) {
    for (const XmlNode* c : child_elements(node)) {
        if (is_element(c, "t")) {
            out += text_content(c);
        } else if (is_element(c, "tab")) {
            out += '\t';
        } else if (is_element(c, "br") || is_element(c, "cr")) {
            out += '\n';
        } else if (!is_element(c, "pPr") && !is_element(c, "rPr") && !is_element(c, "delText") &&
                   !is_element(c, "instrText")) {
            append_run_text(c, out);  // runs, hyperlinks, fields, inserted text
        }
    }
}

std::string paragraph_text(const XmlNode* p) {
    std::string text;
    append_run_text(p, text);
    return text;
}

class DocxReader {
  public:
    explicit DocxReader(std::map<std::string, int> styles) : styles_(std::move(styles)) {}

    void body(const XmlNode* node) {
        for (const XmlNode* c : child_elements(node)) {
            if (is_element(c, "p")) {
                paragraph(c);
            } else if (is_element(c, "tbl")) {
                table(c);
            } else if (is_element(c, "sdt")) {
                body(child_element(c, "sdtContent"));
            }
        }
    }

    std::vector<Block> take() { return std::move(blocks_); }

  private:
    void paragraph(const XmlNode* p) {
        const XmlNode* ppr = child_element(p, "pPr");
        int level = level_from_outline(ppr);
        if (level == 0) {
            const std::string style = attribute(child_element(ppr, "pStyle"), "val");
            const auto it = styles_.find(style);
            level = it != styles_.end() ? it->second : level_from_style_name(style);
        }
        if (level > 0) {
            add_heading(blocks_, level, paragraph_text(p));
        } else {
            add_paragraph(blocks_, paragraph_text(p));
        }
    }

    void table(const XmlNode* tbl) {
        std::vector<std::vector<std::string>> rows;
        for (const XmlNode* tr : child_elements(tbl)) {
            if (!is_element(tr, "tr")) continue;
            std::vector<std::string>& cells = rows.emplace_back();
            for (const XmlNode* tc : child_elements(tr)) {
                if (!is_element(tc, "tc")) continue;
                std::string cell;
                for (const XmlNode* p : descendants(tc, "p")) {
                    const std::string t = trim_space(paragraph_text(p));
                    if (!t.empty()) cell += (cell.empty() ? "" : " ") + t;
                }
                cells.push_back(std::move(cell));
            }
        }
        add_table(blocks_, std::move(rows));
    }

    const std::map<std::string, int> styles_;
    std::vector<Block> blocks_;
};

}  // namespace

std::vector<Block> read_docx(std::string_view bytes) {
    ZipArchive zip(bytes);
    const std::string document = zip.read_required("word/document.xml", "DOCX");
    DocxReader reader(heading_styles(zip));
    const XmlDocument xml(document, "word/document.xml");
    reader.body(child_element(xml.root(), "body"));
    return reader.take();
}

}  // namespace qe::documents
