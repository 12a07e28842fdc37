// What one sequence of a hybrid model (qwen35) keeps between passes: a KV cache for its
// full-attention layers and, for each Gated DeltaNet layer, a fixed-size recurrent state (the
// convolution's last inputs and the delta rule's state matrix per head).
//
// A recurrent state cannot be taken back to an earlier position, so the state keeps copies of
// itself (checkpoints) at the end of the chunks evaluated with SequenceChunk::keep (the engine
// asks at the end of each prompt and where the conversation before the generation prompt ends,
// which a next turn's prompt shares) and can always continue from where it is (the end of an
// answer). reusable_prefix(n) is the longest of these that is at most n.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "core/dtype.h"
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
    // The forward pass has evaluated a chunk of n_new positions into the state; with `keep` it
    // keeps a checkpoint there.
    void advance(int n_new, bool keep);

    // The full-attention layers' cache, indexed by attention layer (0, 1, ... in layer order).
    KVCache& kv() { return kv_; }
    // Layer `delta_layer` (0, 1, ... over the DeltaNet layers in layer order):
    // the convolution's last ssm_conv_kernel - 1 inputs, oldest first: [kernel - 1, conv_dim]
    float* conv(int delta_layer) { return &now_[delta_layer * layer_floats_]; }
    // the delta rule's state of value head h: S[key i][value j], [ssm_head_dim, ssm_head_dim]
    float* delta(int delta_layer, int h) {
        return &now_[delta_layer * layer_floats_ + conv_floats_ + h * head_floats_];
    }

    // Bytes of the recurrent part (every DeltaNet layer), the same for any context length.
    static size_t recurrent_bytes(const ModelConfig& config);
    // Checkpoints kept at most (the oldest goes first).
    static constexpr size_t kMaxCheckpoints = 2;

  private:
    struct Checkpoint {
        int pos;
        std::vector<float> values;  // a copy of now_
    };

    KVCache kv_;
    size_t conv_floats_, head_floats_, layer_floats_;
    std::vector<float> now_;  // [DeltaNet layers][conv | delta of every head]
    int pos_ = 0;
    std::deque<Checkpoint> checkpoints_;  // increasing positions, all < pos_ or == pos_
};

// The config of the KV cache a hybrid model needs: its full-attention layers only.
ModelConfig attention_layers_only(const ModelConfig& config);

}  // namespace qe
