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
        matrices_ = options.matrices;
        const KernelTable& table = options.kernels ? *options.kernels : kernels();
        if (!matrices_ && options.repack_in_background) {
            auto rows = std::make_shared<Matrices>(prepare_row_matrices(weights, table));
            repacker_ = std::make_unique<MatrixRepacker>(*rows, options.weights_in_file_mapping);
            matrices_ = std::move(rows);
        } else if (!matrices_) {
            matrices_ = std::make_shared<Matrices>(
                prepare_matrices(weights, table, *pool_, options.weights_in_file_mapping));
        }
        fast_ = std::make_unique<Qwen2>(config, weights, *matrices_, *pool_, options.max_batch);
        if (repacker_) fast_->set_safe_point([r = repacker_.get()] { r->install_finished(); });
    }
}

std::span<const float> Session::eval(std::span<const int> ids, LogitsFor which) {
    std::span<const float> logits;
    if (path_ == ForwardPath::Fast) {
        logits = fast_->forward(kv_, ids, n_past_, which, dump_.get());
        // After the first answer, so the repacking doesn't compete with it for the CPU.
        if (repacker_) repacker_->start();
    } else {
        reference_logits_ =
            forward_reference(config_, weights_, kv_, ids, n_past_, which, dump_.get());
        logits = reference_logits_;
    }
    n_past_ += int(ids.size());
    return logits;
}

void Session::finish_repacking() {
    if (!repacker_) return;
    repacker_->wait_packed();
    repacker_->install_finished();
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
