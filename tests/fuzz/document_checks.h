// What every documents fuzz target checks of a reader's result: a skipped file has no blocks,
// and the chunks of a read one are valid UTF-8 within the size cap.
#pragma once

#include <cstdlib>

#include "core/utf8.h"
#include "documents/chunker.h"
#include "documents/read_document.h"

namespace qe::fuzz {

inline void check_document(const documents::DocumentText& text) {
    if (text.skipped) {
        if (!text.blocks.empty() || text.skipped->message.empty()) std::abort();
        return;
    }
    // Small chunks, so that the splitting and overlap paths run on small inputs.
    const documents::ChunkOptions options{.max_tokens = 24, .overlap_tokens = 8};
    for (const documents::Chunk& c : documents::chunk_blocks(text.blocks, options)) {
        if (c.tokens > options.max_tokens || c.text.empty()) std::abort();
        if (utf8::find_invalid(c.text) != std::string_view::npos) std::abort();
    }
}

}  // namespace qe::fuzz
