// Any bytes as an embeddings request body: must parse or be refused with an ApiException.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/embedding_request.h"
#include "server/openai_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    try {
        const auto json = qe::parse_json_body(body);
        const auto r = qe::parse_embedding_request(json);
        for (const auto& in : r.inputs)
            if (in.text ? in.text->empty() : in.ids.empty()) __builtin_trap();  // never empty
    } catch (const qe::ApiException&) {
    }
    return 0;
}
