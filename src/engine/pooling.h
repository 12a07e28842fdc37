// How an embedding model turns its per-position hidden states into one vector, as its files say:
// a GGUF's `<arch>.pooling_type`, or a sentence-transformers folder's pooling module
// (modules.json → 1_Pooling/config.json), as Qwen3-Embedding's Hugging Face folder carries it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace qe {

enum class Pooling { Last, Mean };

// llama.cpp's numbers: 0 none, 1 mean, 2 cls, 3 last, 4 rank. No key (the official
// Qwen3-Embedding GGUFs have none): last-token pooling. Throws qe::Error naming a pooling this
// program does not do.
Pooling pooling_from_gguf(std::optional<int64_t> pooling_type);

// The pooling of a Hugging Face folder's sentence-transformers pooling module; nullopt when the
// folder has none (no modules.json, or no Pooling module in it). Throws qe::Error naming the file
// for a malformed one, or a pooling mode this program does not do.
std::optional<Pooling> pooling_from_hf_folder(const std::filesystem::path& folder);

}  // namespace qe
