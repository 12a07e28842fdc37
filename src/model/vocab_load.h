// Reading a tokenizer's vocabulary out of a model's files: GGUF metadata (vocab_gguf.cpp) or the
// tokenizer.json and tokenizer_config.json of a Hugging Face folder (vocab_hf.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tokenizer/vocab.h"

namespace qe {

struct GgufFile;

// From GGUF metadata: tokenizer.ggml.model must be "gpt2" and tokenizer.ggml.pre "qwen2" (the
// split pattern the tokenizer implements); tokens, token_type, merges and the special ids are
// read.
// Throws qe::Error naming the key and the problem.
Vocab vocab_from_gguf(const GgufFile& gguf, const std::string& name);

// From a Hugging Face folder: tokenizer.json (model, added_tokens; the normalizer,
// pre-tokenizer and decoder must be Qwen2's) and, when present, tokenizer_config.json
// (added_tokens_decoder, bos/eos/pad tokens, add_bos_token).
Vocab vocab_from_hf(const std::string& folder);

// The same over the files' text (a pure function, for tests and fuzzing); the names are used in
// messages. Without `config_json`, no tokenizer_config.json.
Vocab vocab_from_hf_json(std::string_view tokenizer_json, const std::string& tokenizer_name,
                         std::optional<std::string_view> config_json,
                         const std::string& config_name);

}  // namespace qe
