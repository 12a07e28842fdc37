#include "documents/text_formats.h"

#include "documents/skip_reason.h"

namespace qe::documents {

namespace {

// The rows of RFC 4180 text; a line break inside quotes belongs to the field.
std::vector<std::vector<std::string>> parse_rows(std::string_view text, char delimiter) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    CellBudget budget;
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
            budget.take(1);
            row.push_back(std::move(field));
            field.clear();
            field_started = false;
        } else if (c == '\n') {
            budget.take(1);
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

}  // namespace

std::vector<Block> read_csv(std::string_view text, char delimiter) {
    std::vector<Block> blocks;
    add_table(blocks, parse_rows(text, delimiter));
    return blocks;
}

}  // namespace qe::documents
