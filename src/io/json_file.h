// Reads a JSON file from disk (config.json, tokenizer.json, ...) with a size cap, duplicate key
// detection and error messages that name the file and offset. The caps keep a hostile file from
// becoming a JSON document many times its size in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace qe {

inline constexpr uint64_t kMaxConfigJsonBytes = 4ull << 20;      // config.json and friends
inline constexpr uint64_t kMaxTokenizerJsonBytes = 64ull << 20;  // tokenizer.json (Qwen's: 7 MB)

nlohmann::json read_json_file(const std::filesystem::path& path,
                              uint64_t max_bytes = kMaxConfigJsonBytes);

}  // namespace qe
