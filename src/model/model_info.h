// A summary of a model for people and scripts (`qwen-edge info`): what the file is, its shape,
// its tensor types and special tokens.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "model/model_file.h"

namespace qe {

struct SpecialToken {
    int id = -1;
    std::optional<std::string> text;  // when the vocabulary is at hand
};

struct ModelInfo {
    std::string format;                       // "gguf" or "huggingface"
    uint32_t gguf_version = 0;                // 0 for a Hugging Face folder
    std::optional<int> file_type_id;          // general.file_type
    std::optional<std::string> file_type;     // its name: "Q4_K_M"
    std::string dominant_type;                // the type holding most matrix parameters: "q5_0"
    double dominant_share = 0;                // of matrix parameters, 0..1
    std::map<std::string, int> tensor_types;  // "q5_0" -> tensor count
    int64_t parameters = 0;
    uint64_t weight_bytes = 0;
    uint64_t file_bytes = 0;
    SpecialToken bos, eos, pad;
};

ModelInfo describe(const ModelFile& model);

}  // namespace qe
