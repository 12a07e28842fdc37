#include "server/knowledge_request.h"

#include "core/error.h"
#include "knowledge/data_dir.h"
#include "server/request_fields.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

std::string checked_name(const std::string& name, const std::string& param) {
    try {
        knowledge::validate_base_name(name);
    } catch (const Error& e) {
        api_fail(param, e.what());
    }
    return name;
}

int top_k_of(const json& body, const std::string& param) {
    const auto it = body.find("top_k");
    if (it == body.end() || it->is_null()) return kDefaultKnowledgeTopK;
    if (!it->is_number_integer())
        api_fail(param, "'" + param + "' must be an integer", "invalid_type");
    const int64_t k =
        it->is_number_unsigned() && it->get<uint64_t>() > 1000 ? 1000 : it->get<int64_t>();
    if (k < 1 || k > kMaxKnowledgeTopK)
        api_fail(param,
                 "'" + param + "' must be between 1 and " + std::to_string(kMaxKnowledgeTopK));
    return int(k);
}

}  // namespace

std::string parse_create_base(const json& body) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    refuse_unknown_fields(body, {"name"}, "a knowledge base");
    const auto it = body.find("name");
    if (it == body.end() || !it->is_string())
        api_fail("name", "'name' must be a string (the base's name)", "invalid_type");
    return checked_name(it->get<std::string>(), "name");
}

KnowledgeSearchRequest parse_knowledge_search(const json& body) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    refuse_unknown_fields(body, {"query", "top_k"}, "a knowledge search");
    KnowledgeSearchRequest r;
    const auto q = body.find("query");
    if (q == body.end() || !q->is_string())
        api_fail("query", "'query' must be a string (the question)", "invalid_type");
    r.query = q->get<std::string>();
    if (r.query.empty()) api_fail("query", "'query' must not be empty");
    if (r.query.size() > kMaxQuestionBytes)
        api_fail("query", "'query' is longer than " + std::to_string(kMaxQuestionBytes) + " bytes");
    r.top_k = top_k_of(body, "top_k");
    return r;
}

std::optional<KnowledgeChoice> parse_chat_knowledge(const json& body,
                                                    const std::string& default_base) {
    if (!body.is_object()) return std::nullopt;
    const auto it = body.find("knowledge");
    if (it == body.end() || it->is_null()) return std::nullopt;
    const json& k = *it;
    KnowledgeChoice c;
    c.base = default_base;
    if (k.is_boolean()) {
        if (!k.get<bool>()) return std::nullopt;
    } else if (k.is_object()) {
        try {
            refuse_unknown_fields(k, {"base", "top_k"}, "knowledge");
        } catch (ApiException& e) {
            e.error.param = "knowledge." + e.error.param;
            throw;
        }
        if (const auto b = k.find("base"); b != k.end() && !b->is_null()) {
            if (!b->is_string())
                api_fail("knowledge.base", "'knowledge.base' must be a string", "invalid_type");
            c.base = checked_name(b->get<std::string>(), "knowledge.base");
        }
        c.top_k = top_k_of(k, "knowledge.top_k");
    } else {
        api_fail("knowledge", "'knowledge' must be true, false or an object {\"base\", \"top_k\"}",
                 "invalid_type");
    }
    if (c.base.empty())
        api_fail("knowledge",
                 "this server has no default knowledge base (serve --kb NAME): name one with "
                 "{\"knowledge\": {\"base\": \"NAME\"}}");
    return c;
}

std::string base_name_from_path(const std::string& decoded) {
    return checked_name(decoded, "name");
}

}  // namespace qe
