#include "server/static_assets.h"

namespace qe {

const StaticAsset* find_static_asset(std::string_view path) {
    if (path == "/" || path.empty()) path = "/index.html";
    if (const size_t q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
    for (const auto& a : static_assets())
        if (a.path == path) return &a;
    return nullptr;
}

}  // namespace qe
