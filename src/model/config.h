// The model's hyper-parameters, read from the file (GGUF keys or config.json), never guessed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace qe {

struct ModelConfig {
    std::string architecture;  // "qwen2"
    std::string name;          // general.name or the folder name
    int n_layers = 0;
    int dim = 0;         // hidden size
    int n_heads = 0;     // query heads
    int n_kv_heads = 0;  // key/value heads (grouped-query attention)
    int head_dim = 0;    // dim / n_heads
    int ffn_dim = 0;     // intermediate size of the SwiGLU MLP
    int vocab_size = 0;  // rows of the embedding matrix
    int context_length = 0;
    float rope_theta = 0;
    float rms_eps = 0;
    bool tied_embeddings = false;  // output head shares token_embd
    bool qkv_bias = true;          // Q/K/V projections have biases (see architecture.h)
    bool qk_norm = false;          // per-head RMSNorm of Q and K before RoPE
    int bos_id = -1;               // -1 when absent
    int eos_id = -1;
    int pad_id = -1;
    bool add_bos = false;
    bool has_chat_template = false;

    // Throws qe::Error listing every inconsistent field (e.g. dim % n_heads != 0).
    void validate() const;
};

}  // namespace qe
