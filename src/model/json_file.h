// Reads a small JSON file from disk (config.json, tokenizer.json, ...) with a size cap, duplicate
// key detection and error messages that name the file and offset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace qe {

inline constexpr uint64_t kMaxJsonFileBytes = 256ull << 20;

nlohmann::json read_json_file(const std::filesystem::path& path,
                              uint64_t max_bytes = kMaxJsonFileBytes);

}  // namespace qe
