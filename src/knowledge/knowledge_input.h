// What the knowledge base stores and returns, as plain structs: the document reader and chunker
// produce DocumentInput; a search returns SearchHits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qe::knowledge {

struct ChunkInput {
    std::string text;
    std::vector<std::string> heading_path;  // outermost first: {"第三章", "3.2 报销"}
    std::optional<int> page;
};

struct DocumentInput {
    std::string path;          // the key: adding a path again replaces that document
    std::string content_hash;  // of the source file, to skip unchanged files on re-import
    std::vector<ChunkInput> chunks;
};

struct DocumentInfo {
    int64_t id = 0;
    std::string path;
    std::string content_hash;
    int64_t added_at = 0;  // Unix seconds
    int64_t chunk_count = 0;
};

struct SearchHit {
    int64_t chunk_id = 0;
    std::string document_path;
    int64_t ord = 0;  // the chunk's place in its document, from 0
    std::string text;
    std::string heading;  // the heading path joined by " > "
    std::optional<int> page;
    double score = 0;  // higher is better; its scale depends on the search
};

// The embedding model a base's vectors come from. A base keeps the one it was built with and
// refuses another (their vectors would not be comparable) until it is re-indexed.
struct EmbedderInfo {
    std::string name;
    std::string digest;  // of the model file
    int dims = 0;
    std::string instruction;  // the query instruction the model is used with
    bool operator==(const EmbedderInfo&) const = default;
};

}  // namespace qe::knowledge
