// The plain forward pass of the Qwen2 family (Qwen2, Qwen3: the differences are config flags):
// the specification every faster path is tested against.
// One thread, float32 throughout, weights decoded a row at a time with qe::dequantize_row.
#pragma once

#include <span>
#include <vector>

#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/forward_model.h"
#include "model/kv_cache.h"
#include "model/weights.h"

namespace qe {

// Evaluates ids at positions start_pos .. start_pos + n - 1 as one batch (causal within it), after
// the positions already in kv, and stores the batch's keys/values into kv.
// Returns logits row-major [1 or n, vocab_size] as `which` asks.
// With `hidden`, the final-normed hidden states [1 or n, dim] instead of the logits.
std::vector<float> forward_reference(const ModelConfig& config, const Weights& weights, KVCache& kv,
                                     std::span<const int> ids, int start_pos, LogitsFor which,
                                     const ActivationDump* dump = nullptr, bool hidden = false);

// forward_reference() behind the engine's model interface: each chunk evaluated on its own.
class ReferenceModel final : public ForwardModel {
  public:
    ReferenceModel(const ModelConfig& config, const Weights& weights)
        : config_(config), weights_(weights) {}
    const ModelConfig& config() const override { return config_; }
    std::unique_ptr<SequenceState> new_sequence(int n_ctx, DType kv_type) const override;
    std::span<const float> forward(std::span<const SequenceChunk> chunks,
                                   ForwardOutput output = ForwardOutput::Logits) override;
    void set_dump(const ActivationDump* dump) override { dump_ = dump; }

  private:
    const ModelConfig& config_;
    const Weights& weights_;
    const ActivationDump* dump_ = nullptr;
    std::vector<float> logits_;
};

}  // namespace qe
