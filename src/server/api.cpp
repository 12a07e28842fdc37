#include "server/api.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "chat/reasoning_splitter.h"
#include "chat/tool_call_splitter.h"
#include "core/error.h"
#include "engine/rerank_prompt.h"
#include "fetch/model_catalogue.h"
#include "fetch/progress.h"
#include "server/api_json.h"
#include "server/generation.h"
#include "server/request_fields.h"
#include "server/same_secret.h"
#include "server/static_assets.h"
#include "server/tool_constraint.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

HttpResponse json_response(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.body = dump_json(body);
    return r;
}

HttpResponse error_response(const ApiError& e) {
    HttpResponse r = json_response(e.status, error_body(e));
    if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
    return r;
}

ApiError unavailable(std::string message, int retry_after_s) {
    ApiError e = make_error(503, "server_error", "unavailable", std::move(message));
    e.retry_after_s = retry_after_s;
    return e;
}

// The request's `model` before its fields are read: the model's sampling defaults are those
// fields' defaults. A non-string is refused by the request's parser.
std::string requested_model(const json& body) {
    if (body.is_object() && body.contains("model") && body["model"].is_string())
        return body["model"].get<std::string>();
    return "";
}
// `model`, where a request may name one, is a string (the requests with their own parsers check
// it there).
void check_model_field(const json& body) {
    if (body.contains("model") && !body["model"].is_string())
        api_fail("model", "'model' must be a string naming a model", "invalid_type");
}

int64_t unix_time() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Api::Api(ApiOptions options)
    : options_(std::move(options)), registry_(options_.registry), downloads_(options_.models_dir) {}
Api::~Api() = default;

void Api::set_ready(std::unique_ptr<LoadedModel> model, std::unique_ptr<Scheduler> scheduler) {
    const std::string name = model->id(), path = model->file().path();
    const ServedModelOptions served = options_.served;
    registry_.add_loaded(
        name, ModelKind::kChat, path,
        std::make_shared<ChatModel>(std::move(model), std::move(scheduler)),
        [path, served] { return load_served_model(path, ModelKind::kChat, served); });
    {
        std::lock_guard lock(defaults_mutex_);
        defaults_.emplace(ModelKind::kChat, name);
    }
    ready_ = true;
}

void Api::set_embedding_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                              int n_ctx) {
    const std::string name = model->id(), path = model->file().path();
    registry_.add_loaded(
        name, ModelKind::kEmbedding, path,
        std::make_shared<EmbeddingModel>(std::move(model), std::move(runtime), n_ctx), nullptr,
        /*pinned=*/true);
    std::lock_guard lock(defaults_mutex_);
    defaults_.emplace(ModelKind::kEmbedding, name);
}

void Api::set_rerank_model(std::unique_ptr<LoadedModel> model, std::unique_ptr<Runtime> runtime,
                           int n_ctx) {
    const std::string name = model->id(), path = model->file().path();
    registry_.add_loaded(name, ModelKind::kRerank, path,
                         std::make_shared<RerankModel>(std::move(model), std::move(runtime), n_ctx),
                         nullptr, /*pinned=*/true);
    std::lock_guard lock(defaults_mutex_);
    defaults_.emplace(ModelKind::kRerank, name);
}

std::string Api::add_model(const std::string& path, ModelKind kind, bool pinned, bool is_default) {
    const std::string name = LoadedModel::id_of(path);
    const ServedModelOptions served = options_.served;
    registry_.add(
        name, kind, path, served_model_bytes_estimate(path, kind, served),
        [path, kind, served] { return load_served_model(path, kind, served); }, pinned);
    if (is_default) {
        std::lock_guard lock(defaults_mutex_);
        defaults_[kind] = name;
    }
    return name;
}

Scheduler* Api::scheduler() {
    std::string name;
    {
        std::lock_guard lock(defaults_mutex_);
        auto it = defaults_.find(ModelKind::kChat);
        if (it == defaults_.end()) return nullptr;
        name = it->second;
    }
    auto chat = std::dynamic_pointer_cast<ChatModel>(registry_.peek(name));
    // The registry keeps it while it is loaded; unloading it idle ends no job.
    return chat ? &chat->scheduler() : nullptr;
}

void Api::refuse_when_shutting_down() const {
    if (shutting_down_) throw ApiException{unavailable("the server is shutting down", 5)};
}

bool Api::authorized(const HttpRequest& request) const {
    if (options_.api_key.empty()) return true;
    auto it = request.headers.find("authorization");
    if (it == request.headers.end()) return false;
    const std::string_view value = it->second;
    constexpr std::string_view bearer = "Bearer ";
    return value.starts_with(bearer) && same_secret(value.substr(bearer.size()), options_.api_key);
}

HttpResponse Api::handle(const HttpRequest& request) {
    HttpResponse r;
    try {
        r = route(request);
    } catch (const ApiException& e) {
        r = error_response(e.error);
    } catch (const std::exception& e) {
        r = error_response(make_error(500, "server_error", "internal_error", e.what()));
    }
    if (!options_.cors_origin.empty()) {
        r.headers.emplace_back("Access-Control-Allow-Origin", options_.cors_origin);
        r.headers.emplace_back("Vary", "Origin");
    }
    // Only known names become labels: a label per unknown path would let any client grow the
    // metrics (and the memory holding them) without end.
    static constexpr std::string_view kEndpoints[] = {"/v1/chat/completions",
                                                      "/v1/completions",
                                                      "/v1/embeddings",
                                                      "/v1/rerank",
                                                      "/rerank",
                                                      "/v1/reranking",
                                                      "/reranking",
                                                      "/v1/models",
                                                      "/health",
                                                      "/metrics",
                                                      "/tokenize",
                                                      "/detokenize"};
    std::string endpoint = request.path.starts_with("/v1/") ? "other" : "static";
    if (request.path.starts_with("/v1/knowledge")) endpoint = "/v1/knowledge";
    for (std::string_view known : kEndpoints)
        if (request.path == known) endpoint = known;
    metrics_.count_request(endpoint, r.status);
    return r;
}

ApiError Api::not_ready_error() const {
    const ModelStatusSnapshot s = model_status_.snapshot();
    if (s.state == ModelState::kLoading) {
        ApiError e = unavailable("the model is still loading; try again shortly", 2);
        e.code = "model_loading";
        return e;
    }
    std::string progress = fetch::format_bytes(s.bytes);
    if (s.total) progress += " of " + fetch::format_bytes(s.total);
    if (s.state == ModelState::kDownloading) {
        const double eta = s.eta_seconds();
        ApiError e =
            unavailable("the model " + s.model + " is downloading (" + progress +
                            (eta >= 0 ? ", about " + fetch::format_duration(eta) + " left" : "") +
                            "); GET /health shows the progress",
                        eta >= 0 && eta < 60 ? std::max(2, int(eta)) : 30);
        e.code = "model_downloading";
        return e;
    }
    ApiError e = unavailable("the model " + s.model + " could not be downloaded (" + s.error +
                                 "); the server tries again in " +
                                 std::to_string(s.retry_in_seconds) + " s. " + s.help,
                             std::max(5, s.retry_in_seconds));
    e.code = "model_unavailable";
    return e;
}

HttpResponse Api::route(const HttpRequest& req) {
    const std::string& p = req.path;
    const bool rerank_path =
        p == "/v1/rerank" || p == "/rerank" || p == "/v1/reranking" || p == "/reranking";
    const bool api = p.starts_with("/v1/") || p == "/tokenize" || p == "/detokenize" ||
                     p == "/metrics" || rerank_path;
    if (req.method == "OPTIONS") {
        HttpResponse r;
        r.status = 204;
        if (!options_.cors_origin.empty()) {
            r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
            r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
            r.headers.emplace_back("Access-Control-Max-Age", "600");
        }
        return r;
    }
    // The knowledge base's admin requests have a key of their own (admin_authorized).
    if (api && !is_admin_request(req) && !authorized(req))
        throw ApiException{
            make_error(401, "invalid_request_error", "invalid_api_key",
                       "missing or wrong API key: send 'Authorization: Bearer <key>'")};

    if (p == "/health") {
        if (!ready_) {
            json body = model_status_.snapshot().to_json();
            body["status"] = "loading";
            return json_response(503, body);
        }
        // The load lets a client show "busy" when every slot is taken (its request would queue).
        Scheduler* s = scheduler();
        if (!s)
            return json_response(200,
                                 {{"status", "ok"}, {"slots", 0}, {"active", 0}, {"queued", 0}});
        const SchedulerStats st = s->stats();
        return json_response(
            200,
            {{"status", "ok"}, {"slots", st.slots}, {"active", st.active}, {"queued", st.queued}});
    }
    if (req.method == "GET" && !api) {
        const StaticAsset* a = find_static_asset(p);
        if (!a)
            throw ApiException{
                make_error(404, "invalid_request_error", "not_found", "no such page: " + p)};
        HttpResponse r;
        r.content_type = std::string(a->content_type);
        r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
        r.headers.emplace_back("Cache-Control",
                               a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
        r.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return r;
    }
    const bool get = req.method == "GET", post = req.method == "POST";
    if (p == "/metrics" && get) return metrics();
    if (!ready_) throw ApiException{not_ready_error()};
    if (p == "/v1/knowledge" || p.starts_with("/v1/knowledge/")) return knowledge(req);
    if (p == "/v1/models" && get) return models();
    constexpr std::string_view models_prefix = "/v1/models/", pull_suffix = "/pull";
    if ((post || req.method == "DELETE") && p.size() > models_prefix.size() + pull_suffix.size() &&
        p.starts_with(models_prefix) && p.ends_with(pull_suffix)) {
        const std::string name(
            p.substr(models_prefix.size(), p.size() - models_prefix.size() - pull_suffix.size()));
        return post ? pull(name) : cancel_pull(name);
    }
    if (p == "/v1/chat/completions" && post) return chat_completions(req);
    if (p == "/v1/completions" && post) return completions(req);
    if (p == "/v1/embeddings" && post) return embeddings(req);
    if (rerank_path && post) return rerank(req);
    if (p == "/tokenize" && post) return tokenize(req);
    if (p == "/detokenize" && post) return detokenize(req);
    throw ApiException{make_error(404, "invalid_request_error", "not_found",
                                  "no endpoint " + req.method + " " + p)};
}

HttpResponse Api::metrics() {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    SchedulerStats stats;
    Scheduler* s = scheduler();
    if (s) stats = s->stats();
    const RegistryStats models = registry_.stats();
    r.body = metrics_.render(s ? &stats : nullptr, &models);
    return r;
}

HttpResponse Api::chat_completions(const HttpRequest& req) {
    refuse_when_shutting_down();
    const json body = parse_json_body(req.body);
    auto served = use_model<ChatModel>(requested_model(body), ModelKind::kChat);
    const LoadedModel& model = served->model();
    ChatCompletionRequest r = parse_chat_request(
        body, SamplingDefaults{model.sampling_defaults(true), model.sampling_defaults(false)},
        options_.limits);

    const int n_ctx = served->scheduler().n_ctx();
    const int room = std::min(r.options.max_tokens.value_or(options_.answer_room), n_ctx / 2);
    json citations = add_knowledge(body, r.messages, room, *served);
    TurnPrompt prompt;
    try {
        prompt = served->turns().encode(r.messages, r.tools.tools, r.max_rounds, room,
                                        r.template_variables);
    } catch (const Error& e) {
        ApiError err =
            make_error(400, "invalid_request_error", "context_length_exceeded", e.what());
        err.param = "messages";
        throw ApiException{err};
    }

    auto g = std::make_shared<Generation>();
    g->chat = true;
    g->stream = r.options.stream;
    g->include_usage = r.options.include_usage;
    g->dropped_rounds = prompt.dropped_rounds;
    g->citations = std::move(citations);
    g->prompt = std::move(prompt);
    g->turn.stop = r.options.stop;
    g->turn.split_reasoning = r.split_reasoning;
    // Not asked: up to the context's end, but never past the server's own limit.
    g->turn.generate.max_tokens =
        r.options.max_tokens.value_or(std::min(n_ctx, options_.limits.max_tokens));
    g->turn.generate.sampling = r.options.sampling;
    g->turn.generate.stop_ids = model.stop_ids();
    g->turn.generate.loop_guard = r.options.loop_guard;
    g->turn.top_logprobs = r.options.top_logprobs;
    g->turn.split_tool_calls = r.tools.may_call && !r.tools.tools.empty();
    g->turn.tools = r.tools.tools;
    g->parallel_tool_calls = r.tools.parallel_tool_calls;
    g->turn.stop_at_first_tool_call = !r.tools.parallel_tool_calls;
    // tool_choice "none": the model cannot open a call (Qwen's tag is one added token).
    if (!r.tools.may_call)
        if (const int tag = model.tokenizer().find_added(ToolCallSplitter::kOpen); tag >= 0)
            g->turn.generate.banned_ids.push_back(tag);
    constrain(*g, *served, r.options.format, &r.tools);
    return run(g, std::move(served));
}

HttpResponse Api::completions(const HttpRequest& req) {
    refuse_when_shutting_down();
    const json body = parse_json_body(req.body);
    auto served = use_model<ChatModel>(requested_model(body), ModelKind::kChat);
    const LoadedModel& model = served->model();
    const int n_ctx = served->scheduler().n_ctx();
    CompletionRequest r =
        parse_completion_request(body, model.sampling_defaults(), options_.limits);
    std::vector<int32_t> ids;
    try {
        ids = model.tokenizer().encode(r.prompt, SpecialTokens::kParse);
    } catch (const Error& e) {
        api_fail("prompt", e.what());
    }
    if (ids.empty()) api_fail("prompt", "'prompt' must not be empty");
    if (int(ids.size()) >= n_ctx) {
        ApiError err = make_error(400, "invalid_request_error", "context_length_exceeded",
                                  "the prompt has " + std::to_string(ids.size()) +
                                      " tokens; this server's context holds " +
                                      std::to_string(n_ctx) + " (prompt and answer)");
        err.param = "prompt";
        throw ApiException{err};
    }
    auto g = std::make_shared<Generation>();
    g->chat = false;
    g->stream = r.options.stream;
    g->include_usage = r.options.include_usage;
    g->prompt.ids.assign(ids.begin(), ids.end());
    g->turn.stop = r.options.stop;
    // OpenAI's default here (16), within the server's limit.
    g->turn.generate.max_tokens =
        r.options.max_tokens.value_or(std::min(16, options_.limits.max_tokens));
    g->turn.generate.sampling = r.options.sampling;
    // A raw completion runs to its limit, a stop string or the end of the text.
    if (const int eot = model.tokenizer().find_added("<|endoftext|>"); eot >= 0)
        g->turn.generate.stop_ids.push_back(eot);
    g->turn.generate.loop_guard = r.options.loop_guard;
    g->turn.top_logprobs = r.options.top_logprobs;
    constrain(*g, *served, r.options.format);
    return run(g, std::move(served));
}

void Api::constrain(Generation& g, ChatModel& model, const OutputFormat& format,
                    const ToolRequest* tools) {
    using Choice = ToolRequest::Choice;
    const bool forced_call =
        tools && (tools->choice == Choice::kRequired || tools->choice == Choice::kFunction);
    if (format.kind == OutputFormat::Kind::kText && !forced_call) return;
    if (forced_call && format.kind != OutputFormat::Kind::kText)
        api_fail(format.kind == OutputFormat::Kind::kGrammar ? "grammar" : "response_format",
                 "a forced tool call (tool_choice \"required\" or a named function) is the whole "
                 "answer: it cannot also keep to a 'response_format' or 'grammar'");
    const LoadedModel& loaded = model.model();
    // A prompt that opens the thinking: the document starts after </think>.
    const bool thinking = g.chat && prompt_opens_thinking(g.prompt.text);
    const int32_t open_after = thinking ? loaded.tokenizer().find_added("</think>") : -1;
    // The constraint's budget ends the document in time; the loop guard would cut it short.
    g.turn.generate.loop_guard.enabled = false;
    std::vector<int32_t> end_ids(g.turn.generate.stop_ids.begin(), g.turn.generate.stop_ids.end());
    if (forced_call) {
        // The call's tags are added tokens of Qwen's vocabulary; without them no call can be
        // written.
        for (const char* tag : {"<tool_call>", "</tool_call>"})
            if (loaded.tokenizer().find_added(tag) < 0)
                api_fail("tool_choice", std::string("this model's vocabulary has no ") + tag +
                                            " token, so its calls cannot be forced");
        const auto form = loaded.template_writes_xml_tool_calls() ? grammar::ToolCallForm::kXml
                                                                  : grammar::ToolCallForm::kJson;
        g.turn.constraint =
            tool_call_constraint(*tools, form, model.maskers(true), std::move(end_ids),
                                 g.turn.generate.max_tokens, open_after);
        return;
    }
    g.turn.constraint = output_constraint(format, model.maskers(false), std::move(end_ids),
                                          g.turn.generate.max_tokens, open_after);
}

HttpResponse Api::run(std::shared_ptr<Generation> g, std::shared_ptr<ChatModel> model) {
    g->id = (g->chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id_++);
    g->created = unix_time();
    g->model = model->model().id();
    g->tokenizer = &model->model().tokenizer();
    g->top_logprobs = g->turn.top_logprobs.has_value();
    // The callback holds the generation until the job ends.
    try {
        g->handle = model->turns().start(std::move(g->prompt), std::move(g->turn),
                                         [g](const TurnEvent& ev) { return g->on_event(ev); });
    } catch (const Error& e) {
        throw ApiException{make_error(400, "invalid_request_error", "invalid_prompt", e.what())};
    }
    if (!g->handle)
        throw ApiException{
            unavailable("all slots are busy and the queue is full; retry shortly", 2)};

    auto record = [this, g] {
        if (g->got_token)
            metrics_.observe_ttft(
                std::chrono::duration<double>(g->first_token - g->arrived).count());
        if (g->final.decode_tokens_per_second > 0)
            metrics_.observe_decode_speed(g->final.decode_tokens_per_second);
    };

    if (!g->stream) {
        std::unique_lock lock(g->m);
        g->cv.wait(lock, [&] { return g->done; });
        record();
        if (g->finish_reason == "error")
            throw ApiException{
                make_error(500, "server_error", "generation_failed", g->final.error)};
        return json_response(200, g->response_body());
    }

    HttpResponse r;
    // Exactly "text/event-stream" (UTF-8 by definition): cpp-httplib compresses every other text
    // type for a client that accepts gzip, which holds the events back until the end.
    r.content_type = "text/event-stream";
    r.headers.emplace_back("Cache-Control", "no-cache, no-transform");
    r.headers.emplace_back("X-Accel-Buffering", "no");
    if (g->chat) {  // OpenAI opens a chat stream with the role
        std::lock_guard lock(g->m);
        // The passages the answer cites, before its first words (after the role: pushed first).
        if (!g->citations.is_null())
            g->chunks.push_front("data: " +
                                 dump_json(g->chunk({{"index", 0},
                                                     {"delta", json::object()},
                                                     {"citations", g->citations},
                                                     {"finish_reason", nullptr}})) +
                                 "\n\n");
        g->chunks.push_front(
            "data: " +
            dump_json(g->chunk({{"index", 0},
                                {"delta", {{"role", "assistant"}, {"content", ""}}},
                                {"finish_reason", nullptr}})) +
            "\n\n");
    }
    const auto ping = options_.ping_interval;
    // The stream holds the model (a use the registry sees) until the answer is sent.
    r.stream = [g, ping, record, model](const StreamWriter& write) {
        for (;;) {
            std::deque<std::string> ready;
            bool finished;
            {
                std::unique_lock lock(g->m);
                g->cv.wait_for(lock, ping, [&] { return !g->chunks.empty() || g->done; });
                ready.swap(g->chunks);
                finished = g->done;
            }
            if (ready.empty() && !finished) ready.push_back(": ping\n\n");
            for (const auto& c : ready) {
                if (!write(c)) {
                    g->client_gone = true;
                    g->handle->cancel();
                    return;
                }
            }
            if (finished) {
                std::lock_guard lock(g->m);
                if (g->chunks.empty()) break;
            }
        }
        record();
    };
    return r;
}

HttpResponse Api::tokenize(const HttpRequest& req) {
    const json body = parse_json_body(req.body);
    if (!body.is_object() || !body.contains("content") || !body["content"].is_string())
        api_fail("content", "'content' must be a string", "invalid_type");
    refuse_unknown_fields(body, {"content", "add_special", "parse_special", "model"},
                          "a tokenize request");
    check_model_field(body);
    bool special = false;
    if (body.contains("add_special") || body.contains("parse_special")) {
        const json& v =
            body.contains("parse_special") ? body["parse_special"] : body["add_special"];
        if (!v.is_boolean())
            api_fail("parse_special", "'parse_special' must be true or false", "invalid_type");
        special = v.get<bool>();
    }
    try {
        const auto ids = use_model<ChatModel>(requested_model(body), ModelKind::kChat)
                             ->model()
                             .tokenizer()
                             .encode(body["content"].get<std::string>(),
                                     special ? SpecialTokens::kParse : SpecialTokens::kAsText);
        return json_response(200, {{"tokens", ids}});
    } catch (const Error& e) {
        api_fail("content", e.what());
    }
}

HttpResponse Api::detokenize(const HttpRequest& req) {
    const json body = parse_json_body(req.body);
    if (!body.is_object() || !body.contains("tokens") || !body["tokens"].is_array())
        api_fail("tokens", "'tokens' must be an array of token ids", "invalid_type");
    refuse_unknown_fields(body, {"tokens", "model"}, "a detokenize request");
    check_model_field(body);
    const auto served = use_model<ChatModel>(requested_model(body), ModelKind::kChat);
    const Tokenizer& tokenizer = served->model().tokenizer();
    std::vector<int32_t> ids;
    for (const auto& t : body["tokens"]) {
        if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() >= tokenizer.size())
            api_fail("tokens",
                     "token ids must be integers in [0, " + std::to_string(tokenizer.size()) + ")");
        ids.push_back(t.get<int32_t>());
    }
    return json_response(200, {{"content", tokenizer.decode(ids)}});
}

}  // namespace qe
