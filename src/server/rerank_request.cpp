#include "server/rerank_request.h"

#include <algorithm>

#include "server/request_fields.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

std::string document_text(const json& doc, size_t i) {
    const std::string where = "documents[" + std::to_string(i) + "]";
    if (doc.is_string()) return doc.get<std::string>();
    if (!doc.is_object())
        api_fail("documents", "'" + where + "' must be a string or an object {\"text\": ...}",
                 "invalid_type");
    try {
        refuse_unknown_fields(doc, {"text"}, "a document");
    } catch (ApiException& e) {  // named in full, under the request's field
        e.error.message =
            "'" + where + "." + e.error.param + "' is not a field of a document (text)";
        e.error.param = "documents";
        throw;
    }
    const auto text = doc.find("text");
    if (text == doc.end() || !text->is_string())
        api_fail("documents", "'" + where + ".text' must be a string", "invalid_type");
    return text->get<std::string>();
}

}  // namespace

RerankRequest parse_rerank_request(const json& body) {
    if (!body.is_object()) api_fail("", "the request body must be a JSON object", "invalid_type");
    refuse_unknown_fields(
        body, {"query", "documents", "model", "top_n", "return_documents", "instruction"},
        "a rerank request");

    RerankRequest r;
    const auto query = body.find("query");
    if (query == body.end() || query->is_null())
        api_fail("query", "'query' is required", "missing_required_parameter");
    if (!query->is_string()) api_fail("query", "'query' must be a string", "invalid_type");
    r.query = query->get<std::string>();
    if (r.query.empty()) api_fail("query", "'query' must not be empty");

    const auto docs = body.find("documents");
    if (docs == body.end() || docs->is_null())
        api_fail("documents", "'documents' is required", "missing_required_parameter");
    if (!docs->is_array())
        api_fail("documents", "'documents' must be an array of strings or {\"text\": ...} objects",
                 "invalid_type");
    if (docs->empty()) api_fail("documents", "'documents' must not be empty");
    if (docs->size() > kMaxRerankDocuments)
        api_fail("documents", "'documents' may hold at most " +
                                  std::to_string(kMaxRerankDocuments) + " documents");
    for (size_t i = 0; i < docs->size(); ++i) r.documents.push_back(document_text((*docs)[i], i));

    if (const auto m = body.find("model"); m != body.end() && !m->is_null()) {
        if (!m->is_string()) api_fail("model", "'model' must be a string", "invalid_type");
        r.model = m->get<std::string>();
    }
    if (const auto n = body.find("top_n"); n != body.end() && !n->is_null()) {
        if (!n->is_number_integer())
            api_fail("top_n", "'top_n' must be an integer", "invalid_type");
        // Parsed JSON holds a positive number as unsigned, one built in code as signed.
        const bool positive =
            n->is_number_unsigned() ? n->get<uint64_t>() >= 1 : n->get<int64_t>() >= 1;
        if (!positive) api_fail("top_n", "'top_n' must be at least 1");
        // More than there are documents: all of them (as llama.cpp and Jina do).
        r.top_n = size_t(std::min<uint64_t>(n->get<uint64_t>(), r.documents.size()));
    }
    if (const auto d = body.find("return_documents"); d != body.end() && !d->is_null()) {
        if (!d->is_boolean())
            api_fail("return_documents", "'return_documents' must be true or false",
                     "invalid_type");
        r.return_documents = d->get<bool>();
    }
    if (const auto ins = body.find("instruction"); ins != body.end() && !ins->is_null()) {
        if (!ins->is_string())
            api_fail("instruction", "'instruction' must be a string", "invalid_type");
        r.instruction = ins->get<std::string>();
    }
    return r;
}

}  // namespace qe
