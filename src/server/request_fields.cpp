#include "server/request_fields.h"

#include <algorithm>
#include <string>

#include "server/api_error.h"

namespace qe {

void refuse_unknown_fields(const nlohmann::ordered_json& body,
                           std::span<const std::string_view> known, std::string_view what) {
    for (const auto& [name, value] : body.items()) {
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        api_fail(name, "'" + name + "' is not a field of " + std::string(what) + " (" + list + ")",
                 "unknown_parameter");
    }
}

}  // namespace qe
