// The plain forward pass of the hybrid Qwen3.5 family (GGUF `qwen35`): three Gated DeltaNet
// layers to one gated full-attention layer (ModelConfig::full_attention_interval). The
// specification the faster paths are tested against: one thread, float32 throughout, the delta
// rule applied token by token (its recurrent form).
#pragma once

#include <span>
#include <vector>

#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/forward_model.h"
#include "model/hybrid_state.h"
#include "model/weights.h"

namespace qe {

// Evaluates ids at positions start_pos .. start_pos + n - 1 after the positions already in
// `state` (start_pos must be state.n_evaluated()); with `keep` the state keeps a checkpoint at
// the end; with `verify` the positions are a verification chunk (SequenceChunk::verify). Returns
// logits [1 or n, vocab_size] as `which` asks, or with `hidden` the final-normed hidden states
// [1 or n, dim].
std::vector<float> forward_hybrid_reference(const ModelConfig& config, const Weights& weights,
                                            HybridState& state, std::span<const int> ids,
                                            int start_pos, LogitsFor which, bool keep,
                                            const ActivationDump* dump = nullptr,
                                            bool hidden = false, bool verify = false);

// forward_hybrid_reference() behind the engine's model interface: each chunk evaluated on its
// own, so a sequence's rows never depend on what shares the pass.
class HybridReferenceModel final : public ForwardModel {
  public:
    HybridReferenceModel(const ModelConfig& config, const Weights& weights)
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
