#include "server/served_models.h"

#include <filesystem>

#include "core/error.h"
#include "engine/rerank_prompt.h"
#include "model/rank_head.h"
#include "server/output_format.h"

namespace qe {
namespace {

// A runtime of the model's own: the scheduler's thread alone runs a chat model's.
std::unique_ptr<Runtime> own_runtime(const LoadedModel& model, int threads) {
    RuntimeOptions ro;
    ro.n_threads = threads;
    ro.weights_in_file_mapping = model.weights_in_file_mapping();
    return std::make_unique<Runtime>(model.config(), model.weights(), ro);
}

}  // namespace

uint64_t model_file_bytes(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return fs::file_size(path, ec);
    uint64_t sum = 0;
    for (const auto& f : fs::directory_iterator(path, ec))
        if (f.is_regular_file(ec)) sum += f.file_size(ec);
    return sum;
}

uint64_t served_model_bytes_estimate(const std::string& path, ModelKind kind,
                                     const ServedModelOptions& options) {
    uint64_t bytes = model_file_bytes(path);
    if (kind == ModelKind::kChat && !options.draft_path.empty() && path == options.draft_for)
        bytes += model_file_bytes(options.draft_path);
    return bytes;
}

ChatModel::ChatModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Scheduler> scheduler,
                     std::shared_ptr<DraftModel> draft)
    : draft_(std::move(draft)), model_(std::move(model)), scheduler_(std::move(scheduler)) {
    turns_ = std::make_unique<ChatTurns>(*model_, *scheduler_);
    const auto stats = scheduler_->stats();
    bytes_ = model_file_bytes(model_->file().path()) + stats.kv_bytes;
    if (draft_)
        bytes_ += model_file_bytes(draft_->model().file().path()) +
                  uint64_t(stats.slots) * draft_->state_bytes();
}

grammar::MaskerCache& ChatModel::maskers(bool tool_calls) {
    std::lock_guard lock(maskers_mutex_);
    auto& cache = tool_calls ? tool_call_maskers_ : maskers_;
    if (!cache)
        cache = std::make_unique<grammar::MaskerCache>(
            vocabulary_trie(model_->tokenizer(), tool_calls));
    return *cache;
}

EmbeddingModel::EmbeddingModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                               int n_ctx) {
    EmbedderOptions options = embedder_options(*model);
    options.n_ctx = n_ctx;
    embedder_ = std::make_unique<Embedder>(*runtime, options);
    model_ = std::move(model);
    runtime_ = std::move(runtime);
    bytes_ = model_file_bytes(model_->file().path());
}

RerankModel::RerankModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                         int n_ctx) {
    RerankerOptions options;
    options.n_ctx = n_ctx;
    template_ = rerank_template(*model);
    reranker_ = std::make_unique<Reranker>(*runtime, read_rank_head(*model), options);
    model_ = std::move(model);
    runtime_ = std::move(runtime);
    bytes_ = model_file_bytes(model_->file().path());
}

std::shared_ptr<ServedModel> load_served_model(const std::string& path, ModelKind kind,
                                               const ServedModelOptions& options) {
    auto model = LoadedModel::open(path);
    switch (kind) {
        case ModelKind::kChat: {
            SchedulerOptions so = options.chat;
            so.weights_in_file_mapping = model->weights_in_file_mapping();
            so.repack_in_background = true;  // answer before the repacking ends
            std::shared_ptr<DraftModel> draft;
            if (!options.draft_path.empty() && path == options.draft_for) {
                DraftOptions d;
                d.n_ctx = so.n_ctx;
                d.kv_type = so.kv_type;
                d.n_threads = so.n_threads;
                d.min_chain_probability = options.draft_min_chain;
                draft =
                    std::make_shared<DraftModel>(LoadedModel::open(options.draft_path), *model, d);
                so.speculative.drafter = draft->factory();
            }
            auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
            return std::make_shared<ChatModel>(std::move(model), std::move(scheduler),
                                               std::move(draft));
        }
        case ModelKind::kEmbedding: {
            auto runtime = own_runtime(*model, options.threads);
            return std::make_shared<EmbeddingModel>(std::move(model), std::move(runtime),
                                                    options.n_ctx);
        }
        case ModelKind::kRerank: {
            auto runtime = own_runtime(*model, options.threads);
            return std::make_shared<RerankModel>(std::move(model), std::move(runtime),
                                                 options.n_ctx);
        }
    }
    throw Error(path + ": unknown model kind");
}

}  // namespace qe
