// Which model a request runs (its `model` field) and GET /v1/models: the registered models, the
// downloaded ones and the catalogue's official ones, each saying whether it is there and loaded.
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "fetch/catalogue_names.h"
#include "fetch/model_store.h"
#include "server/api.h"
#include "server/api_json.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// As the API names kinds: the type of a /v1/models entry.
const char* type_name(ModelKind kind) {
    switch (kind) {
        case ModelKind::kChat:
            return "chat";
        case ModelKind::kEmbedding:
            return "embedding";
        case ModelKind::kRerank:
            return "reranker";
    }
    return "chat";
}

json capabilities(ModelKind kind) {
    switch (kind) {
        case ModelKind::kChat:
            return json::array({"chat", "completion"});
        case ModelKind::kEmbedding:
            return json::array({"embedding"});
        case ModelKind::kRerank:
            return json::array({"rerank"});
    }
    return json::array();
}

// What an endpoint of `kind` is, for messages.
const char* endpoint_of(ModelKind kind) {
    switch (kind) {
        case ModelKind::kChat:
            return "chat and completion requests need a chat model";
        case ModelKind::kEmbedding:
            return "/v1/embeddings needs an embedding model";
        case ModelKind::kRerank:
            return "/v1/rerank needs a reranker model";
    }
    return "";
}

// A name a request may give for a file of the models folder: no folders, no hidden files.
bool plain_file_name(const std::string& name) {
    return !name.empty() && name[0] != '.' && name.find('/') == std::string::npos &&
           name.find('\\') == std::string::npos;
}

// The downloaded, complete models of the folder ("" : none).
std::vector<fetch::CachedModel> downloaded(const std::string& dir) {
    std::vector<fetch::CachedModel> out;
    if (dir.empty()) return out;
    for (auto& m : fetch::list_models(dir))
        if (!m.partial) out.push_back(std::move(m));
    return out;
}

bool same_file_name(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(uint8_t(x)) == std::tolower(uint8_t(y));
           });
}

json entry_json(const std::string& id, ModelKind kind) {
    return json{{"id", id},
                {"object", "model"},
                {"created", 0},
                {"owned_by", "qwen-edge"},
                {"type", type_name(kind)},
                {"capabilities", capabilities(kind)}};
}

// Whether a chat model can think (its template reads enable_thinking) and whether a chat should
// start with thinking on: as the catalogue says for its files, else only for models of 2B
// parameters or more, as small ones think long.
json thinking_of(const LoadedModel& model) {
    const bool can_think = model.template_has_thinking_switch();
    const fetch::CatalogueEntry* listed = fetch::catalogue_entry_of_file(model.file().path());
    const bool by_default =
        listed ? listed->thinking_default : model.file().parameter_count() >= 2'000'000'000;
    return {{"supported", can_think}, {"default", can_think && by_default}};
}

}  // namespace

std::string Api::resolve_model(const std::string& requested, ModelKind kind) {
    auto check_kind = [&](const std::string& name) {
        const ModelKind has = registry_.kind(name);
        if (has != kind)
            api_fail("model",
                     "model '" + requested + "' is a " + type_name(has) + " model; " +
                         endpoint_of(kind) + " (GET /v1/models lists each model's type)",
                     "wrong_model_type");
        return name;
    };
    if (requested.empty() || requested == "default") {
        std::lock_guard lock(defaults_mutex_);
        const auto it = defaults_.find(kind);
        if (it != defaults_.end()) return it->second;
        if (kind == ModelKind::kEmbedding)
            api_fail("model",
                     "this server has no embedding model: start it with --embedding-model PATH "
                     "(e.g. a Qwen3-Embedding GGUF) to add one, or name one in 'model'",
                     "no_embedding_model");
        if (kind == ModelKind::kRerank)
            api_fail("model",
                     "this server has no reranker model: start it with --rerank-model PATH (e.g. "
                     "a Qwen3-Reranker GGUF) to add one, or name one in 'model'",
                     "no_rerank_model");
        api_fail("model", "this server has no default chat model: name one in 'model'",
                 "model_not_found", 404);
    }
    if (registry_.contains(requested)) return check_kind(requested);

    // A file of the models folder, by its file name with or without ".gguf".
    const std::vector<fetch::CachedModel> files = downloaded(options_.models_dir);
    if (plain_file_name(requested))
        for (const auto& f : files)
            if (f.name == requested || LoadedModel::id_of(f.name) == requested) {
                const fetch::CatalogueEntry* listed = fetch::catalogue_entry_of_file(f.path);
                return check_kind(add_model(f.path, listed ? listed->kind : kind, false, false));
            }

    // A catalogue name: its downloaded file.
    std::optional<fetch::CatalogueChoice> choice;
    try {
        choice = fetch::parse_catalogue_name(requested);
    } catch (const Error& e) {
        api_fail("model", e.what(), "model_not_found", 404);
    }
    if (choice && !options_.models_dir.empty()) {
        std::string path;
        try {
            path = fetch::resolve_model(requested, options_.models_dir);
        } catch (const Error&) {
            api_fail("model",
                     "model '" + requested + "' (" + choice->entry->display_name +
                         ") is not downloaded: POST /v1/models/" + requested +
                         "/pull downloads it (or `qwen-edge pull " + requested + "`)",
                     "model_not_found", 404);
        }
        return check_kind(add_model(path, choice->entry->kind, false, false));
    }

    std::set<std::string> names;
    for (const auto& e : registry_.entries()) names.insert(e.name);
    for (const auto& f : files) names.insert(LoadedModel::id_of(f.name));
    std::string here;
    for (const auto& n : names) here += (here.empty() ? "" : ", ") + n;
    api_fail("model",
             "model '" + requested + "' does not exist here; there are: " + here +
                 "; and by name, to download: " + fetch::catalogue_short_names() +
                 " (GET /v1/models)",
             "model_not_found", 404);
}

std::string Api::keep_loaded(const std::string& name) {
    ModelKind kind = ModelKind::kChat;
    try {
        if (registry_.contains(name))
            kind = registry_.kind(name);
        else if (auto choice = fetch::parse_catalogue_name(name))
            kind = choice->entry->kind;
        const std::string registered = resolve_model(name, kind);
        registry_.pin(registered);
        registry_.acquire(registered);
        return registered;
    } catch (const ApiException& e) {
        throw Error("--keep-loaded " + name + ": " + e.error.message);
    }
}

template <class Served>
std::shared_ptr<Served> Api::use_model(const std::string& requested, ModelKind kind) {
    const std::string name = resolve_model(requested, kind);
    std::shared_ptr<ServedModel> model;
    try {
        model = registry_.acquire(name);
    } catch (const ModelUnavailable& e) {
        using Reason = ModelUnavailable::Reason;
        ApiError err;
        switch (e.reason) {
            case Reason::kUnknown:
                err = make_error(404, "invalid_request_error", "model_not_found", e.what());
                break;
            case Reason::kTooLarge:
                err = make_error(400, "invalid_request_error", "model_too_large", e.what());
                break;
            case Reason::kNoRoom:
                err = make_error(503, "server_error", "insufficient_memory", e.what());
                err.retry_after_s = 10;
                break;
            case Reason::kTimeout:
                err = make_error(503, "server_error", "model_loading", e.what());
                err.retry_after_s = 5;
                break;
            case Reason::kLoadFailed:
                err = make_error(500, "server_error", "model_load_failed", e.what());
                break;
        }
        err.param = "model";
        throw ApiException{err};
    }
    auto typed = std::dynamic_pointer_cast<Served>(model);
    if (!typed) throw Error("model '" + name + "' is registered as another kind");
    return typed;
}

template std::shared_ptr<ChatModel> Api::use_model<ChatModel>(const std::string&, ModelKind);
template std::shared_ptr<EmbeddingModel> Api::use_model<EmbeddingModel>(const std::string&,
                                                                        ModelKind);
template std::shared_ptr<RerankModel> Api::use_model<RerankModel>(const std::string&, ModelKind);

template <class Served>
std::shared_ptr<Served> Api::default_model(ModelKind kind) {
    {
        std::lock_guard lock(defaults_mutex_);
        if (!defaults_.contains(kind)) return nullptr;
    }
    return use_model<Served>("", kind);
}

template std::shared_ptr<EmbeddingModel> Api::default_model<EmbeddingModel>(ModelKind);
template std::shared_ptr<RerankModel> Api::default_model<RerankModel>(ModelKind);

HttpResponse Api::models() {
    std::string default_chat;
    {
        std::lock_guard lock(defaults_mutex_);
        if (auto it = defaults_.find(ModelKind::kChat); it != defaults_.end())
            default_chat = it->second;
    }
    std::vector<RegistryEntryInfo> registered = registry_.entries();
    // The default chat model first: clients that show one model show it.
    std::stable_partition(registered.begin(), registered.end(),
                          [&](const RegistryEntryInfo& e) { return e.name == default_chat; });

    json data = json::array();
    std::set<std::string> listed;
    for (const RegistryEntryInfo& e : registered) {
        json j = entry_json(e.name, e.kind);
        j["downloaded"] = true;
        j["loaded"] = e.loaded;
        j["loading"] = e.loading;
        j["pinned"] = e.pinned;
        j["bytes"] = e.bytes;
        const fetch::CatalogueEntry* listed_entry = fetch::catalogue_entry_of_file(e.path);
        if (listed_entry) j["parameters"] = listed_entry->parameters;
        const std::shared_ptr<ServedModel> m = registry_.peek(e.name);
        if (auto chat = std::dynamic_pointer_cast<ChatModel>(m)) {
            j["context_length"] = chat->scheduler().n_ctx();
            j["thinking"] = thinking_of(chat->model());
        } else if (auto embedding = std::dynamic_pointer_cast<EmbeddingModel>(m)) {
            j["context_length"] = embedding->embedder().n_ctx();
            j["dimensions"] = embedding->embedder().dim();
        } else if (auto reranker = std::dynamic_pointer_cast<RerankModel>(m)) {
            j["context_length"] = reranker->reranker().n_ctx();
        } else if (listed_entry && e.kind == ModelKind::kChat) {
            j["thinking"] = {{"supported", listed_entry->thinks},
                             {"default", listed_entry->thinks && listed_entry->thinking_default}};
        }
        listed.insert(e.name);
        data.push_back(std::move(j));
    }

    const std::vector<fetch::CachedModel> files = downloaded(options_.models_dir);
    for (const auto& f : files) {
        const std::string id = LoadedModel::id_of(f.name);
        if (listed.contains(id)) continue;
        const fetch::CatalogueEntry* listed_entry = fetch::catalogue_entry_of_file(f.path);
        json j = entry_json(id, listed_entry ? listed_entry->kind : ModelKind::kChat);
        j["downloaded"] = true;
        j["loaded"] = false;
        j["bytes"] = f.bytes;
        if (listed_entry) j["parameters"] = listed_entry->parameters;
        listed.insert(id);
        data.push_back(std::move(j));
    }

    // Downloads started here, on the catalogue model's entry.
    const std::map<std::string, DownloadState> pulls = downloads_.states();
    auto with_download = [&](json& j, const std::string& id) {
        const auto it = pulls.find(id);
        if (it == pulls.end()) return;
        const DownloadState& d = it->second;
        if (d.running && !d.cancel_requested)
            j["download"] = {
                {"bytes", d.bytes}, {"total", d.total}, {"bytes_per_second", d.bytes_per_second}};
        else if (!d.error.empty())
            j["download_error"] = d.error;
    };

    // The official models by their short names, downloaded or not (with a models folder to
    // download them into).
    for (const fetch::CatalogueEntry& c : fetch::model_catalogue()) {
        if (options_.models_dir.empty()) break;
        const std::string id = c.short_name();
        if (listed.contains(id)) continue;
        json j = entry_json(id, c.kind);
        j["display_name"] = c.display_name;
        j["parameters"] = c.parameters;
        bool have = false;
        uint64_t bytes = 0;
        for (const auto& f : files)
            for (const auto& q : c.quants)
                if (q.parts == 1 && same_file_name(f.name, q.file) && !have) {
                    have = true;
                    bytes = f.bytes;
                }
        // Loaded when one of its files is (a request named it, or its file).
        bool loaded = false;
        for (const RegistryEntryInfo& e : registered)
            for (const auto& q : c.quants)
                loaded = loaded ||
                         (e.loaded && same_file_name(fs::path(e.path).filename().string(), q.file));
        j["downloaded"] = have || loaded;
        j["loaded"] = loaded;
        j["bytes"] = have ? json(bytes) : json(nullptr);
        if (c.kind == ModelKind::kChat)
            j["thinking"] = {{"supported", c.thinks}, {"default", c.thinks && c.thinking_default}};
        with_download(j, id);
        data.push_back(std::move(j));
    }
    return HttpResponse{200,
                        "application/json",
                        dump_json(json{{"object", "list"}, {"data", std::move(data)}}),
                        {},
                        {}};
}

HttpResponse Api::pull(const std::string& name) {
    refuse_when_shutting_down();
    if (options_.models_dir.empty())
        api_fail("model", "this server has no models folder to download into", "no_models_dir");
    std::string key;
    try {
        key = downloads_.start(name);
    } catch (const Error& e) {
        api_fail("model", e.what(), "model_not_found", 404);
    }
    const DownloadState state = downloads_.states().at(key);
    return HttpResponse{202,
                        "application/json",
                        dump_json(json{{"id", key},
                                       {"object", "model.download"},
                                       {"file", state.file},
                                       {"status", state.running ? "downloading" : "done"}}),
                        {},
                        {}};
}

HttpResponse Api::cancel_pull(const std::string& name) {
    std::string key;
    try {
        key = downloads_.cancel(name);
    } catch (const Error& e) {
        api_fail("model", e.what(), "download_not_found", 404);
    }
    return HttpResponse{
        200,
        "application/json",
        dump_json(json{{"id", key}, {"object", "model.download"}, {"status", "cancelled"}}),
        {},
        {}};
}

}  // namespace qe
