#include "documents/blocks.h"

namespace qe::documents {

std::string trim_space(std::string_view text) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    size_t b = 0, e = text.size();
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    return std::string(text.substr(b, e - b));
}

std::string table_row_text(const Block& row) {
    std::string out;
    for (size_t i = 0; i < row.cells.size(); ++i) {
        const std::string value = trim_space(row.cells[i]);
        if (value.empty()) continue;
        std::string name = row.header && i < row.header->size() ? trim_space((*row.header)[i]) : "";
        if (name.empty()) name = "column " + std::to_string(i + 1);
        if (!out.empty()) out += "; ";
        out += name + ": " + value;
    }
    return out;
}

void add_paragraph(std::vector<Block>& blocks, std::string text, std::optional<int> page) {
    text = trim_space(text);
    if (text.empty()) return;
    Block b;
    b.kind = Block::kParagraph;
    b.text = std::move(text);
    b.page = page;
    blocks.push_back(std::move(b));
}

void add_heading(std::vector<Block>& blocks, int level, std::string text, std::optional<int> page) {
    text = trim_space(text);
    if (text.empty()) return;
    Block b;
    b.kind = Block::kHeading;
    b.level = level < 1 ? 1 : level > 6 ? 6 : level;
    b.text = std::move(text);
    b.page = page;
    blocks.push_back(std::move(b));
}

void CellBudget::take(size_t cells) {
    used_ += cells;
    if (used_ > kMaxTableCells) {
        throw DocumentError(SkipReason::kTooLarge, "too large: tables of more than " +
                                                       std::to_string(kMaxTableCells) + " cells");
    }
}

namespace {

size_t filled_cells(const std::vector<std::string>& cells) {
    size_t n = 0;
    for (const auto& c : cells) n += !trim_space(c).empty();
    return n;
}

std::string joined_cells(const std::vector<std::string>& cells) {
    std::string line;
    for (const auto& c : cells) {
        const std::string cell = trim_space(c);
        if (!cell.empty()) line += (line.empty() ? "" : ", ") + cell;
    }
    return line;
}

}  // namespace

void add_table(std::vector<Block>& blocks, std::vector<std::vector<std::string>> rows,
               std::optional<int> page) {
    std::erase_if(rows, [](const auto& cells) { return filled_cells(cells) == 0; });
    size_t first = 0;
    // A report's title above its table ("2023年销售报表" alone in a row, then the column names)
    // is a caption, not the header.
    while (first + 1 < rows.size() && filled_cells(rows[first]) == 1 &&
           filled_cells(rows[first + 1]) >= 2) {
        add_paragraph(blocks, joined_cells(rows[first]), page);
        ++first;
    }
    if (first == rows.size()) return;
    if (first + 1 == rows.size()) {  // a header alone is still text
        add_paragraph(blocks, joined_cells(rows[first]), page);
        return;
    }
    const auto header = std::make_shared<const std::vector<std::string>>(std::move(rows[first]));
    for (size_t i = first + 1; i < rows.size(); ++i) {
        Block row;
        row.kind = Block::kTableRow;
        row.header = header;
        row.cells = std::move(rows[i]);
        row.page = page;
        blocks.push_back(std::move(row));
    }
}

}  // namespace qe::documents
