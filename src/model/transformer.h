// The decoder-only transformer of the Qwen2 family, fast path: the same steps as
// forward_reference() (the spec it is tested against), with the work of each step split across a
// thread pool and the matrix products done by matmul(). What differs between the architectures
// it runs is read from the config's flags (QKV bias, head size, the hybrid models' Gated DeltaNet
// layers, partial rotary and output gate; their spec is forward_hybrid_reference()), never from a
// name. Activations live in a RunState allocated once.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/delta_net.h"
#include "model/forward_model.h"
#include "model/hybrid_state.h"
#include "model/kv_cache.h"
#include "model/matmul.h"
#include "model/matrices.h"
#include "model/weights.h"

namespace qe {

// Activations of one piece of up to max_batch positions.
struct RunState {
    RunState(const ModelConfig& c, int max_batch);

    int max_batch;
    std::vector<float> x;              // [max_batch, dim] the residual stream
    std::vector<float> xn;             // [max_batch, dim] normalised input of a block
    std::vector<float> q;              // [max_batch, n_heads * head_dim]
    std::vector<float> qg;             // [max_batch, n_heads * 2 * head_dim] query | output gate
    std::vector<float> attn_gate;      // [max_batch, n_heads * head_dim] (attn_output_gate)
    std::vector<float> k;              // [max_batch, n_kv_heads * head_dim]
    std::vector<float> v;              // [max_batch, n_kv_heads * head_dim]
    std::vector<float> att;            // [max_batch, n_heads * head_dim] attention output
    std::vector<float> proj;           // [max_batch, dim] a block's output before the residual add
    std::vector<float> gate;           // [max_batch, ffn_dim]
    std::vector<float> up;             // [max_batch, ffn_dim]
    std::vector<float> rope_cos;       // [max_batch, rotary_dims / 2] for the batch's positions
    std::vector<float> rope_sin;       // [max_batch, rotary_dims / 2]
    std::vector<float> logits;         // [rows asked for, vocab_size]
    std::vector<int> ids;              // [max_batch] the piece's tokens
    std::vector<int> pos;              // [max_batch] each position's place in its sequence
    std::vector<KVCache*> caches;      // [max_batch] each position's sequence
    std::vector<HybridState*> states;  // [max_batch] the same, its whole state (hybrid models)
    std::unique_ptr<DeltaNetScratch> delta;  // Gated DeltaNet activations (hybrid models)
    std::vector<int> out_rows;               // rows of the piece that want logits, in order
    MatmulInput xn_in, att_in, act_in;       // xn, att and gate prepared for the kernels
};

class Transformer final : public ForwardModel {
  public:
    // Passes longer than max_batch positions are evaluated in pieces of max_batch (bounds the
    // activations' memory: about max_batch * (4 * dim + 2 * ffn_dim + ...) floats). The matrices
    // come prepared for one kernel table (prepare_matrices()), which this pass then uses for
    // everything; config, weights and matrices must outlive it.
    Transformer(const ModelConfig& config, const Weights& weights, const Matrices& matrices,
                ThreadPool& pool, int max_batch = 256);

    const ModelConfig& config() const override { return config_; }
    std::unique_ptr<SequenceState> new_sequence(int n_ctx, DType kv_type) const override;
    // The positions of every chunk go through the layers together (the weights are read once for
    // all of them: decoding for many users costs little more than for one); each position's
    // keys/values go into its own sequence's cache.
    std::span<const float> forward(std::span<const SequenceChunk> chunks,
                                   ForwardOutput output = ForwardOutput::Logits) override;
    void set_dump(const ActivationDump* dump) override { dump_ = dump; }

    // Called on the forward pass's thread before each layer and before the output head, at
    // points where no matrix is being read: there the matrices may be swapped for equivalent ones
    // (MatrixRepacker::install_finished).
    void set_safe_point(std::function<void()> fn) { safe_point_ = std::move(fn); }

  private:
    // One piece of at most max_batch positions, laid out in s_ (ids, pos, caches, out_rows);
    // the logits (or, with `hidden`, the final-normed hidden states) of s_.out_rows go to out.
    void forward_piece(int n, float* out, bool hidden, const ActivationDump* dump);
    // Layer l's attention block over the piece's n positions (s_.xn_in set): into s_.proj.
    void attention_block(int l, int n, const ActivationDump* dump);

    const ModelConfig& config_;
    const Weights& weights_;
    const Matrices& matrices_;
    ThreadPool& pool_;
    const KernelTable& k_;
    RunState s_;
    const ActivationDump* dump_ = nullptr;
    std::vector<KVCache*> chunk_caches_;      // each chunk's cache, for the pass in progress
    std::vector<HybridState*> chunk_states_;  // each chunk's state (hybrid models)
    std::vector<int> kv_layer_;     // [n_layers] a layer's place in the KV cache (attention layers)
    std::vector<int> delta_layer_;  // [n_layers] a layer's place among the DeltaNet layers
    std::function<void()> safe_point_;
};

// The KV cache of a state made by new_sequence(); qe::Error if it is another model's state.
KVCache& kv_cache_of(SequenceState& state);

}  // namespace qe
