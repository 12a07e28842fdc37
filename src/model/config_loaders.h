// ModelConfig from a model's own files: GGUF metadata, or a Hugging Face folder's JSON files.
// Values are read, never guessed; where a key may be absent, the default is the one the format's
// own specification or library defines (noted beside each). Errors name the file and the key.
// The result is not yet validated: the caller runs ModelConfig::validate().
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "io/gguf.h"
#include "model/config.h"

namespace qe {

// GGUF: general.architecture, ARCH.block_count, ARCH.embedding_length, ARCH.attention.head_count,
// ARCH.attention.head_count_kv, ARCH.feed_forward_length, ARCH.context_length,
// ARCH.rope.freq_base, ARCH.attention.layer_norm_rms_epsilon, tokenizer.ggml.*; the vocabulary
// size is token_embd.weight's rows, and embeddings are tied when output.weight is absent.
ModelConfig config_from_gguf(const GgufFile& file, const std::string& path);

// HF: config.json (required), tokenizer_config.json and generation_config.json (optional).
// `embedding_rows` is the row count of model.embed_tokens.weight, cross-checked with vocab_size.
ModelConfig config_from_hf(const std::filesystem::path& folder, int64_t embedding_rows);

}  // namespace qe
