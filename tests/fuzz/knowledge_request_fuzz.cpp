// Any bytes as a knowledge request body (create, search, a chat's "knowledge" field): must parse
// or be refused with an ApiException, and what parses holds what the handlers rely on.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/knowledge_request.h"
#include "server/openai_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    nlohmann::ordered_json json;
    try {
        json = qe::parse_json_body(body);
    } catch (const qe::ApiException&) {
        return 0;
    }
    try {
        if (qe::parse_create_base(json).empty()) __builtin_trap();
    } catch (const qe::ApiException&) {
    }
    try {
        const auto r = qe::parse_knowledge_search(json);
        if (r.query.empty() || r.top_k < 1 || r.top_k > qe::kMaxKnowledgeTopK) __builtin_trap();
    } catch (const qe::ApiException&) {
    }
    try {
        const auto c = qe::parse_chat_knowledge(json, "默认");
        if (c && (c->base.empty() || c->top_k < 1 || c->top_k > qe::kMaxKnowledgeTopK))
            __builtin_trap();
    } catch (const qe::ApiException&) {
    }
    return 0;
}
