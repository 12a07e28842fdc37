// What the knowledge base stores: a file's chunks, each with where it came from, or the reason
// the file was skipped. Plain data, so that the storage can be written against it alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "documents/skip_reason.h"

namespace qe::documents {

struct Chunk {
    std::string text;                       // UTF-8, never cut inside a character
    std::vector<std::string> heading_path;  // outermost heading first; empty before any heading
    std::optional<int> page;                // 1-based page (PDF, OFD) or slide (PPTX)
    int tokens = 0;                         // estimate_tokens(text), see token_estimate.h
};

struct Document {
    std::string file;             // the path as given to import_document()
    std::vector<Chunk> chunks;    // empty when skipped
    std::optional<Skip> skipped;  // why the file was not imported
};

}  // namespace qe::documents
