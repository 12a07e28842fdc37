// Readers of the formats that are text: plain text, Markdown and CSV. Each takes text already
// decoded to UTF-8 with '\n' line ends (text_decoding.h).
#pragma once

#include <string_view>
#include <vector>

#include "documents/blocks.h"

namespace qe::documents {

// Paragraphs separated by blank lines.
std::vector<Block> read_plain_text(std::string_view text);

// ATX headings ("## Title") and setext ones ("Title" over "==="), paragraphs and lists (kept as
// written), fenced code as one paragraph, pipe tables ("| a | b |" over "|---|---|") as rows with
// their header. A small line-based reader: inline markup stays in the text.
std::vector<Block> read_markdown(std::string_view text);

// RFC 4180 (quoted fields may hold commas, quotes as "" and line breaks); `delimiter` is ',' or
// '\t'. The first row is the header of every other row. Throws DocumentError(kBroken) on a quote
// that is never closed.
std::vector<Block> read_csv(std::string_view text, char delimiter = ',');

}  // namespace qe::documents
