// Readers of the zip-based formats, from the file's bytes: Office Open XML (Word, PowerPoint,
// Excel) and OFD (China's national format for e-invoices and official documents). All reads of
// the archive go through ZipArchive's caps.
#pragma once

#include <string_view>
#include <vector>

#include "documents/blocks.h"

namespace qe::documents {

// Paragraphs with headings from their style (Heading 1.., 标题 1.., or an outline level) and
// tables as rows under their first row. Word keeps no pages, so blocks have none.
std::vector<Block> read_docx(std::string_view bytes);

// Each slide in the presentation's order, its number as the page: the title as a heading, then
// the text of its shapes and tables.
std::vector<Block> read_pptx(std::string_view bytes);

// Each sheet under a heading with its name; its first non-empty row is the header of the rest.
std::vector<Block> read_xlsx(std::string_view bytes);

// Each page's text objects (the page's template first) in lines, top to bottom, left to right.
std::vector<Block> read_ofd(std::string_view bytes);

}  // namespace qe::documents
