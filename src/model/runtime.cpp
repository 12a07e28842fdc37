#include "model/runtime.h"

#include <algorithm>

#include "core/error.h"
#include "model/activation_dump.h"
#include "model/matrix_repacker.h"
#include "model/qwen2_reference.h"
#include "model/qwen35_reference.h"
#include "model/transformer.h"

namespace qe {

int effective_context(const ModelConfig& config, int requested) {
    if (requested < 1)
        throw Error("the context must hold at least 1 token, not " + std::to_string(requested));
    return config.context_length > 0 ? std::min(requested, config.context_length) : requested;
}

Runtime::Runtime(const ModelConfig& config, const Weights& weights, const RuntimeOptions& options)
    : config_(config), path_(options.path) {
    if (options.max_batch < 1)
        throw Error("the forward piece must hold at least 1 position, not " +
                    std::to_string(options.max_batch));
    if (options.dump_from_env) dump_ = ActivationDump::from_env();
    if (path_ == ForwardPath::Reference) {
        if (config.full_attention_interval > 0)
            model_ = std::make_unique<HybridReferenceModel>(config, weights);
        else
            model_ = std::make_unique<ReferenceModel>(config, weights);
        model_->set_dump(dump_.get());
        return;
    }
    pool_ = std::make_unique<ThreadPool>(options.n_threads);
    const KernelTable& table = options.kernels ? *options.kernels : kernels();
    matrices_ = options.matrices;
    Matrices* repackable = nullptr;
    if (!matrices_ && options.repack_in_background) {
        auto rows = std::make_shared<Matrices>(prepare_row_matrices(weights, table));
        repackable = rows.get();
        matrices_ = std::move(rows);
    } else if (!matrices_) {
        matrices_ = std::make_shared<Matrices>(
            prepare_matrices(weights, table, *pool_, options.weights_in_file_mapping));
    }
    auto fast =
        std::make_unique<Transformer>(config, weights, *matrices_, *pool_, options.max_batch);
    if (repackable) {
        repacker_ = std::make_unique<MatrixRepacker>(*repackable, options.weights_in_file_mapping);
        // The thread that runs the passes installs repacked matrices between layers.
        fast->set_safe_point([r = repacker_.get()] { r->install_finished(); });
    }
    model_ = std::move(fast);
    model_->set_dump(dump_.get());
}

Runtime::~Runtime() = default;

void Runtime::start_repacking() {
    if (repacker_) repacker_->start();
}

void Runtime::finish_repacking() {
    if (!repacker_) return;
    repacker_->wait_packed();
    repacker_->install_finished();
}

std::string Runtime::describe() const {
    return pool_ ? std::to_string(pool_->size()) + " threads" : "reference path";
}

}  // namespace qe
