// The body of POST /v1/embeddings (OpenAI's schema) -> a validated request. Unlike the chat
// bodies, any field OpenAI's embeddings schema lacks (and our one extra, `instruction`) is
// refused by name: the schema is small, and a misspelt field silently ignored would give other
// vectors than the client meant.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/api_error.h"

namespace qe {

// One input: a text, or token ids (checked against the vocabulary later, by the API).
struct EmbeddingInput {
    std::optional<std::string> text;
    std::vector<int> ids;
};

struct EmbeddingRequest {
    std::vector<EmbeddingInput> inputs;  // at least one, none empty
    std::string model;                   // empty when absent
    int dimensions = 0;                  // 0: the model's; else >= 1 (checked against it later)
    bool base64 = false;                 // encoding_format "base64"
    // Qwen3-Embedding's query instruction: each input becomes
    // "Instruct: {instruction}\nQuery:{input}".
    std::optional<std::string> instruction;
};

inline constexpr size_t kMaxEmbeddingInputs = 2048;  // as OpenAI

// Throws ApiException (400) naming the field at fault.
EmbeddingRequest parse_embedding_request(const nlohmann::ordered_json& body);

// The text an input is embedded as under an instruction.
std::string instructed_query(const std::string& instruction, const std::string& query);

}  // namespace qe
