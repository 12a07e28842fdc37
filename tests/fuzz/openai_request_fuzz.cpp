// Any bytes as a chat or completion request body: must parse or be refused with an ApiException.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/openai_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    try {
        const auto json = qe::parse_json_body(body);
        qe::parse_chat_request(json, qe::SamplingParams{}, qe::RequestLimits{});
    } catch (const qe::ApiException&) {
    }
    try {
        const auto json = qe::parse_json_body(body);
        qe::parse_completion_request(json, qe::SamplingParams{}, qe::RequestLimits{});
    } catch (const qe::ApiException&) {
    }
    return 0;
}
