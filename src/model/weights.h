// The Qwen2 weights, bound by name from a model file and checked against the config's shapes.
//
// Matrices stay where the file maps them (any tensor type); the small vectors (norm weights and
// biases) are decoded to float at load, since every path reads them as float.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "model/config.h"

namespace qe {

class ModelFile;

struct LayerWeights {
    std::vector<float> attn_norm;  // [dim]
    TensorView wq;                 // [n_heads * head_dim, dim]
    std::vector<float> bq;         // [n_heads * head_dim]
    TensorView wk;                 // [n_kv_heads * head_dim, dim]
    std::vector<float> bk;         // [n_kv_heads * head_dim]
    TensorView wv;                 // [n_kv_heads * head_dim, dim]
    std::vector<float> bv;         // [n_kv_heads * head_dim]
    std::vector<float> q_norm;     // [head_dim] shared by the query heads (qk_norm models)
    std::vector<float> k_norm;     // [head_dim] shared by the key heads
    TensorView wo;                 // [dim, n_heads * head_dim]
    std::vector<float> ffn_norm;   // [dim]
    TensorView w_gate;             // [ffn_dim, dim]
    TensorView w_up;               // [ffn_dim, dim]
    TensorView w_down;             // [dim, ffn_dim]
};

struct Weights {
    TensorView token_embd;             // [vocab_size, dim]
    std::vector<LayerWeights> layers;  // [n_layers]
    std::vector<float> output_norm;    // [dim]
    TensorView output;                 // [vocab_size, dim]; token_embd itself when tied
};

// Binds every tensor through the file's validating accessor: a missing tensor, a wrong shape or a
// row that is not a whole number of blocks throws qe::Error naming the tensor, expected vs actual.
Weights bind_weights(const ModelFile& file, const ModelConfig& config);

// Throws qe::Error unless t is [rows, cols] with rows of whole blocks and nbytes that match.
void check_matrix(const TensorView& t, int64_t rows, int64_t cols);

}  // namespace qe
