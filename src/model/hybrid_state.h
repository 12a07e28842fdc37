// What one sequence of a hybrid model (qwen35) keeps between passes: a KV cache for its
// full-attention layers and, for each Gated DeltaNet layer, a fixed-size recurrent state (the
// convolution's last inputs and the delta rule's state matrix per head).
//
// A recurrent state cannot be taken back to an earlier position, so the state keeps copies of
// itself (checkpoints) at the end of the chunks evaluated with SequenceChunk::keep (the engine
// asks at the end of each prompt and where the conversation before the generation prompt ends,
// which a next turn's prompt shares) and can always continue from where it is (the end of an
// answer). reusable_prefix(n) is the longest of these that is at most n.
//
// A verification chunk of speculative decoding (SequenceChunk::verify, at most kMaxVerifyChunk
// positions) can be taken back into until the next pass: the state keeps its recurrent values as
// they were at the chunk's start (a snapshot, taken layer by layer as the pass reaches each
// DeltaNet layer, while the layer's values are in the cache anyway) and each DeltaNet layer
// records its inputs at the chunk's positions (the input projection before the convolution and
// the gates' inputs). rewind(n) into the chunk only marks its first n - start positions to be
// replayed: the next pass, at each DeltaNet layer, replays them on the snapshot (the recurrent
// form is token by token, so the result is bit for bit the state of evaluating only them) and
// continues from there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "model/config.h"
#include "model/forward_model.h"
#include "model/kv_cache.h"

namespace qe {

class HybridState final : public SequenceState {
  public:
    // Throws qe::Error for a kv_type other than F16/F32 or n_ctx < 1.
    HybridState(const ModelConfig& config, int n_ctx, DType kv_type);

    int n_ctx() const override { return kv_.n_ctx(); }
    size_t bytes() const override;
    int reusable_prefix(int n) const override;
    bool resumes_at_kept_points() const override { return true; }
    // Throws qe::Error unless n is a position reusable_prefix() gives.
    void rewind(int n) override;
    void copy_prefix(const SequenceState& source, int n) override;

    // Positions evaluated so far: the next pass must start here.
    int n_evaluated() const { return pos_; }
    // Throws qe::Error unless a pass may start at start_pos (== n_evaluated()).
    void check_start(int start_pos) const;
    // A pass evaluating n positions from n_evaluated() begins (after check_start), a verification
    // chunk or not.
    void begin_pass(int n, bool verify);
    // The forward pass has evaluated a chunk of n_new positions into the state; with `keep` it
    // keeps a checkpoint there.
    void advance(int n_new, bool keep);

    // Brings DeltaNet layer d to where the pass continues, before the pass reads the layer's
    // state; only the first call of a pass for a layer does something. A state rewound into its
    // last verification chunk has `replay` apply the chunk's first recorded rows ([n,
    // record_width]) to the snapshot's values of the layer (conv: [kernel - 1, conv_dim], delta:
    // [ssm_v_heads, ssm_head_dim, ssm_head_dim]) and continues from them; a verification chunk
    // snapshots the layer. The copies are split across `pool` when there is one.
    using Replay = std::function<void(float* conv, float* delta, const float* rows, int n)>;
    void prepare_layer(int delta_layer, const Replay& replay, ThreadPool* pool = nullptr);
    // Where DeltaNet layer d records its inputs at the next n positions of a verification chunk,
    // in order ([n, record_width]: the input projection [ssm_conv_dim] | alpha [ssm_v_heads] |
    // beta [ssm_v_heads]), or nullptr when the pass is no verification chunk.
    float* record_rows(int delta_layer, int n);
    static int record_width(const ModelConfig& config);

    // The full-attention layers' cache, indexed by attention layer (0, 1, ... in layer order).
    KVCache& kv() { return kv_; }
    // Layer `delta_layer` (0, 1, ... over the DeltaNet layers in layer order):
    // the convolution's last ssm_conv_kernel - 1 inputs, oldest first: [kernel - 1, conv_dim]
    float* conv(int delta_layer) { return &now_[delta_layer * layer_floats_]; }
    // the delta rule's state of value head h: S[key i][value j], [ssm_head_dim, ssm_head_dim]
    float* delta(int delta_layer, int h) {
        return &now_[delta_layer * layer_floats_ + conv_floats_ + h * head_floats_];
    }

    // Bytes of the recurrent part (every DeltaNet layer), the same for any context length: the
    // state and what verification chunks keep (a snapshot of it and the recorded inputs).
    static size_t recurrent_bytes(const ModelConfig& config);
    // Checkpoints kept at most (the oldest goes first).
    static constexpr size_t kMaxCheckpoints = 2;

  private:
    struct Checkpoint {
        int pos;
        std::vector<float> values;  // a copy of now_
    };

    // A position of the last verification chunk, its end included, while it can be taken back.
    bool in_window(int n) const {
        return window_start_ >= 0 && n >= window_start_ && n <= pos_end_;
    }

    KVCache kv_;
    size_t conv_floats_, head_floats_, layer_floats_, record_floats_;
    std::vector<float> now_;  // [DeltaNet layers][conv | delta of every head]
    int pos_ = 0;
    std::deque<Checkpoint> checkpoints_;  // increasing positions, all < pos_ or == pos_

    // The last verification chunk, [window_start_, pos_end_], or window_start_ = -1.
    int window_start_ = -1, pos_end_ = 0;
    std::vector<float> snapshot_;  // like now_: the values at window_start_ (layers prepared)
    std::vector<float> record_;    // [DeltaNet layers][kMaxVerifyChunk, record_width]
    // Rows of record_ the next pass replays on snapshot_ before it continues (-1: it continues
    // from now_).
    int replay_ = -1;
    bool verifying_ = false;          // the pass in progress is a verification chunk
    std::vector<uint8_t> layer_due_;  // [DeltaNet layers] prepare_layer has work in this pass
    std::vector<int> recorded_;       // [DeltaNet layers] rows recorded in this pass
};

// The config of the KV cache a hybrid model needs: its full-attention layers only.
ModelConfig attention_layers_only(const ModelConfig& config);

}  // namespace qe
