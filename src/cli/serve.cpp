// qwen-edge serve: the web chat and the OpenAI-compatible API.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "cli/first_start.h"
#include "cli/model_choice.h"
#include "core/error.h"
#include "engine/scheduler.h"
#include "fetch/model_pull.h"
#include "fetch/model_store.h"
#include "knowledge/data_dir.h"
#include "library/bases.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/served_models.h"

namespace qe::cli {
namespace {

namespace fs = std::filesystem;

struct ServeArgs {
    std::string model, embedding_model, rerank_model;
    bool demo = false;
    std::string source;      // of a first start's download
    bool no_verify = false;  // a first start may take a file no SHA-256 is known for
    bool no_speculative = false;
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string api_key, api_key_file, cors;
    std::string tls_cert, tls_key;  // HTTPS
    int parallel = 4, queue = 16, ctx = 4096, threads = 0;
    size_t max_body = 1 << 20;
    int max_tokens = 4096;
    int request_timeout = 30;
    int idle_unload = 15;  // minutes
    std::string memory_budget;
    std::vector<std::string> keep_loaded;
    int load_timeout = 120;  // seconds
    std::optional<std::string> data_dir;
    std::string kb, admin_key;
    uint64_t max_upload = 64ull << 20;
};

std::string read_key_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot read the API key file");
    std::string key;
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.empty()) throw Error(path + ": the API key file is empty");
    return key;
}

// The model to serve; "" for a first start (none named, none in the models folder), which
// downloads the default one while the server is already up.
std::string model_or_first_start(const ServeArgs& a) {
    if (!a.model.empty() || a.demo) return choose_model(a.model, a.demo);
    try {
        return fetch::resolve_model_option("");
    } catch (const Error&) {
        return "";
    }
}

// Registers the chat model (and the second models) as the defaults and loads them, so that
// their problems show at the start; opens the knowledge bases (whose imports embed with the
// default embedding model) and lets the API answer.
void load_models(const ServeArgs& a, const std::string& model_path, const fs::path& data_dir, Api& api) {
    api.model_status().loading(fs::path(model_path).filename().string());
    const auto t0 = std::chrono::steady_clock::now();
    const std::string chat = api.add_model(model_path, ModelKind::kChat, false, true);
    const auto loaded = std::dynamic_pointer_cast<ChatModel>(api.registry().acquire(chat));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const auto stats = loaded->scheduler().stats();
    std::fprintf(stderr,
                 "qwen-edge: ready in %.0f ms: %s, %d slots x %d tokens of context, %s %.1f MiB\n",
                 ms, chat.c_str(), a.parallel, loaded->scheduler().n_ctx(),
                 // A hybrid model's states hold a recurrent part beside the KV cache.
                 loaded->model().config().full_attention_interval > 0 ? "KV cache + recurrent state"
                                                                      : "KV cache",
                 double(stats.kv_bytes) / (1 << 20));
    if (!a.embedding_model.empty()) {
        const std::string name = api.add_model(a.embedding_model, ModelKind::kEmbedding, true, true);
        api.registry().acquire(name);
        std::fprintf(stderr, "qwen-edge: embeddings with %s\n", name.c_str());
    }
    if (!a.rerank_model.empty()) {
        const std::string name = api.add_model(a.rerank_model, ModelKind::kRerank, true, true);
        api.registry().acquire(name);
        std::fprintf(stderr, "qwen-edge: reranking with %s\n", name.c_str());
    }
    for (const std::string& name : a.keep_loaded) api.keep_loaded(name);
    api.set_knowledge(data_dir);
    if (!a.kb.empty()) std::fprintf(stderr, "qwen-edge: knowledge base '%s' by default\n", a.kb.c_str());
    if (a.idle_unload > 0) api.registry().start_idle_sweeper(std::chrono::seconds(30));
    api.set_ready();
}

int serve(ServeArgs a) {
    a.model = model_or_first_start(a);
    if (!a.embedding_model.empty()) a.embedding_model = choose_model(a.embedding_model, false);
    if (!a.rerank_model.empty()) a.rerank_model = choose_model(a.rerank_model, false);
    if (a.demo) std::fprintf(stderr, "qwen-edge: DEMO model with random weights: its answers are noise\n");
    FirstStartOptions first_start;
    first_start.allow_unverified = a.no_verify;
    first_start.source = a.source.empty() ? fetch::source_from_environment()
                                          : std::optional<fetch::Source>(fetch::parse_source(a.source));
    // SIGINT/SIGTERM are taken by one thread (sigwait) for a graceful stop; a client that hangs
    // up must not kill the process with SIGPIPE.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    ApiOptions api_options;
    api_options.api_key = a.api_key_file.empty() ? a.api_key : read_key_file(a.api_key_file);
    api_options.cors_origin = a.cors;
    api_options.limits.max_tokens = a.max_tokens;
    api_options.served.chat.slots = a.parallel;
    api_options.served.chat.max_queue = a.queue;
    api_options.served.chat.n_ctx = a.ctx;
    api_options.served.chat.n_threads = a.threads;
    api_options.served.chat.speculative.enabled = !a.no_speculative;
    api_options.served.threads = a.threads;
    try {
        api_options.models_dir = models_dir();
    } catch (const Error&) {
        // No models folder (no HOME): requests name only the models given here.
    }
    RegistryOptions& models = api_options.registry;
    models.memory_budget = a.memory_budget.empty() ? default_memory_budget() : parse_byte_size(a.memory_budget);
    models.idle_unload = std::chrono::minutes(a.idle_unload);
    models.load_timeout = std::chrono::seconds(a.load_timeout);
    models.log = [](const std::string& line) { std::fprintf(stderr, "qwen-edge: %s\n", line.c_str()); };
    api_options.admin_key = a.admin_key;
    api_options.default_base = a.kb;
    api_options.max_upload_bytes = a.max_upload;
    const auto data_dir = knowledge::data_dir(a.data_dir);
    if (!a.kb.empty() && !library::Bases(data_dir).exists(a.kb))
        throw Error("--kb " + a.kb + ": no such knowledge base in " + (data_dir / "knowledge").string() +
                    " (create it: qwen-edge kb create " + a.kb + ")");
    Api api(api_options);

    HttpOptions http;
    http.host = a.host;
    http.port = a.port;
    http.max_body_bytes = a.max_body;
    http.max_upload_bytes = a.max_upload;
    http.request_timeout_s = a.request_timeout;
    http.threads = std::max(8, a.parallel + a.queue + 8);
    http.tls_cert_file = a.tls_cert;
    http.tls_key_file = a.tls_key;
    HttpServer server(http, api);
    const int port = server.bind();
    std::thread http_thread([&] { server.serve(); });
    const char* scheme = a.tls_cert.empty() ? "http" : "https";
    if (a.model.empty()) {
        std::fprintf(stderr,
                     "qwen-edge: listening on %s://%s:%d; no model yet: downloading %s into %s "
                     "(the web page shows the progress, then the chat)\n",
                     scheme, a.host.c_str(), port,
                     fs::path(fetch::default_model_path()).filename().string().c_str(),
                     fetch::models_dir().c_str());
    } else {
        std::fprintf(stderr, "qwen-edge: listening on %s://%s:%d (loading %s)\n", scheme,
                     a.host.c_str(), port, a.model.c_str());
    }
    if (a.host != "127.0.0.1" && a.host != "localhost" && api_options.api_key.empty())
        std::fprintf(stderr, "qwen-edge: warning: reachable from the network without an API key (--api-key)\n");

    // The signal thread turns SIGINT/SIGTERM into a stop request; the main thread prepares the
    // model (downloading it first on a first start), then waits for that request.
    StopFlag stop;
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        stop.request();
    });
    int exit_code = 0;
    try {
        std::string model_path = a.model;
        if (model_path.empty()) model_path = download_first_model(api.model_status(), first_start, stop);
        if (!model_path.empty() && !stop.requested()) load_models(a, model_path, data_dir, api);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "qwen-edge serve: error: %s\n", e.what());
        exit_code = 1;
        pthread_kill(signal_thread.native_handle(), SIGTERM);  // ends its sigwait
    }
    while (!stop.wait_for(3600)) {
    }
    signal_thread.join();
    if (exit_code == 0) {
        std::fprintf(stderr, "qwen-edge: stopping (finishing running answers, up to 30 s)\n");
        api.begin_shutdown();
        // Every chat model loaded now, held here so that no unloading ends it meanwhile.
        std::vector<std::shared_ptr<ChatModel>> chats;
        for (const RegistryEntryInfo& e : api.registry().entries())
            if (auto chat = std::dynamic_pointer_cast<ChatModel>(api.registry().peek(e.name)))
                chats.push_back(std::move(chat));
        auto busy = [&] {
            for (const auto& c : chats)
                if (c->scheduler().stats().active + c->scheduler().stats().queued > 0) return true;
            return false;
        };
        // Each drain holds its model: what is left ends when the process does.
        for (const auto& c : chats) std::thread([c] { c->scheduler().drain(); }).detach();
        for (int i = 0; i < 300 && busy(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    server.stop();
    http_thread.join();
    return exit_code;
}

}  // namespace

Runner register_serve(CLI::App& app) {
    auto args = std::make_shared<ServeArgs>();
    auto* cmd = app.add_subcommand("serve", "Serve the web chat and the OpenAI-compatible API");
    cmd->add_option("-m,--model", args->model, "Model: a .gguf file, a Hugging Face folder or a downloaded model's name (qwen3:0.6b, as `qwen-edge list` shows; default: the downloaded Qwen2.5-0.5B-Instruct, downloaded first when it is not there)");
    cmd->add_option("--embedding-model", args->embedding_model, "A second model (e.g. Qwen3-Embedding: a .gguf file or qwen3-embedding:0.6b) for POST /v1/embeddings, over threads of its own");
    cmd->add_option("--rerank-model", args->rerank_model, "A reranker model (Qwen3-Reranker: a .gguf file with its full output head or llama.cpp's 2-row cls.output head, or qwen3-reranker:0.6b) for POST /v1/rerank, over threads of its own");
    cmd->add_option("--source", args->source, "Where a first start (no model named, none downloaded) downloads the default model from: hf or modelscope (default: $QWEN_EDGE_SOURCE, else Hugging Face, then ModelScope when that fails)")
        ->check(CLI::IsMember({"hf", "huggingface", "modelscope", "ms"}, CLI::ignore_case));
    cmd->add_flag("--no-verify", args->no_verify, "Let a first start's download accept a file no SHA-256 is known for");
    cmd->add_flag("--demo", args->demo, "Make and use a model with random weights (answers are noise): for trying it out without a download");
    cmd->add_option("--host", args->host, "Address to listen on (0.0.0.0: the whole network)")
        ->capture_default_str();
    cmd->add_option("--port", args->port, "Port to listen on")->capture_default_str()->check(CLI::Range(0, 65535));
    cmd->add_option("--api-key", args->api_key, "Require 'Authorization: Bearer KEY' on the API");
    cmd->add_option("--api-key-file", args->api_key_file, "Read the API key from the first line of a file");
    auto* cert = cmd->add_option("--tls-cert", args->tls_cert, "Serve HTTPS with this PEM certificate (chain), e.g. from your company CA or self-signed (docs/SECURITY.md)")->check(CLI::ExistingFile);
    auto* key = cmd->add_option("--tls-key", args->tls_key, "The certificate's PEM private key (unencrypted)")->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    cmd->add_option("--cors", args->cors, "Allow browsers from this origin to call the API ('*': any)");
    cmd->add_option("--parallel", args->parallel, "Requests decoded together")->capture_default_str()->check(CLI::Range(1, 64));
    cmd->add_option("--queue", args->queue, "Requests that may wait for a slot")->capture_default_str()->check(CLI::Range(0, 4096));
    cmd->add_option("-c,--ctx", args->ctx, "Context (tokens) of each slot")->capture_default_str()->check(CLI::Range(16, 1 << 20));
    cmd->add_option("-t,--threads", args->threads, "Compute threads (0: one per core)")->capture_default_str()->check(CLI::Range(0, 1024));
    cmd->add_flag("--no-speculative", args->no_speculative, "Decode one token per step: no speculative decoding (prompt lookup proposes the tokens that followed the answer's last words in the prompt, and one pass checks them; the answers are the same either way)");
    cmd->add_option("--max-body", args->max_body, "Largest request body in bytes")->capture_default_str();
    cmd->add_option("--max-tokens", args->max_tokens, "Largest max_tokens a request may ask for")->capture_default_str()->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--idle-unload", args->idle_unload, "Minutes a model may stay unused before it is unloaded (0: never); it loads again on its next request")->capture_default_str()->check(CLI::Range(0, 1 << 20));
    cmd->add_option("--memory-budget", args->memory_budget, "Memory all loaded models may take together, like 8G or 6GiB (default: half of the machine's RAM); the least recently used idle model is unloaded to make room");
    cmd->add_option("--keep-loaded", args->keep_loaded, "A model (as requests name it) loaded at the start and never unloaded; repeatable");
    cmd->add_option("--load-timeout", args->load_timeout, "Seconds a request waits for its model to load before a 503")->capture_default_str()->check(CLI::Range(1, 3600));
    cmd->add_option("--request-timeout", args->request_timeout, "Seconds a client has to send a whole request (slow clients are dropped)")->capture_default_str()->check(CLI::Range(1, 3600));
    cmd->add_option("--data-dir", args->data_dir, "Folder of the knowledge bases (default: $QWEN_EDGE_DATA, else $XDG_DATA_HOME/qwen-edge, else ~/.local/share/qwen-edge)");
    cmd->add_option("--kb", args->kb, "The default knowledge base: the web chat's knowledge switch starts on with it, and API chats may send \"knowledge\": true");
    cmd->add_option("--admin-key", args->admin_key, "Require 'Authorization: Bearer KEY' to create, upload to and delete knowledge bases (without it: only from this machine)");
    cmd->add_option("--max-upload", args->max_upload, "Largest upload to a knowledge base in bytes (one request)")->capture_default_str();
    return [args] { return serve(*args); };
}

}  // namespace qe::cli
