// The Qwen2 forward pass, fast path: the same steps as forward_reference() (the spec it is tested
// against), with the work of each step split across a thread pool and the matrix products done
// by matmul(). Activations live in a RunState allocated once.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/matmul.h"
#include "model/matrices.h"
#include "model/weights.h"

namespace qe {

// Activations of one batch of up to max_batch positions.
struct RunState {
    RunState(const ModelConfig& c, int max_batch);

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
    std::vector<int> ids;               // [max_batch] a multi-sequence step's tokens
    std::vector<int> pos;               // [max_batch] each position's place in its sequence
    std::vector<KVCache*> caches;       // [max_batch] each position's sequence
    MatmulInput xn_in, att_in, act_in;  // xn, att and gate prepared for the kernels
};

// One sequence's next token, in a step that advances several sequences at once.
struct SequenceStep {
    KVCache* kv;  // the sequence's cache, filled at positions 0 .. pos - 1
    int id;       // the token evaluated at position pos
    int pos;
};

class Qwen2 {
  public:
    // Longer batches are evaluated in pieces of max_batch positions (bounds the activations'
    // memory: about max_batch * (4 * dim + 2 * ffn_dim + ...) floats).
    // The matrices come prepared for one kernel table (prepare_matrices()), which this pass
    // then uses for everything; config, weights and matrices must outlive it.
    Qwen2(const ModelConfig& config, const Weights& weights, const Matrices& matrices,
          ThreadPool& pool, int max_batch = 256);

    // Same contract as forward_reference(): evaluates ids at positions start_pos.. after those
    // already in kv, stores their keys/values, and returns logits [1 or n, vocab_size]. The span
    // stays valid until the next call.
    std::span<const float> forward(KVCache& kv, std::span<const int> ids, int start_pos,
                                   LogitsFor which, const ActivationDump* dump = nullptr);

    // Evaluates one token of each of several sequences in one pass (the weights are read once
    // for all of them: decoding for many users costs little more than for one) and returns
    // logits [steps.size(), vocab_size], row i for steps[i]. Each token's keys/values go into its
    // own cache. Throws qe::Error before any work when an id or a position is out of range.
    std::span<const float> forward_steps(std::span<const SequenceStep> steps);

    const ModelConfig& config() const { return config_; }

    // Called on the forward pass's thread before each layer and before the output head, at
    // points where no matrix is being read: there the matrices may be swapped for equivalent ones
    // (MatrixRepacker::install_finished).
    void set_safe_point(std::function<void()> fn) { safe_point_ = std::move(fn); }

  private:
    // One piece of at most max_batch positions: ids[t] goes at position s_.pos[t] of the
    // sequence s_.caches[t]. Logits rows go to logits_out.
    void forward_piece(std::span<const int> ids, bool logits_all, bool logits_last,
                       float* logits_out, const ActivationDump* dump);

    const ModelConfig& config_;
    const Weights& weights_;
    const Matrices& matrices_;
    ThreadPool& pool_;
    const KernelTable& k_;
    RunState s_;
    std::function<void()> safe_point_;
};

}  // namespace qe
