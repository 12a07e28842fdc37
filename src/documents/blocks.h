// A document as its readers see it: headings, paragraphs and table rows in reading order, each
// with the page it stands on when the format has pages (PDF, slides, OFD). The chunker
// (chunker.h) turns these into chunks.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "documents/skip_reason.h"

namespace qe::documents {

struct Block {
    enum Kind { kHeading, kParagraph, kTableRow };
    Kind kind = kParagraph;
    int level = 0;     // kHeading: 1 (top) .. 6
    std::string text;  // kHeading, kParagraph: UTF-8, '\n' line ends
    // kTableRow: the table's header cells, one copy shared by all its rows
    std::shared_ptr<const std::vector<std::string>> header;
    std::vector<std::string> cells;  // kTableRow: this row's cells
    std::optional<int> page;         // 1-based, where the format has pages
};

struct DocumentText {
    std::vector<Block> blocks;
    std::optional<Skip> skipped;  // set when the file could not be read; blocks is then empty
};

// A table row as one line a reader (and a search) can take alone: "header: value; ..." with
// empty cells left out, and "column N" for a cell beyond the header.
std::string table_row_text(const Block& row);

// Appends a block to `blocks` unless its text is empty after trimming white space.
void add_paragraph(std::vector<Block>& blocks, std::string text, std::optional<int> page = {});
void add_heading(std::vector<Block>& blocks, int level, std::string text,
                 std::optional<int> page = {});

// A table's rows: the first non-blank one is the header of every other; rows above it that hold
// one cell over a row of several (a report's title) are captions, added as paragraphs; a table of
// one row is a paragraph of its cells.
void add_table(std::vector<Block>& blocks, std::vector<std::vector<std::string>> rows,
               std::optional<int> page = {});

// A table of a million rows is real; a file of commas claiming a billion empty cells is an
// attack on memory. Readers count the cells they make against this and stop with kTooLarge.
inline constexpr size_t kMaxTableCells = 4'000'000;

class CellBudget {
  public:
    void take(size_t cells);  // throws DocumentError(kTooLarge) past kMaxTableCells

  private:
    size_t used_ = 0;
};

// `text` without leading and trailing ASCII white space.
std::string trim_space(std::string_view text);

}  // namespace qe::documents
