#include "cli/kb_models.h"

#include "cli/model_choice.h"
#include "engine/rerank_prompt.h"
#include "knowledge/data_dir.h"
#include "model/rank_head.h"
#include "server/knowledge_models.h"

namespace qe::cli {
namespace {

std::unique_ptr<Runtime> runtime_for(const LoadedModel& model, int threads) {
    RuntimeOptions ro;
    ro.n_threads = threads;
    ro.weights_in_file_mapping = model.weights_in_file_mapping();
    return std::make_unique<Runtime>(model.config(), model.weights(), ro);
}

}  // namespace

void KbModelArgs::add_data_dir(CLI::App& cmd) {
    cmd.add_option("--data-dir", data_dir,
                   "Folder of the knowledge bases (default: $QWEN_EDGE_DATA, else "
                   "$XDG_DATA_HOME/qwen-edge, else ~/.local/share/qwen-edge)");
}

void KbModelArgs::add_embedding(CLI::App& cmd) {
    cmd.add_option("--embedding-model", embedding_model,
                   "An embedding model (Qwen3-Embedding: a .gguf file or qwen3-embedding:0.6b) for "
                   "vector search beside the keyword search");
}

void KbModelArgs::add_rerank(CLI::App& cmd) {
    cmd.add_option("--rerank-model", rerank_model,
                   "A reranker (Qwen3-Reranker: a .gguf file or qwen3-reranker:0.6b) to reorder "
                   "the best passages");
}

library::Bases KbModelArgs::bases() const {
    return library::Bases(knowledge::data_dir(data_dir));
}

KbModels::KbModels(const KbModelArgs& args) {
    if (!args.embedding_model.empty()) {
        embed_model_ = LoadedModel::open(choose_model(args.embedding_model, false));
        embed_runtime_ = runtime_for(*embed_model_, args.threads);
        embedder_ = std::make_unique<Embedder>(*embed_runtime_, embedder_options(*embed_model_));
    }
    if (!args.rerank_model.empty()) {
        rerank_model_ = LoadedModel::open(choose_model(args.rerank_model, false));
        rerank_runtime_ = runtime_for(*rerank_model_, args.threads);
        rerank_template_ = rerank_template(*rerank_model_);
        reranker_ = std::make_unique<Reranker>(*rerank_runtime_, read_rank_head(*rerank_model_));
    }
}

KbModels::~KbModels() = default;

std::optional<knowledge::EmbedderInfo> KbModels::embedder_info() const {
    if (!embedder_) return std::nullopt;
    return qe::embedder_info(*embed_model_, *embedder_);
}

knowledge::EmbedTexts KbModels::embed_passages() {
    if (!embedder_) return {};
    return qe::embed_passages(*embed_model_, *embedder_);
}

std::vector<float> KbModels::embed_query(const std::string& q) {
    if (!embedder_) return {};
    return qe::embed_query(*embed_model_, *embedder_, q);
}

knowledge::RerankTexts KbModels::rerank() {
    if (!reranker_) return {};
    return rerank_passages(*rerank_model_, *reranker_, rerank_template_);
}

std::vector<knowledge::SearchHit> KbModels::search(knowledge::KnowledgeBase& base,
                                                   const std::string& question, size_t top_k) {
    knowledge::SearchOptions options;
    options.top_k = top_k;
    const std::vector<float> query = embed_query(question);
    options.query_vector = query;
    options.rerank = rerank();
    return base.search(question, options);
}

}  // namespace qe::cli
