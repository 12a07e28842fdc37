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
//   /v1/knowledge...            knowledge bases: list, create, upload, search (api_knowledge.cpp)
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
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
#include "library/bases.h"
#include "library/import_queue.h"
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
    // Creating, uploading to and deleting knowledge bases need "Authorization: Bearer <key>";
    // without one, only requests from this machine (127.0.0.1, ::1) may.
    std::string admin_key;
    std::string default_base;                 // serve --kb: the base of "knowledge": true
    uint64_t max_upload_bytes = 64ull << 20;  // per uploaded file
};

struct UploadedFile {
    std::string field;     // the multipart part's name
    std::string filename;  // as the client named it
    std::string content;
};

struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::vector<UploadedFile> files = {};  // a multipart/form-data body's file parts
    std::string remote_addr = {};          // the client's address ("" when unknown)
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
    // The knowledge bases of `data_dir` (knowledge/data_dir.h) for /v1/knowledge and chat
    // requests with "knowledge"; after set_embedding_model, whose model then embeds them.
    void set_knowledge(const std::filesystem::path& data_dir);
    // Waits until every upload has been imported (tests).
    void wait_for_imports();
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
    HttpResponse knowledge(const HttpRequest& request);   // api_knowledge.cpp
    bool is_admin_request(const HttpRequest& request) const;
    bool admin_authorized(const HttpRequest& request) const;
    std::unique_ptr<knowledge::KnowledgeBase> open_base(const std::string& name);
    std::vector<knowledge::SearchHit> search_base(const std::string& name,
                                                  const std::string& question, int top_k);
    // Puts the passages of r's "knowledge" base into its last user message (api_knowledge.cpp);
    // returns the citations (null when the request asks for no knowledge).
    nlohmann::ordered_json add_knowledge(const nlohmann::ordered_json& body,
                                         nlohmann::ordered_json& messages, int room);
    HttpResponse models();
    HttpResponse tokenize(const HttpRequest& request);
    HttpResponse detokenize(const HttpRequest& request);
    HttpResponse metrics();
    bool authorized(const HttpRequest& request) const;
    void refuse_when_shutting_down() const;  // 503 with Retry-After once begin_shutdown ran
    ApiError not_ready_error() const;        // 503 with Retry-After before set_ready
    void check_model_name(const std::string& name) const;

    HttpResponse run(std::shared_ptr<Generation> g);
    // The answer's constraint for `format` (none for text), or for a forced tool call (`tools`
    // with tool_choice "required" or a named function), with the job's budget and end ids.
    void constrain(Generation& g, const OutputFormat& format, const ToolRequest* tools = nullptr);
    // The masker cache of response_format and grammars, or of forced tool calls.
    grammar::MaskerCache& maskers(bool tool_calls);

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
    std::unique_ptr<library::Bases> bases_;
    std::unique_ptr<library::ImportQueue> imports_;  // uses embedder_: declared after it
    std::atomic<uint64_t> next_upload_{1};
    // The grammars of response_format and the grammar extra, over the model's vocabulary: made
    // at the first request that asks for one.
    std::mutex maskers_mutex_;
    std::unique_ptr<grammar::MaskerCache> maskers_;
    std::unique_ptr<grammar::MaskerCache> tool_call_maskers_;  // a trie with the tool-call tags
    std::atomic<bool> ready_{false};
    std::atomic<bool> shutting_down_{false};
    std::atomic<uint64_t> next_id_{1};
    Metrics metrics_;
    ModelStatus model_status_;
};

}  // namespace qe
