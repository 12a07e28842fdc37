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
    // Attention layers (every layer of attention-only models).
    TensorView wq;              // [n_heads * head_dim, dim]; with attn_output_gate
                                // [n_heads * 2 * head_dim, dim]: per head [query | gate]
    std::vector<float> bq;      // [n_heads * head_dim]
    TensorView wk;              // [n_kv_heads * head_dim, dim]
    std::vector<float> bk;      // [n_kv_heads * head_dim]
    TensorView wv;              // [n_kv_heads * head_dim, dim]
    std::vector<float> bv;      // [n_kv_heads * head_dim]
    std::vector<float> q_norm;  // [head_dim] shared by the query heads (qk_norm models)
    std::vector<float> k_norm;  // [head_dim] shared by the key heads
    TensorView wo;              // [dim, n_heads * head_dim]
    // Gated DeltaNet layers of hybrid models (see ModelConfig::is_delta_net_layer).
    TensorView ssm_qkv;              // [ssm_conv_dim, dim] rows [q | k | v] before the conv
    TensorView ssm_z;                // [ssm_v_dim, dim] the output norm's SiLU gate
    TensorView ssm_alpha;            // [ssm_v_heads, dim] per head, the decay's input
    TensorView ssm_beta;             // [ssm_v_heads, dim] per head, the write strength's input
    std::vector<float> ssm_conv;     // [ssm_conv_kernel, ssm_conv_dim] tap-major, oldest first
    std::vector<float> ssm_dt_bias;  // [ssm_v_heads]
    std::vector<float> ssm_a;        // [ssm_v_heads] = -exp(A_log), as the file stores it
    std::vector<float> ssm_norm;     // [ssm_head_dim] gated RMSNorm weight (plain, not 1 + w)
    TensorView ssm_out;              // [dim, ssm_v_dim]
    // Every layer.
    std::vector<float> ffn_norm;  // [dim] (qwen35: post_attention_norm)
    TensorView w_gate;            // [ffn_dim, dim]
    TensorView w_up;              // [ffn_dim, dim]
    TensorView w_down;            // [dim, ffn_dim]
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
