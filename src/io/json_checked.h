// JSON parsing for untrusted files: syntax errors carry the byte offset, duplicate keys are
// rejected (nlohmann would silently keep the last one), and nesting is limited so a hostile
// "[[[[..." cannot build millions of nested containers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace qe {

inline constexpr int kJsonMaxDepth = 64;

// Parses `text`; on error throws qe::Error "NAME: MESSAGE (at byte base_offset + position)".
nlohmann::json parse_json_checked(std::string_view text, const std::string& name,
                                  uint64_t base_offset = 0);

}  // namespace qe
