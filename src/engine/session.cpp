#include "engine/session.h"

#include <cstdio>

#include "core/error.h"
#include "model/hybrid_state.h"

namespace qe {

Session::Session(const ModelConfig& config, const Weights& weights, const SessionOptions& options)
    : own_runtime_(std::make_unique<Runtime>(config, weights, options)),
      runtime_(own_runtime_.get()),
      kv_type_(options.kv_type),
      state_(runtime_->model().new_sequence(effective_context(config, options.n_ctx),
                                            options.kv_type)) {}

Session::Session(Runtime& runtime, int n_ctx, DType kv_type)
    : runtime_(&runtime),
      kv_type_(kv_type),
      state_(runtime.model().new_sequence(effective_context(runtime.config(), n_ctx), kv_type)) {}

std::span<const float> Session::eval(std::span<const int> ids, LogitsFor which) {
    // The end of a prompt is a point the caller may rewind to (bench rewinds to its depth); not
    // every decoded token (a recurrent state would copy itself each time).
    const SequenceChunk chunk{state_.get(), ids, n_past_, which == LogitsFor::All, ids.size() > 1};
    const auto logits = runtime_->model().forward({&chunk, 1});
    // After the first answer, so the repacking doesn't compete with it for the CPU.
    runtime_->start_repacking();
    n_past_ += int(ids.size());
    return logits;
}

void Session::rewind(int n_past) {
    if (n_past < 0 || n_past > n_past_)
        throw Error("cannot rewind to position " + std::to_string(n_past) + " of " +
                    std::to_string(n_past_));
    if (state_->reusable_prefix(n_past) != n_past)
        throw Error("this model's state cannot go back to position " + std::to_string(n_past));
    state_->rewind(n_past);
    n_past_ = n_past;
}

std::string Session::describe() const {
    // A hybrid model's state is its attention layers' KV cache plus a fixed recurrent part.
    const ModelConfig& c = runtime_->config();
    const size_t recurrent = c.full_attention_interval > 0 ? HybridState::recurrent_bytes(c) : 0;
    char extra[64] = "";
    if (recurrent)
        std::snprintf(extra, sizeof extra, ", recurrent state %.1f MiB",
                      double(recurrent) / (1 << 20));
    char buf[220];
    std::snprintf(buf, sizeof buf, "context %d tokens, KV cache %s %.1f MiB%s, %s", n_ctx(),
                  std::string(dtype_name(kv_type_)).c_str(),
                  double(state_->bytes() - recurrent) / (1 << 20), extra,
                  runtime_->describe().c_str());
    return buf;
}

}  // namespace qe
