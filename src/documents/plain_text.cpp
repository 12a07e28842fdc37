#include "documents/text_formats.h"

namespace qe::documents {

std::vector<Block> read_plain_text(std::string_view text) {
    std::vector<Block> blocks;
    std::string paragraph;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        if (trim_space(line).empty()) {
            add_paragraph(blocks, std::move(paragraph));
            paragraph.clear();
        } else {
            if (!paragraph.empty()) paragraph += '\n';
            paragraph += line;
        }
        pos = end + 1;
    }
    add_paragraph(blocks, std::move(paragraph));
    return blocks;
}

}  // namespace qe::documents
