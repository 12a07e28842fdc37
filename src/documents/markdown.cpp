#include "documents/text_formats.h"

namespace qe::documents {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        lines.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return lines;
}

// The level of an ATX heading line ("### x" -> 3), or 0.
int heading_level(std::string_view line) {
    int level = 0;
    while (level < int(line.size()) && line[level] == '#') ++level;
    if (level == 0 || level > 6) return 0;
    if (level < int(line.size()) && line[level] != ' ' && line[level] != '\t') return 0;
    return level;
}

std::string heading_text(std::string_view line, int level) {
    std::string text = trim_space(line.substr(level));
    while (!text.empty() && text.back() == '#') text.pop_back();  // closing "##"
    return trim_space(text);
}

// The level of a setext underline ("===" under a line: 1, "---": 2), or 0.
int setext_level(std::string_view line) {
    const std::string t = trim_space(line);
    if (t.size() < 3) return 0;
    if (t.find_first_not_of('=') == std::string::npos) return 1;
    if (t.find_first_not_of('-') == std::string::npos) return 2;
    return 0;
}

bool is_fence(std::string_view line) {
    const std::string t = trim_space(line);
    return t.starts_with("```") || t.starts_with("~~~");
}

bool is_table_line(std::string_view line) {
    return trim_space(line).starts_with("|");
}

// "|---|:---:|" under a table's header.
bool is_table_separator(std::string_view line) {
    const std::string t = trim_space(line);
    if (!t.starts_with("|") || t.find('-') == std::string::npos) return false;
    return t.find_first_not_of("|-: \t") == std::string::npos;
}

// The cells of "| a | b |"; "\|" is a pipe inside a cell.
std::vector<std::string> table_cells(std::string_view line) {
    std::string t = trim_space(line);
    if (t.starts_with("|")) t.erase(0, 1);
    if (t.ends_with("|") && !t.ends_with("\\|")) t.pop_back();
    std::vector<std::string> cells(1);
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
            cells.back() += '|';
            ++i;
        } else if (t[i] == '|') {
            cells.emplace_back();
        } else {
            cells.back() += t[i];
        }
    }
    for (auto& c : cells) c = trim_space(c);
    return cells;
}

}  // namespace

std::vector<Block> read_markdown(std::string_view text) {
    const std::vector<std::string_view> lines = split_lines(text);
    std::vector<Block> blocks;
    std::string paragraph;
    const auto flush = [&] {
        add_paragraph(blocks, std::move(paragraph));
        paragraph.clear();
    };
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (is_fence(line)) {  // code: one paragraph, nothing inside is markup
            flush();
            std::string code;
            for (++i; i < lines.size() && !is_fence(lines[i]); ++i) {
                code += lines[i];
                code += '\n';
            }
            add_paragraph(blocks, std::move(code));
        } else if (const int level = heading_level(line)) {
            flush();
            add_heading(blocks, level, heading_text(line, level));
        } else if (is_table_line(line) && i + 1 < lines.size() &&
                   is_table_separator(lines[i + 1])) {
            flush();
            std::vector<std::vector<std::string>> rows{table_cells(line)};
            for (i += 2; i < lines.size() && is_table_line(lines[i]); ++i) {
                rows.push_back(table_cells(lines[i]));
            }
            add_table(blocks, std::move(rows));
            --i;
        } else if (const int underline = setext_level(line);
                   underline > 0 && !paragraph.empty() &&
                   paragraph.find('\n') == std::string::npos) {
            add_heading(blocks, underline, std::move(paragraph));  // "Title" over "====="
            paragraph.clear();
        } else if (paragraph.empty() && setext_level(line) == 2) {
            continue;  // a thematic break ("---" after a blank line) separates, holds no text
        } else if (trim_space(line).empty()) {
            flush();
        } else {
            if (!paragraph.empty()) paragraph += '\n';
            paragraph += line;
        }
    }
    flush();
    return blocks;
}

}  // namespace qe::documents
