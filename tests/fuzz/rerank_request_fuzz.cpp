// Any bytes as a rerank request body: must parse or be refused with an ApiException.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/openai_request.h"
#include "server/rerank_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    try {
        const auto json = qe::parse_json_body(body);
        const auto r = qe::parse_rerank_request(json);
        // What the handler relies on: a query, documents within the limit, top_n within them.
        if (r.query.empty() || r.documents.empty() ||
            r.documents.size() > qe::kMaxRerankDocuments || r.top_n > r.documents.size())
            __builtin_trap();
    } catch (const qe::ApiException&) {
    }
    return 0;
}
