// What the server keeps of each kind of loaded model, as the model registry holds it: a chat
// model with its scheduler, an embedding model with its embedder, a reranker with its scorer.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "chat/chat_turns.h"
#include "engine/draft_model.h"
#include "engine/embedder.h"
#include "engine/reranker.h"
#include "engine/scheduler.h"
#include "grammar/masker_cache.h"
#include "model/loaded_model.h"
#include "model/runtime.h"
#include "server/model_registry.h"

namespace qe {

// How the server runs the models it loads.
struct ServedModelOptions {
    SchedulerOptions chat;  // slots, queue, context and threads of each chat model
    int threads = 0;        // of each embedding or reranker model's runtime (0: one per core)
    int n_ctx = 0;          // longest embedding or rerank input (0: the model's context length)
    // serve --draft: the draft model (a path) that proposes for the chat model at `draft_for`.
    std::string draft_path, draft_for;
    float draft_min_chain = -1;  // DraftOptions::min_chain_probability
};

class ChatModel : public ServedModel {
  public:
    // `draft`: the draft model the scheduler's jobs propose with, or nullptr.
    ChatModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Scheduler> scheduler,
              std::shared_ptr<DraftModel> draft = nullptr);
    uint64_t bytes() const override { return bytes_; }

    LoadedModel& model() { return *model_; }
    Scheduler& scheduler() { return *scheduler_; }
    ChatTurns& turns() { return *turns_; }
    const DraftModel* draft() const { return draft_.get(); }
    // The grammars of response_format and the grammar extra over the model's vocabulary, or
    // (`tool_calls`) of forced tool calls over a trie with the tool-call tags: each made at the
    // first request that asks for one.
    grammar::MaskerCache& maskers(bool tool_calls = false);

  private:
    // The file and the KV caches, as allocated once at the start; with a draft model, its file
    // and a state per slot too.
    uint64_t bytes_ = 0;
    // Destroyed in reverse: the scheduler (ending the jobs still running) before the chat turns,
    // the model its jobs use and the draft model they propose with.
    std::shared_ptr<DraftModel> draft_;
    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<ChatTurns> turns_;
    std::unique_ptr<Scheduler> scheduler_;
    std::mutex maskers_mutex_;
    std::unique_ptr<grammar::MaskerCache> maskers_;
    std::unique_ptr<grammar::MaskerCache> tool_call_maskers_;
};

class EmbeddingModel : public ServedModel {
  public:
    // Throws qe::Error for a model whose pooling is not supported.
    EmbeddingModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime, int n_ctx);
    uint64_t bytes() const override { return bytes_; }

    const LoadedModel& model() const { return *model_; }
    Embedder& embedder() { return *embedder_; }

  private:
    uint64_t bytes_ = 0;
    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<Runtime> runtime_;
    std::unique_ptr<Embedder> embedder_;  // over runtime_: declared after it
};

class RerankModel : public ServedModel {
  public:
    // Throws qe::Error naming what of the file is not supported.
    RerankModel(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime, int n_ctx);
    uint64_t bytes() const override { return bytes_; }

    const LoadedModel& model() const { return *model_; }
    Reranker& reranker() { return *reranker_; }
    const std::string& prompt_template() const { return template_; }

  private:
    uint64_t bytes_ = 0;
    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<Runtime> runtime_;
    std::unique_ptr<Reranker> reranker_;  // over runtime_: declared after it
    std::string template_;
};

// Opens the model at `path` as `kind` with threads of its own. Throws qe::Error naming the file.
std::shared_ptr<ServedModel> load_served_model(const std::string& path, ModelKind kind,
                                               const ServedModelOptions& options);

// Bytes of the model's files: a .gguf file's size, or the sum of a folder's files.
uint64_t model_file_bytes(const std::string& path);

// What loading the model at `path` as `kind` is expected to take: its files, and the draft
// model's when it is the one `options` pairs a draft with.
uint64_t served_model_bytes_estimate(const std::string& path, ModelKind kind,
                                     const ServedModelOptions& options);

}  // namespace qe
