// JSON as the API sends it: text kept as UTF-8 (no \u escapes), broken UTF-8 from a model
// replaced rather than thrown on; and OpenAI's error object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "server/api_error.h"

namespace qe {

inline std::string dump_json(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

inline nlohmann::ordered_json error_body(const ApiError& e) {
    using json = nlohmann::ordered_json;
    return {{"error",
             {{"message", e.message},
              {"type", e.type},
              {"param", e.param.empty() ? json(nullptr) : json(e.param)},
              {"code", e.code.empty() ? json(nullptr) : json(e.code)}}}};
}

}  // namespace qe
