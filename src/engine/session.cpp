#include "engine/session.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "model/qwen2_reference.h"

namespace qe {

int effective_context(const ModelConfig& config, int requested) {
    if (requested < 1)
        throw Error("the context must hold at least 1 token, not " + std::to_string(requested));
    return config.context_length > 0 ? std::min(requested, config.context_length) : requested;
}

Session::Session(const ModelConfig& config, const Weights& weights, const SessionOptions& options)
    : config_(config),
      weights_(weights),
      path_(options.path),
      kv_(config, effective_context(config, options.n_ctx), options.kv_type),
      dump_(ActivationDump::from_env()) {
    if (path_ == ForwardPath::Fast) {
        pool_ = std::make_unique<ThreadPool>(options.n_threads);
        fast_ =
            std::make_unique<Qwen2>(config, weights, *pool_, options.max_batch, options.kernels);
    }
}

std::span<const float> Session::eval(std::span<const int> ids, LogitsFor which) {
    std::span<const float> logits;
    if (path_ == ForwardPath::Fast) {
        logits = fast_->forward(kv_, ids, n_past_, which, dump_.get());
    } else {
        reference_logits_ =
            forward_reference(config_, weights_, kv_, ids, n_past_, which, dump_.get());
        logits = reference_logits_;
    }
    n_past_ += int(ids.size());
    return logits;
}

void Session::rewind(int n_past) {
    if (n_past < 0 || n_past > n_past_)
        throw Error("cannot rewind to position " + std::to_string(n_past) + " of " +
                    std::to_string(n_past_));
    n_past_ = n_past;
}

std::string Session::describe() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "context %d tokens, KV cache %s %.1f MiB, %s", kv_.n_ctx(),
                  std::string(dtype_name(kv_.type())).c_str(), double(kv_.bytes()) / (1 << 20),
                  path_ == ForwardPath::Fast ? (std::to_string(pool_->size()) + " threads").c_str()
                                             : "reference path");
    return buf;
}

}  // namespace qe
