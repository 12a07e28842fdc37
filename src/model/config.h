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
    // Hybrid models (qwen35; all 0 for attention-only ones). Layer l is full attention when
    // (l + 1) % full_attention_interval == 0, a Gated DeltaNet layer otherwise.
    int full_attention_interval = 0;
    int rope_dims = 0;              // leading dims of each head that rotate (0: all of head_dim)
    bool attn_output_gate = false;  // attn_q yields per head [query | sigmoid gate of the output]
    int ssm_conv_kernel = 0;        // width of the causal depthwise convolution
    int ssm_head_dim = 0;           // DeltaNet key and value head size (ssm.state_size)
    int ssm_k_heads = 0;            // DeltaNet key heads (ssm.group_count)
    int ssm_v_heads = 0;            // DeltaNet value heads (ssm.time_step_rank)
    int mtp_layers = 0;             // multi-token-prediction blocks after the layers (not run)
    int bos_id = -1;                // -1 when absent
    int eos_id = -1;
    int pad_id = -1;
    bool add_bos = false;
    bool has_chat_template = false;

    bool is_delta_net_layer(int l) const {
        return full_attention_interval > 0 && (l + 1) % full_attention_interval != 0;
    }
    int n_delta_net_layers() const;
    int rotary_dims() const { return rope_dims > 0 ? rope_dims : head_dim; }
    int ssm_k_dim() const { return ssm_k_heads * ssm_head_dim; }        // all key heads
    int ssm_v_dim() const { return ssm_v_heads * ssm_head_dim; }        // all value heads
    int ssm_conv_dim() const { return 2 * ssm_k_dim() + ssm_v_dim(); }  // [q | k | v] channels

    // Throws qe::Error listing every inconsistent field (e.g. dim % n_heads != 0).
    void validate() const;
};

}  // namespace qe
