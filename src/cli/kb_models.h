// What the `kb` commands and `chat --kb` share: the data folder option, and the embedding and
// reranking models a base is built and searched with, loaded when named.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "engine/embedder.h"
#include "engine/reranker.h"
#include "knowledge/knowledge_base.h"
#include "library/bases.h"
#include "model/loaded_model.h"
#include "model/runtime.h"

namespace qe::cli {

struct KbModelArgs {
    std::optional<std::string> data_dir;
    std::string embedding_model, rerank_model;
    int threads = 0;

    void add_data_dir(CLI::App& cmd);
    void add_embedding(CLI::App& cmd);
    void add_rerank(CLI::App& cmd);
    library::Bases bases() const;  // of data_dir(--data-dir)
};

// The models named by the options, each over a runtime of its own; empty where none is named.
class KbModels {
  public:
    explicit KbModels(const KbModelArgs& args);
    ~KbModels();

    std::optional<knowledge::EmbedderInfo> embedder_info() const;
    knowledge::EmbedTexts embed_passages();                // empty without an embedding model
    std::vector<float> embed_query(const std::string& q);  // empty without one
    knowledge::RerankTexts rerank();                       // empty without a reranker

    // The base's search with these models: keyword, vectors when there is an embedder, the
    // reranker when there is one.
    std::vector<knowledge::SearchHit> search(knowledge::KnowledgeBase& base,
                                             const std::string& question, size_t top_k);

  private:
    std::unique_ptr<LoadedModel> embed_model_, rerank_model_;
    std::unique_ptr<Runtime> embed_runtime_, rerank_runtime_;
    std::unique_ptr<Embedder> embedder_;
    std::unique_ptr<Reranker> reranker_;
    std::string rerank_template_;
};

}  // namespace qe::cli
