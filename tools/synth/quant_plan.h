// Which tensor type each weight gets in a file of a given type, following llama.cpp's
// llama-quantize for Qwen2 and Qwen3 models (no importance matrix), so synthetic files look like
// the official ones (the Qwen3.5 tensor names are followed too, so the plan matches every golden
// file):
//   - 1-D tensors (norms, Qwen3's per-head attn_q_norm/attn_k_norm, biases) stay F32, and so does
//     ssm_conv1d (Qwen3.5's DeltaNet conv).
//   - The output head, or token_embd when embeddings are tied, gets Q6_K (Q8_0 when the file type
//     is Q8_0, or when its rows are not whole blocks of the file's base type).
//   - Mixes bump some tensors: attn_v and a fused attn_qkv (Q2_K: Q4_K with >= 4 query heads
//     per KV head, else Q3_K; Q3_K_M: Q5_K in layers 0-1, else Q4_K; Q3_K_L: Q5_K;
//     Q4_K_M/Q5_K_M: Q6_K in "more bits" layers; Q4_K_S: Q5_K in layers 0-3), ffn_down (Q2_K:
//     Q3_K; Q3_K_M: Q5_K in the first sixteenth of layers, else Q4_K; Q3_K_L: Q5_K;
//     Q4_K_M/Q5_K_M: Q6_K in "more bits" layers; Q4_K_S: Q5_K in the first eighth), attn_output
//     (Q2_K: Q3_K; Q3_K_M: Q4_K; Q3_K_L: Q5_K).
//     "More bits" layers: i < n/8, i >= 7n/8, or (i - n/8) % 3 == 2.
//     The same rules for Qwen3: its query width (heads x 128) may differ from the hidden size,
//     but every real Qwen3 width is whole 256-element blocks, so nothing falls back.
//   - A K-type whose rows are not whole 256-element blocks (hidden size 896!) falls back:
//     Q2_K/Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; if the rows are not whole
//     32-element blocks either, F16. (Recent llama.cpp sends Q2_K/Q3_K to IQ4_NL instead; the
//     official Qwen2.5 files and the golden files were made before that and use Q4_0.)
// "Pure" files put every matrix in the base type, with the same fallback.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"

namespace qe::synth {

struct FileType {
    std::string name;  // "q4_k_m"
    int id = 0;        // general.file_type (llama.cpp's LLAMA_FTYPE)
    DType base = DType::F16;
    bool pure = false;
};

// f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k_s q3_k_m q3_k_l q4_k_s q4_k_m q5_k_s q5_k_m
// q6_k, and q3_k/q4_k/q5_k for the pure _m variants. nullopt for other names.
std::optional<FileType> parse_file_type(std::string_view name);
std::vector<std::string> file_type_names();

struct TensorContext {
    int n_layers = 0;
    int n_heads = 0;
    int n_kv_heads = 0;
    bool has_output = false;  // a separate output.weight (untied embeddings)
};

// The type of tensor `name` (GGUF naming) of shape `shape` (outermost first).
DType tensor_type(const FileType& file, const std::string& name, const std::vector<int64_t>& shape,
                  const TensorContext& ctx);

}  // namespace qe::synth
