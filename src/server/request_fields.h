// Checks shared by the small request schemas (embeddings, rerank) that refuse what they don't know.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

namespace qe {

// Throws ApiException (400, unknown_parameter) naming the first field of `body` (an object) that
// is not in `known`, and listing those: "'x' is not a field of {what} (a, b, c)".
void refuse_unknown_fields(const nlohmann::ordered_json& body,
                           std::span<const std::string_view> known, std::string_view what);
inline void refuse_unknown_fields(const nlohmann::ordered_json& body,
                                  std::initializer_list<std::string_view> known,
                                  std::string_view what) {
    refuse_unknown_fields(body, std::span(known.begin(), known.size()), what);
}

}  // namespace qe
