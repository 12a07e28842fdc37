// The web chat's files, embedded into the binary at build time (cmake/embed_assets.cmake).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace qe {

struct StaticAsset {
    std::string_view path;  // "/index.html", "/assets/index-3f2a.js"
    std::string_view content_type;
    const unsigned char* data;
    size_t size;
    bool immutable;  // the name carries a content hash: cache forever
};

std::span<const StaticAsset> static_assets();

// "/" serves /index.html. Only exact paths of embedded files match, so nothing outside the
// assets can be reached ("/../etc/passwd" is just an unknown name).
const StaticAsset* find_static_asset(std::string_view path);

}  // namespace qe
