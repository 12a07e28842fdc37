// PDF: poppler's C++ API; no PDF parsing of our own.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>

#include "core/utf8.h"
#include "documents/markup_formats.h"
#include "documents/skip_reason.h"
#include "documents/text_decoding.h"
#include "documents/text_formats.h"

namespace qe::documents {

namespace {

// Poppler reports every oddity of a damaged file on stderr; the reason per file says enough.
void quiet(const std::string&, void*) {}

// Poppler lays text out as on the page: lines indented with spaces to their column. Each line
// without them, so that blank lines separate paragraphs.
std::string trim_lines(std::string_view text) {
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        out += trim_space(text.substr(pos, end - pos));
        out += '\n';
        pos = end + 1;
    }
    return out;
}

}  // namespace

std::vector<Block> read_pdf(std::string_view bytes) {
    static const bool silenced = (poppler::set_debug_error_function(quiet, nullptr), true);
    (void)silenced;
    if (bytes.size() >= size_t(INT_MAX)) {
        throw DocumentError(SkipReason::kTooLarge, "too large: a PDF over 2 GiB");
    }
    const std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(bytes.data(), int(bytes.size())));
    if (!doc) {
        throw DocumentError(SkipReason::kBroken, "broken PDF: poppler cannot open the file");
    }
    if (doc->is_locked()) {
        throw DocumentError(SkipReason::kEncrypted,
                            "encrypted: the PDF needs a password; save a copy without one");
    }
    std::vector<Block> blocks;
    const int pages = doc->pages();
    for (int i = 0; i < pages; ++i) {
        const std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) continue;
        const poppler::byte_array utf8 = page->text().to_utf8();
        std::string text;  // poppler's UTF-8, made sure of: a chunk must never hold broken UTF-8
        utf8::append_lossy(std::string_view(utf8.data(), utf8.size()), text);
        for (Block& b : read_plain_text(trim_lines(normalize_line_ends(text)))) {
            b.page = i + 1;
            blocks.push_back(std::move(b));
        }
    }
    if (blocks.empty()) {
        throw DocumentError(SkipReason::kNoTextLayer,
                            "no text layer: none of the PDF's " + std::to_string(pages) +
                                " pages holds text (a scan?); run OCR on it first");
    }
    return blocks;
}

}  // namespace qe::documents
