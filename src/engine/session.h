// One sequence evaluated directly, without the scheduler: a sequence state and the position
// reached, over a Runtime's forward pass (the same one the scheduler runs). For the commands and
// tests that need logits of a token sequence (`qwen-edge logits`, conformance checks); generation
// goes through the Scheduler.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/dtype.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/forward_model.h"
#include "model/runtime.h"
#include "model/weights.h"

namespace qe {

struct SessionOptions : RuntimeOptions {
    int n_ctx = 4096;            // positions; capped at the model's context length
    DType kv_type = DType::F16;  // F16 or F32
};

class Session {
  public:
    // A session with a runtime of its own. The model (config and weights) must outlive it.
    Session(const ModelConfig& config, const Weights& weights, const SessionOptions& options = {});
    // A session over a shared runtime, which must outlive it.
    Session(Runtime& runtime, int n_ctx, DType kv_type = DType::F16);

    // Evaluates ids after the n_past() positions already in the context and returns logits
    // [1 or n, vocab_size] (valid until the next call). Throws qe::Error (and leaves the session
    // as it was) on ids out of range or when they don't fit in the context.
    std::span<const float> eval(std::span<const int> ids, LogitsFor which = LogitsFor::Last);

    int n_past() const { return n_past_; }
    int n_ctx() const { return state_->n_ctx(); }
    const SequenceState& state() const { return *state_; }
    const ModelConfig& config() const { return runtime_->config(); }

    // Waits until the background repacking (if any) is done and puts every matrix in place.
    void finish_repacking() { runtime_->finish_repacking(); }

    // Forgets every position from n_past on (0 starts over). A recurrent state (Qwen3.5) goes
    // back only to 0, the end of an eval of more than one token, or where it is; other positions
    // throw qe::Error.
    void rewind(int n_past);

    // e.g. "context 4096 tokens, KV cache f16 48.0 MiB, 2 threads"
    std::string describe() const;

  private:
    std::unique_ptr<Runtime> own_runtime_;
    Runtime* runtime_;
    DType kv_type_;
    std::unique_ptr<SequenceState> state_;
    int n_past_ = 0;
};

}  // namespace qe
