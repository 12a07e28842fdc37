// The HTTP API, independent of the HTTP library: a request in, a response (or a stream) out.
// Handlers never throw: every failure becomes an OpenAI-style error with the right status.
//
//   GET  /                      the web chat (embedded assets)
//   POST /v1/chat/completions   OpenAI chat, streaming (SSE) or not
//   POST /v1/completions        raw prompt completion
//   POST /v1/embeddings         OpenAI embeddings (with an embedding model: serve --embedding-model)
//   POST /v1/rerank             documents ranked for a query (with a reranker: serve --rerank-model;
//                               also /rerank, /v1/reranking, /reranking as llama.cpp's server has)
//   GET  /v1/models             the served models, each with what it does
//   GET  /health                {"status": "ok" | "loading"}; while loading, what is happening
//                               (server/model_status.h: a first start's download progress)
//   GET  /metrics               Prometheus text
//   POST /tokenize, /detokenize
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_turns.h"
#include "engine/embedder.h"
#include "engine/reranker.h"
#include "engine/scheduler.h"
#include "grammar/masker_cache.h"
#include "model/loaded_model.h"
#include "server/metrics.h"
#include "server/model_status.h"
#include "server/openai_request.h"

namespace qe {

struct ApiOptions {
    std::string api_key;      // when set, the API needs "Authorization: Bearer <key>"
    std::string cors_origin;  // when set, browsers from this origin ("*": any) may call the API
    RequestLimits limits;
    int answer_room = 1024;   // tokens kept free for the answer when max_tokens is not given
    std::chrono::milliseconds ping_interval{15000};  // SSE comment sent after this much silence
};

struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

// Writes one piece of a streamed body; false when the client has gone.
using StreamWriter = std::function<bool(std::string_view)>;

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // When set, the body is streamed instead: called once on the connection's thread.
    std::function<void(const StreamWriter&)> stream;
};

struct Generation;  // one request's journey through the scheduler (server/generation.h)

class Api {
public:
    explicit Api(ApiOptions options);
    ~Api();

    // Called once the model is loaded (until then /health says "loading" and the API 503s).
    void set_ready(std::unique_ptr<LoadedModel> model, std::unique_ptr<Scheduler> scheduler);
    // The model /v1/embeddings runs, over a runtime of its own (not the scheduler's), before
    // set_ready; inputs of up to n_ctx tokens (0: the model's context length). Throws qe::Error
    // for a model whose pooling is not supported.
    void set_embedding_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                             int n_ctx = 0);
    // The model /v1/rerank runs (a Qwen3-Reranker file, either form: model/rank_head.h), over a
    // runtime of its own, before set_ready; prompts of up to n_ctx tokens (0: the model's context
    // length). Throws qe::Error naming what of the file is not supported.
    void set_rerank_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                          int n_ctx = 0);
    // From now on new generation requests get 503; running ones go on.
    void begin_shutdown() { shutting_down_ = true; }
    Scheduler* scheduler() { return ready_ ? scheduler_.get() : nullptr; }
    // What happens until set_ready: /health shows it, and requests for the model get a 503 that
    // says it (model_loading, model_downloading, model_unavailable).
    ModelStatus& model_status() { return model_status_; }

    HttpResponse handle(const HttpRequest& request);

private:
    HttpResponse route(const HttpRequest& request);
    HttpResponse chat_completions(const HttpRequest& request);
    HttpResponse completions(const HttpRequest& request);
    HttpResponse embeddings(const HttpRequest& request);  // api_embeddings.cpp
    HttpResponse rerank(const HttpRequest& request);      // api_rerank.cpp
    HttpResponse models();
    HttpResponse tokenize(const HttpRequest& request);
    HttpResponse detokenize(const HttpRequest& request);
    HttpResponse metrics();
    bool authorized(const HttpRequest& request) const;
    void refuse_when_shutting_down() const;  // 503 with Retry-After once begin_shutdown ran
    ApiError not_ready_error() const;        // 503 with Retry-After before set_ready
    void check_model_name(const std::string& name) const;

    HttpResponse run(std::shared_ptr<Generation> g);
    // The answer's constraint for `format` (none for text), with the job's budget and end ids.
    void constrain(Generation& g, const OutputFormat& format);

    ApiOptions options_;
    // Destroyed in reverse: the scheduler (ending the jobs still running) before the chat
    // turns and the model its jobs use.
    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<ChatTurns> turns_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<LoadedModel> embedding_model_;
    std::unique_ptr<Runtime> embedding_runtime_;
    std::unique_ptr<Embedder> embedder_;  // over embedding_runtime_: declared after it
    std::unique_ptr<LoadedModel> rerank_model_;
    std::unique_ptr<Runtime> rerank_runtime_;
    std::unique_ptr<Reranker> reranker_;  // over rerank_runtime_: declared after it
    std::string rerank_template_;
    // The grammars of response_format and the grammar extra, over the model's vocabulary: made
    // at the first request that asks for one.
    std::mutex maskers_mutex_;
    std::unique_ptr<grammar::MaskerCache> maskers_;
    std::atomic<bool> ready_{false};
    std::atomic<bool> shutting_down_{false};
    std::atomic<uint64_t> next_id_{1};
    Metrics metrics_;
    ModelStatus model_status_;
};

}  // namespace qe
