// The HTTP API, independent of the HTTP library: a request in, a response (or a stream) out.
// Handlers never throw: every failure becomes an OpenAI-style error with the right status.
//
//   GET  /                      the web chat (embedded assets)
//   POST /v1/chat/completions   OpenAI chat, streaming (SSE) or not
//   POST /v1/completions        raw prompt completion
//   POST /v1/embeddings         OpenAI embeddings (with an embedding model: serve
//   --embedding-model) POST /v1/rerank             documents ranked for a query (with a reranker:
//   serve --rerank-model;
//                               also /rerank, /v1/reranking, /reranking as llama.cpp's server has)
//   GET  /v1/models             the registered, downloaded and catalogue models: type, size,
//                               whether downloaded and loaded, what each does
//   POST /v1/models/{name}/pull downloads a catalogue model into the models folder (202)
//   DELETE /v1/models/{name}/pull  stops that download (the part stays: a new pull resumes)
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

#include "engine/scheduler.h"
#include "library/bases.h"
#include "library/import_queue.h"
#include "model/loaded_model.h"
#include "server/metrics.h"
#include "server/model_downloads.h"
#include "server/model_registry.h"
#include "server/model_status.h"
#include "server/openai_request.h"
#include "server/served_models.h"

namespace qe {

struct ApiOptions {
    std::string api_key;      // when set, the API needs "Authorization: Bearer <key>"
    std::string cors_origin;  // when set, browsers from this origin ("*": any) may call the API
    RequestLimits limits;
    int answer_room = 1024;  // tokens kept free for the answer when max_tokens is not given
    std::chrono::milliseconds ping_interval{15000};  // SSE comment sent after this much silence
    // The downloaded models a request may name besides the registered ones (file names, catalogue
    // names such as qwen3:0.6b); "": none.
    std::string models_dir;
    ServedModelOptions served;  // how the models loaded on demand run
    RegistryOptions registry;   // memory budget, idle unloading, how long a request waits a load
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

    // The default chat model, loaded, and from now on the API answers (until then /health says
    // "loading" and the API 503s).
    void set_ready(std::unique_ptr<LoadedModel> model, std::unique_ptr<Scheduler> scheduler);
    // The default model /v1/embeddings runs, loaded, over a runtime of its own (not the
    // scheduler's); inputs of up to n_ctx tokens (0: the model's context length). Kept loaded.
    // Throws qe::Error for a model whose pooling is not supported.
    void set_embedding_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                             int n_ctx = 0);
    // The default model /v1/rerank runs (a Qwen3-Reranker file, either form: model/rank_head.h),
    // loaded, over a runtime of its own; prompts of up to n_ctx tokens (0: the model's context
    // length). Kept loaded. Throws qe::Error naming what of the file is not supported.
    void set_rerank_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                          int n_ctx = 0);
    // Registers the model at `path` as `kind`, loaded on first use; `is_default`: the one requests
    // of its kind get without a `model` field. Returns its name (the file name without .gguf).
    std::string add_model(const std::string& path, ModelKind kind, bool pinned, bool is_default);
    // Pins the model `name` (as a request names it) and loads it; returns its registered name.
    // Throws qe::Error saying why when there is no such model or it cannot load.
    std::string keep_loaded(const std::string& name);
    // The knowledge bases of `data_dir` (knowledge/data_dir.h) for /v1/knowledge and chat
    // requests with "knowledge"; after the default embedding model is registered, which then
    // embeds them.
    void set_knowledge(const std::filesystem::path& data_dir);
    // Waits until every upload has been imported (tests).
    void wait_for_imports();
    // From now on the API answers.
    void set_ready() { ready_ = true; }
    ModelRegistry& registry() { return registry_; }
    ModelDownloads& downloads() { return downloads_; }
    // From now on new generation requests get 503; running ones go on.
    void begin_shutdown() { shutting_down_ = true; }
    // The default chat model's scheduler while it is loaded, else nullptr.
    Scheduler* scheduler();
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
    HttpResponse models();                                // api_models.cpp
    HttpResponse pull(const std::string& name);           // api_models.cpp
    HttpResponse cancel_pull(const std::string& name);    // api_models.cpp
    HttpResponse knowledge(const HttpRequest& request);   // api_knowledge.cpp
    bool is_admin_request(const HttpRequest& request) const;
    bool admin_authorized(const HttpRequest& request) const;
    std::unique_ptr<knowledge::KnowledgeBase> open_base(const std::string& name);
    std::vector<knowledge::SearchHit> search_base(const std::string& name,
                                                  const std::string& question, int top_k);
    // Puts the passages of r's "knowledge" base into its last user message, within the context
    // of `chat` (the request's model) (api_knowledge.cpp); returns the citations (null when the
    // request asks for no knowledge).
    nlohmann::ordered_json add_knowledge(const nlohmann::ordered_json& body,
                                         nlohmann::ordered_json& messages, int room,
                                         ChatModel& chat);
    // The default model of `kind`, loaded and held while the caller uses it; nullptr when none
    // of that kind is registered (api_knowledge.cpp: the knowledge bases' embedder and reranker).
    template <class Served>
    std::shared_ptr<Served> default_model(ModelKind kind);
    HttpResponse tokenize(const HttpRequest& request);
    HttpResponse detokenize(const HttpRequest& request);
    HttpResponse metrics();
    bool authorized(const HttpRequest& request) const;
    void refuse_when_shutting_down() const;  // 503 with Retry-After once begin_shutdown ran
    ApiError not_ready_error() const;        // 503 with Retry-After before set_ready

    // The registered name of the model a request names for an endpoint of `kind`: the default
    // when `requested` is empty or "default", a registered name, a downloaded file's name or a
    // catalogue name (registered on the way). Throws a 404 model_not_found listing what exists,
    // or a 400 for a model of another kind. (api_models.cpp)
    std::string resolve_model(const std::string& requested, ModelKind kind);
    // The model `requested` names, loaded (waiting for its load): 503 while loading too long or
    // without room in the memory budget, 500 when it cannot load. (api_models.cpp)
    template <class Served>
    std::shared_ptr<Served> use_model(const std::string& requested, ModelKind kind);

    HttpResponse run(std::shared_ptr<Generation> g, std::shared_ptr<ChatModel> model);
    // The answer's constraint for `format` (none for text), or for a forced tool call (`tools`
    // with tool_choice "required" or a named function), with the job's budget and end ids.
    void constrain(Generation& g, ChatModel& model, const OutputFormat& format,
                   const ToolRequest* tools = nullptr);

    ApiOptions options_;
    ModelRegistry registry_;
    ModelDownloads downloads_;
    std::mutex defaults_mutex_;
    std::map<ModelKind, std::string> defaults_;  // the model of each kind requests get by default
    std::unique_ptr<library::Bases> bases_;
    std::unique_ptr<library::ImportQueue> imports_;  // embeds with the registry's models
    std::atomic<uint64_t> next_upload_{1};
    std::atomic<bool> ready_{false};
    std::atomic<bool> shutting_down_{false};
    std::atomic<uint64_t> next_id_{1};
    Metrics metrics_;
    ModelStatus model_status_;
};

}  // namespace qe
