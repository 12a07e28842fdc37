// HTML: libxml2 builds the tree as browsers would from sloppy markup; the walk below turns block
// elements into paragraphs and tables into rows.
#include <libxml/HTMLparser.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <memory>

#include "documents/markup_formats.h"
#include "documents/skip_reason.h"
#include "documents/text_decoding.h"
#include "documents/xml_tree.h"

namespace qe::documents {

namespace {

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Elements whose text is not the page's content.
bool is_skipped(std::string_view name) {
    return one_of(name, {"script", "style", "noscript", "template", "nav", "head", "svg", "iframe",
                         "object", "select", "button"});
}

// Elements that end the paragraph before them and start a new one.
bool is_block(std::string_view name) {
    return one_of(
        name, {"p",        "div",        "li",      "ul",         "ol",      "dl",      "dt",
               "dd",       "blockquote", "pre",     "section",    "article", "main",    "header",
               "footer",   "aside",      "figure",  "figcaption", "hr",      "address", "form",
               "fieldset", "body",       "caption", "details",    "summary"});
}

// The charset a page declares in its first bytes (<meta charset="gbk">, or content="...;
// charset=gb2312"), lower-cased; "" when none.
std::string declared_charset(std::string_view bytes) {
    std::string head(bytes.substr(0, 4096));
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    const size_t at = head.find("charset=");
    if (at == std::string::npos) return "";
    size_t i = at + 8;
    while (i < head.size() && (head[i] == '"' || head[i] == '\'' || head[i] == ' ')) ++i;
    std::string name;
    while (i < head.size() && (std::isalnum(static_cast<unsigned char>(head[i])) ||
                               head[i] == '-' || head[i] == '_')) {
        name += head[i++];
    }
    return name;
}

std::string to_utf8(std::string_view bytes) {
    // A byte order mark outranks what the page declares, as in browsers.
    const bool bom = bytes.starts_with("\xEF\xBB\xBF") || bytes.starts_with("\xFF\xFE") ||
                     bytes.starts_with("\xFE\xFF");
    const std::string charset = bom ? "" : declared_charset(bytes);
    if (charset.empty() || charset == "utf-8" || charset == "utf8") return decode_text(bytes);
    // GB2312 pages hold GBK characters in practice; GB18030 reads both.
    if (charset == "gb2312" || charset == "gbk" || charset == "x-gbk") {
        return convert_to_utf8(bytes, "GB18030");
    }
    return convert_to_utf8(bytes, charset.c_str());
}

bool is_html_space(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

// Appends `text` with each run of white space as one space, as a browser shows it; a run at
// either end still separates `text` from its neighbours ("<b>a</b> b").
void append_collapsed(std::string& out, std::string_view text) {
    bool space = false;
    for (const char c : text) {
        if (is_html_space(c)) {
            space = true;
            continue;
        }
        if (space && !out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
        space = false;
        out += c;
    }
    if (space && !out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
}

std::string collapse_space(std::string_view text) {
    std::string out;
    append_collapsed(out, text);
    return trim_space(out);
}

class HtmlWalker {
  public:
    void walk(const XmlNode* node) {
        for (const xmlNode* c = node->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                const char* text = reinterpret_cast<const char*>(c->content);
                if (pre_ > 0) {
                    paragraph_ += text ? text : "";
                } else {
                    append_collapsed(paragraph_, text ? text : "");
                }
                continue;
            }
            if (c->type != XML_ELEMENT_NODE) continue;
            const std::string_view name = local_name(c);
            if (is_skipped(name)) continue;
            if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
                flush();
                add_heading(blocks_, name[1] - '0', collapse_space(text_content(c)));
            } else if (name == "table") {
                flush();
                table(c);
            } else if (name == "br") {
                paragraph_ += '\n';
            } else if (is_block(name)) {
                flush();
                pre_ += name == "pre";
                walk(c);
                pre_ -= name == "pre";
                flush();
            } else {
                walk(c);
            }
        }
    }

    std::vector<Block> take() {
        flush();
        return std::move(blocks_);
    }

  private:
    void flush() {
        add_paragraph(blocks_, std::move(paragraph_));
        paragraph_.clear();
    }

    // The rows of this table, not of tables nested in its cells.
    void collect_rows(const XmlNode* node, std::vector<std::vector<std::string>>& rows) {
        for (const XmlNode* c : child_elements(node)) {
            const std::string_view name = local_name(c);
            if (name == "tr") {
                std::vector<std::string>& cells = rows.emplace_back();
                for (const XmlNode* cell : child_elements(c)) {
                    const std::string_view cell_name = local_name(cell);
                    if (cell_name == "td" || cell_name == "th") {
                        cells.push_back(collapse_space(text_content(cell)));
                    }
                }
            } else if (name == "thead" || name == "tbody" || name == "tfoot") {
                collect_rows(c, rows);
            }
        }
    }

    void table(const XmlNode* node) {
        std::vector<std::vector<std::string>> rows;
        collect_rows(node, rows);
        add_table(blocks_, std::move(rows));
    }

    std::vector<Block> blocks_;
    std::string paragraph_;
    int pre_ = 0;
};

struct FreeDoc {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

}  // namespace

std::vector<Block> read_html(std::string_view bytes) {
    const std::string utf8 = to_utf8(bytes);
    if (utf8.size() >= size_t(INT_MAX)) {
        throw DocumentError(SkipReason::kTooLarge, "too large: an HTML file over 2 GiB");
    }
    init_libxml2();
    const std::unique_ptr<xmlDoc, FreeDoc> doc(
        htmlReadMemory(utf8.data(), int(utf8.size()), nullptr, "UTF-8",
                       HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
    const xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root) throw DocumentError(SkipReason::kBroken, "broken: no HTML document in the file");
    HtmlWalker walker;
    walker.walk(root);
    return walker.take();
}

}  // namespace qe::documents
