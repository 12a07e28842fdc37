// Readers of HTML (libxml2's HTML parser) and PDF (poppler's C++ API), from the file's bytes.
#pragma once

#include <string_view>
#include <vector>

#include "documents/blocks.h"

namespace qe::documents {

// Headings h1-h6, paragraphs of the block elements, tables as rows under their first row; the
// text of script, style, nav and the like is left out. The charset is the one the page declares
// (<meta charset>), else detected as for text files.
std::vector<Block> read_html(std::string_view bytes);

// The text layer of each page, its page number kept. A PDF that needs a password is kEncrypted,
// one without text on any page kNoTextLayer, one poppler cannot open kBroken.
std::vector<Block> read_pdf(std::string_view bytes);

}  // namespace qe::documents
