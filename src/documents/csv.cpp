#include "documents/text_formats.h"

#include "documents/skip_reason.h"

namespace qe::documents {

namespace {

// The rows of RFC 4180 text; a line break inside quotes belongs to the field.
std::vector<std::vector<std::string>> parse_rows(std::string_view text, char delimiter) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, field_started = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"' && !field_started) {
            quoted = field_started = true;
        } else if (c == delimiter) {
            row.push_back(std::move(field));
            field.clear();
            field_started = false;
        } else if (c == '\n') {
            row.push_back(std::move(field));
            rows.push_back(std::move(row));
            row.clear();
            field.clear();
            field_started = false;
        } else {
            field += c;  // a quote inside an unquoted field is kept, as most writers mean it
            field_started = true;
        }
    }
    if (quoted) {
        throw DocumentError(SkipReason::kBroken, "broken CSV: a quoted field is not closed (row " +
                                                     std::to_string(rows.size() + 1) + ")");
    }
    if (field_started || !row.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

bool is_blank(const std::vector<std::string>& row) {
    for (const auto& cell : row) {
        if (!trim_space(cell).empty()) return false;
    }
    return true;
}

}  // namespace

std::vector<Block> read_csv(std::string_view text, char delimiter) {
    std::vector<Block> blocks;
    std::vector<std::string> header;
    bool have_header = false;
    for (auto& cells : parse_rows(text, delimiter)) {
        if (is_blank(cells)) continue;
        if (!have_header) {
            header = std::move(cells);
            have_header = true;
            continue;
        }
        Block row;
        row.kind = Block::kTableRow;
        row.header = header;
        row.cells = std::move(cells);
        blocks.push_back(std::move(row));
    }
    // A header alone is still the file's text.
    if (blocks.empty() && have_header) {
        std::string line;
        for (const auto& h : header) line += (line.empty() ? "" : ", ") + trim_space(h);
        add_paragraph(blocks, line);
    }
    return blocks;
}

}  // namespace qe::documents
