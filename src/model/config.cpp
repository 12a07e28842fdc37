#include "model/config.h"

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace qe {
namespace {

// Generous upper bounds: far above any Qwen2 model, low enough that sizes derived from them
// (KV cache, activations) cannot overflow or ask for absurd memory.
constexpr int kMaxLayers = 1024;
constexpr int kMaxDim = 1 << 16;
constexpr int kMaxHeads = 1024;
constexpr int kMaxHeadDim = 1024;
constexpr int kMaxFfn = 1 << 20;
constexpr int kMaxVocab = 1 << 24;
constexpr int kMaxContext = 1 << 24;

void check_range(std::vector<std::string>& problems, const char* field, int value, int lo, int hi) {
    if (value < lo || value > hi) {
        problems.push_back(std::string(field) + " = " + std::to_string(value) + " is outside " +
                           std::to_string(lo) + ".." + std::to_string(hi));
    }
}

void check_token(std::vector<std::string>& problems, const char* field, int id, int vocab) {
    if (id < -1 || (vocab > 0 && id >= vocab)) {
        problems.push_back(std::string(field) + " = " + std::to_string(id) +
                           " is not a token of the " + std::to_string(vocab) + "-entry vocabulary");
    }
}

}  // namespace

int ModelConfig::n_delta_net_layers() const {
    int n = 0;
    for (int l = 0; l < n_layers; ++l) n += is_delta_net_layer(l);
    return n;
}

void ModelConfig::validate() const {
    std::vector<std::string> problems;
    if (architecture.empty()) problems.push_back("architecture is empty");
    check_range(problems, "n_layers", n_layers, 1, kMaxLayers);
    check_range(problems, "dim", dim, 1, kMaxDim);
    check_range(problems, "n_heads", n_heads, 1, kMaxHeads);
    check_range(problems, "n_kv_heads", n_kv_heads, 1, kMaxHeads);
    check_range(problems, "head_dim", head_dim, 2, kMaxHeadDim);
    check_range(problems, "ffn_dim", ffn_dim, 1, kMaxFfn);
    check_range(problems, "vocab_size", vocab_size, 1, kMaxVocab);
    check_range(problems, "context_length", context_length, 1, kMaxContext);
    if (n_heads > 0 && n_kv_heads > 0 && n_heads % n_kv_heads != 0) {
        problems.push_back("n_heads (" + std::to_string(n_heads) +
                           ") is not a multiple of n_kv_heads (" + std::to_string(n_kv_heads) +
                           ")");
    }
    if (head_dim % 2 != 0) {
        problems.push_back("head_dim (" + std::to_string(head_dim) +
                           ") is odd; rotary embeddings rotate pairs");
    }
    if (!(std::isfinite(rope_theta) && rope_theta > 0)) {
        problems.push_back("rope_theta (" + std::to_string(rope_theta) + ") must be positive");
    }
    if (!(std::isfinite(rms_eps) && rms_eps > 0 && rms_eps < 1)) {
        problems.push_back("rms_eps (" + std::to_string(rms_eps) + ") must be in (0, 1)");
    }
    if (rope_dims != 0) {
        check_range(problems, "rope_dims", rope_dims, 2, head_dim);
        if (rope_dims % 2 != 0)
            problems.push_back("rope_dims (" + std::to_string(rope_dims) +
                               ") is odd; rotary embeddings rotate pairs");
    }
    if (full_attention_interval != 0) {
        check_range(problems, "full_attention_interval", full_attention_interval, 1, kMaxLayers);
        check_range(problems, "ssm_conv_kernel", ssm_conv_kernel, 1, 16);
        check_range(problems, "ssm_head_dim", ssm_head_dim, 1, kMaxHeadDim);
        check_range(problems, "ssm_k_heads", ssm_k_heads, 1, kMaxHeads);
        check_range(problems, "ssm_v_heads", ssm_v_heads, 1, kMaxHeads);
        if (ssm_k_heads > 0 && ssm_v_heads % ssm_k_heads != 0)
            problems.push_back("ssm_v_heads (" + std::to_string(ssm_v_heads) +
                               ") is not a multiple of ssm_k_heads (" +
                               std::to_string(ssm_k_heads) + ")");
    }
    check_token(problems, "bos_id", bos_id, vocab_size);
    check_token(problems, "eos_id", eos_id, vocab_size);
    check_token(problems, "pad_id", pad_id, vocab_size);
    if (problems.empty()) return;
    std::string message = "invalid model config: ";
    for (size_t i = 0; i < problems.size(); ++i) {
        if (i) message += "; ";
        message += problems[i];
    }
    throw Error(message);
}

}  // namespace qe
