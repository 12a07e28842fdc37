// Excel: every sheet of xl/workbook.xml, cells placed by their references (B3 is the second
// column), text from the shared strings table. Numbers stay as Excel wrote them (dates as serial
// numbers: the number format is not applied).
#include <cstdlib>

#include "documents/office_formats.h"
#include "documents/office_relationships.h"
#include "documents/skip_reason.h"
#include "documents/xml_tree.h"
#include "documents/zip_archive.h"

namespace qe::documents {

namespace {

constexpr size_t kMaxColumns = 16384;  // Excel's own limit (XFD)

// A rich or plain string item (<si>, <is>): its text runs, without phonetic guides.
std::string string_item(const XmlNode* item) {
    std::string text;
    for (const XmlNode* c : child_elements(item)) {
        if (is_element(c, "t")) {
            text += text_content(c);
        } else if (is_element(c, "r")) {
            text += text_content(child_element(c, "t"));
        }
    }
    return text;
}

std::vector<std::string> shared_strings(ZipArchive& zip) {
    std::vector<std::string> strings;
    const std::optional<std::string> bytes = zip.read("xl/sharedStrings.xml");
    if (!bytes) return strings;
    const XmlDocument xml(*bytes, "xl/sharedStrings.xml");
    for (const XmlNode* si : child_elements(xml.root())) {
        if (is_element(si, "si")) strings.push_back(string_item(si));
    }
    return strings;
}

// The 0-based column of a reference ("AB12" -> 27), or `fallback` when it has no letters.
size_t column_of(const std::string& ref, size_t fallback) {
    size_t column = 0, letters = 0;
    for (const char c : ref) {
        if (c < 'A' || c > 'Z') break;
        column = column * 26 + size_t(c - 'A' + 1);
        if (++letters > 3) break;
    }
    if (letters == 0) return fallback;
    if (column > kMaxColumns) {
        throw DocumentError(SkipReason::kBroken, "broken XLSX: a cell reference beyond column XFD");
    }
    return column - 1;
}

std::string cell_value(const XmlNode* c, const std::vector<std::string>& strings) {
    const std::string type = attribute(c, "t");
    if (type == "inlineStr") return string_item(child_element(c, "is"));
    const std::string value = text_content(child_element(c, "v"));
    if (type == "s") {
        char* end = nullptr;
        const unsigned long index = std::strtoul(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || index >= strings.size()) {
            throw DocumentError(SkipReason::kBroken, "broken XLSX: a cell names shared string " +
                                                         value + " of " +
                                                         std::to_string(strings.size()));
        }
        return strings[index];
    }
    if (type == "b") return value == "1" ? "TRUE" : "FALSE";
    return value;
}

std::vector<std::vector<std::string>> sheet_rows(const XmlDocument& sheet,
                                                 const std::vector<std::string>& strings,
                                                 CellBudget& budget) {
    std::vector<std::vector<std::string>> rows;
    for (const XmlNode* row : child_elements(child_element(sheet.root(), "sheetData"))) {
        if (!is_element(row, "row")) continue;
        std::vector<std::string>& cells = rows.emplace_back();
        for (const XmlNode* c : child_elements(row)) {
            if (!is_element(c, "c")) continue;
            const size_t column = column_of(attribute(c, "r"), cells.size());
            if (column >= cells.size()) {
                budget.take(column + 1 - cells.size());  // the empty cells before it count too
                cells.resize(column + 1);
            }
            cells[column] = cell_value(c, strings);
        }
    }
    return rows;
}

}  // namespace

std::vector<Block> read_xlsx(std::string_view bytes) {
    ZipArchive zip(bytes);
    const std::string workbook = zip.read_required("xl/workbook.xml", "XLSX");
    const auto rels = read_relationships(zip, "xl/workbook.xml");
    const std::vector<std::string> strings = shared_strings(zip);
    const XmlDocument xml(workbook, "xl/workbook.xml");
    std::vector<Block> blocks;
    CellBudget budget;
    for (const XmlNode* sheet : child_elements(child_element(xml.root(), "sheets"))) {
        const auto it = rels.find(relationship_id(sheet));
        if (it == rels.end()) continue;
        const std::optional<std::string> part = zip.read(it->second);
        if (!part) continue;  // a chart sheet or a missing part
        const XmlDocument sheet_xml(*part, it->second);
        add_heading(blocks, 1, attribute(sheet, "name"));
        add_table(blocks, sheet_rows(sheet_xml, strings, budget));
    }
    return blocks;
}

}  // namespace qe::documents
