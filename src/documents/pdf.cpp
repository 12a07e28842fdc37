// PDF: poppler's C++ API; no PDF parsing of our own.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>

#include "core/utf8.h"
#include "documents/markup_formats.h"
#include "documents/skip_reason.h"

namespace qe::documents {

namespace {

// Poppler reports every oddity of a damaged file on stderr; the reason per file says enough.
void quiet(const std::string&, void*) {}

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
        add_paragraph(blocks, std::move(text), i + 1);
    }
    if (blocks.empty()) {
        throw DocumentError(SkipReason::kNoTextLayer,
                            "no text layer: none of the PDF's " + std::to_string(pages) +
                                " pages holds text (a scan?); run OCR on it first");
    }
    return blocks;
}

}  // namespace qe::documents
