// The body of POST /v1/rerank -> a validated request. The schema llama.cpp's server and Jina's
// API share (Cohere's too): `query`, `documents` (strings, or objects {"text": ...}), `top_n`,
// `return_documents`, `model`; and our one extra, `instruction` (Qwen3-Reranker's task
// instruction). Any other field is refused by name, as in the embeddings request: a misspelt
// field silently ignored would rank by other rules than the client meant.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/api_error.h"

namespace qe {

struct RerankRequest {
    std::string query;                   // not empty
    std::vector<std::string> documents;  // at least one (an empty text is a document too)
    std::string model;                   // empty when absent
    size_t top_n = 0;                    // results to return; 0: all
    bool return_documents = false;       // each result carries {"document": {"text": ...}}
    std::optional<std::string> instruction;
};

inline constexpr size_t kMaxRerankDocuments = 1000;  // as Cohere's and Jina's APIs

// Throws ApiException (400) naming the field at fault.
RerankRequest parse_rerank_request(const nlohmann::ordered_json& body);

}  // namespace qe
