// The Qwen2 forward pass, fast path: the same steps as forward_reference() (the spec it is tested
// against), with the work of each step split across a thread pool and the matrix products done
// by matmul(). Activations live in a RunState allocated once.
#pragma once

#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/matmul.h"
#include "model/weights.h"

namespace qe {

// Activations of one batch of up to max_batch positions.
struct RunState {
    RunState(const ModelConfig& c, int max_batch, int n_threads);

    int max_batch;
    std::vector<float> x;               // [max_batch, dim] the residual stream
    std::vector<float> xn;              // [max_batch, dim] normalised input of a block
    std::vector<float> q;               // [max_batch, n_heads * head_dim]
    std::vector<float> k;               // [max_batch, n_kv_heads * head_dim]
    std::vector<float> v;               // [max_batch, n_kv_heads * head_dim]
    std::vector<float> att;             // [max_batch, n_heads * head_dim] attention output
    std::vector<float> proj;            // [max_batch, dim] a block's output before the residual add
    std::vector<float> gate;            // [max_batch, ffn_dim]
    std::vector<float> up;              // [max_batch, ffn_dim]
    std::vector<float> rope_cos;        // [max_batch, head_dim / 2] for the batch's positions
    std::vector<float> rope_sin;        // [max_batch, head_dim / 2]
    std::vector<float> logits;          // [positions asked for, vocab_size]
    MatmulInput xn_in, att_in, act_in;  // xn, att and gate prepared for the kernels
};

// One layer's matrices as the kernels take them (views of the same file bytes as Weights).
struct LayerMatrices {
    Matrix wq;      // [n_heads * head_dim, dim]
    Matrix wk;      // [n_kv_heads * head_dim, dim]
    Matrix wv;      // [n_kv_heads * head_dim, dim]
    Matrix wo;      // [dim, n_heads * head_dim]
    Matrix w_gate;  // [ffn_dim, dim]
    Matrix w_up;    // [ffn_dim, dim]
    Matrix w_down;  // [dim, ffn_dim]
};

class Qwen2 {
  public:
    // Longer batches are evaluated in pieces of max_batch positions (bounds the activations'
    // memory: about max_batch * (4 * dim + 2 * ffn_dim + ...) floats).
    // `table` picks the kernels (default: the best for this CPU, see kernels()).
    Qwen2(const ModelConfig& config, const Weights& weights, ThreadPool& pool, int max_batch = 256,
          const KernelTable* table = nullptr);

    // Same contract as forward_reference(): evaluates ids at positions start_pos.. after those
    // already in kv, stores their keys/values, and returns logits [1 or n, vocab_size]. The span
    // stays valid until the next call.
    std::span<const float> forward(KVCache& kv, std::span<const int> ids, int start_pos,
                                   LogitsFor which, const ActivationDump* dump = nullptr);

    const ModelConfig& config() const { return config_; }

  private:
    // One piece of at most max_batch positions; logits rows go to logits_out.
    void forward_piece(KVCache& kv, std::span<const int> ids, int start_pos, bool logits_all,
                       bool logits_last, float* logits_out, const ActivationDump* dump);

    const ModelConfig& config_;
    const Weights& weights_;
    std::vector<LayerMatrices> layers_;  // [n_layers]
    Matrix output_;                      // [vocab_size, dim]
    ThreadPool& pool_;
    const KernelTable& k_;
    RunState s_;
};

}  // namespace qe
