// The knowledge endpoints' JSON bodies -> validated requests (docs/API.md, "Knowledge bases").
// Unknown fields are refused (request_fields.h); every bad field throws ApiException naming it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/api_error.h"

namespace qe {

inline constexpr int kDefaultKnowledgeTopK = 5;
inline constexpr int kMaxKnowledgeTopK = 20;
inline constexpr size_t kMaxQuestionBytes = 8192;

// POST /v1/knowledge {"name"}: the name, checked as a base name (400 invalid_value otherwise).
std::string parse_create_base(const nlohmann::ordered_json& body);

struct KnowledgeSearchRequest {
    std::string query;
    int top_k = kDefaultKnowledgeTopK;
};
// POST /v1/knowledge/{name}/search {"query", "top_k"}.
KnowledgeSearchRequest parse_knowledge_search(const nlohmann::ordered_json& body);

struct KnowledgeChoice {
    std::string base;
    int top_k = kDefaultKnowledgeTopK;
};
// A chat request's "knowledge" field: absent, null or false: none; true: the server's default
// base (400 when it has none); {"base", "top_k"} (base may be left out when there is a default).
std::optional<KnowledgeChoice> parse_chat_knowledge(const nlohmann::ordered_json& body,
                                                    const std::string& default_base);

// A base name from a request path (the HTTP layer has percent-decoded it), checked: 400 when it
// is not a base name.
std::string base_name_from_path(const std::string& decoded);

}  // namespace qe
