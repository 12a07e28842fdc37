// The knowledge-base endpoints (docs/API.md, "Knowledge bases"):
//
//   GET    /v1/knowledge                           the bases
//   POST   /v1/knowledge                           create one                  (admin)
//   DELETE /v1/knowledge/{name}                    remove one                  (admin)
//   GET    /v1/knowledge/{name}/documents          its documents, with the uploads in progress
//   POST   /v1/knowledge/{name}/documents          upload files (multipart)    (admin)
//   DELETE /v1/knowledge/{name}/documents/{id}     remove one                  (admin)
//   POST   /v1/knowledge/{name}/search             the best passages
//
// Reading and searching run on the HTTP thread over a connection of their own (SQLite's WAL lets
// them read while the import worker writes); uploads are written to a file in the data folder and
// imported by the one worker of the ImportQueue.
#include <fstream>
#include <span>
#include <system_error>

#include "chat/passages_prompt.h"
#include "core/error.h"
#include "library/importer.h"
#include "server/api.h"
#include "server/api_json.h"
#include "server/knowledge_models.h"
#include "server/knowledge_request.h"
#include "server/same_secret.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

HttpResponse json_reply(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.body = dump_json(body);
    return r;
}

[[noreturn]] void base_not_found(const std::string& name) {
    api_fail("name", "no knowledge base '" + name + "' (GET /v1/knowledge lists them)",
             "base_not_found", 404);
}

json summary_json(const library::BaseSummary& s) {
    return {{"name", s.name},
            {"documents", s.documents},
            {"chunks", s.chunks},
            {"embedder", s.embedder ? json{{"name", s.embedder->name}, {"dims", s.embedder->dims}}
                                    : json(nullptr)},
            {"bytes", s.bytes}};
}

json document_json(const library::QueuedDocument& d) {
    return {{"id", d.id},         {"file", d.file},
            {"status", d.status}, {"reason", d.reason.empty() ? json(nullptr) : json(d.reason)},
            {"chunks", 0},        {"bytes", d.bytes},
            {"progress", 0.0},    {"updated_at", d.updated_at}};
}

json hit_json(const knowledge::SearchHit& h) {
    return {{"file", h.document_path},
            {"page", h.page ? json(*h.page) : json(nullptr)},
            {"heading", h.heading},
            {"score", h.score},
            {"text", h.text}};
}

bool is_loopback(const std::string& addr) {
    return addr == "127.0.0.1" || addr == "::1" || addr == "::ffff:127.0.0.1";
}

// An uploaded part's file name as a document name: its last path component (browsers on
// Windows may send "C:\\dir\\a.docx"), checked.
std::string upload_name(const std::string& filename) {
    std::string name = filename;
    const size_t slash = name.find_last_of("/\\");
    if (slash != std::string::npos) name = name.substr(slash + 1);
    if (name.empty() || name == "." || name == "..")
        api_fail("file", "each 'file' part needs a file name (Content-Disposition filename)");
    if (name.size() > 255)
        api_fail("file", "the file name '" + name.substr(0, 64) + "...' is too long");
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) api_fail("file", "the file name has control characters");
    return name;
}

}  // namespace

void Api::set_knowledge(const fs::path& data_dir) {
    bases_ = std::make_unique<library::Bases>(data_dir);
    // Uploads a stopped server left behind were never imported: their clients saw them queued,
    // and a list without them tells them to upload again.
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(data_dir / "knowledge" / ".incoming", ec))
        fs::remove(f.path(), ec);
    std::optional<knowledge::EmbedderInfo> info;
    knowledge::EmbedTexts embed;
    if (const auto model = default_model<EmbeddingModel>(ModelKind::kEmbedding)) {
        info = embedder_info(model->model(), model->embedder());
        // Each batch holds the registry's default embedding model while it embeds, so that it is
        // not unloaded under the import (and is loaded again when it was).
        embed = [this](std::span<const std::string> texts) {
            std::shared_ptr<EmbeddingModel> m;
            try {
                m = default_model<EmbeddingModel>(ModelKind::kEmbedding);
            } catch (const ApiException& e) {
                throw Error("the embedding model: " + e.error.message);
            }
            if (!m) throw Error("the server has no embedding model");
            return embed_passages(m->model(), m->embedder())(texts);
        };
    }
    imports_ = std::make_unique<library::ImportQueue>(*bases_, info, embed);
}

json Api::add_knowledge(const json& body, json& messages, int room, ChatModel& chat) {
    const auto choice = parse_chat_knowledge(body, options_.default_base);
    if (!choice) return nullptr;
    if (!bases_) api_fail("knowledge", "this server has no knowledge bases", "not_found", 404);
    const std::string question = last_user_text(messages);
    if (question.empty())
        api_fail("messages", "a chat with knowledge needs a last user message with text");
    std::vector<knowledge::SearchHit> hits;
    try {
        hits = search_base(choice->base, question, choice->top_k);
    } catch (ApiException& e) {
        if (e.error.param == "name") e.error.param = "knowledge.base";
        throw;
    }
    const Tokenizer& tok = chat.model().tokenizer();
    const CountTokens count = [&tok](std::string_view text) {
        return int(tok.encode(text, SpecialTokens::kAsText).size());
    };
    const int budget = passages_budget(messages, chat.scheduler().n_ctx(), room, count);
    std::vector<Passage> passages;
    for (const auto& h : hits)
        passages.push_back({h.document_path, h.heading, h.page, h.text, h.score});
    PassagesPrompt prompt = add_passages(messages, passages, budget, count);
    messages = std::move(prompt.messages);
    json citations = json::array();
    for (size_t i = 0; i < prompt.used; ++i) {
        const Passage& p = passages[i];
        citations.push_back({{"index", i + 1},
                             {"file", p.file},
                             {"page", p.page ? json(*p.page) : json(nullptr)},
                             {"heading", p.heading},
                             {"text", p.text},
                             {"score", p.score}});
    }
    return citations;
}

void Api::wait_for_imports() {
    if (imports_) imports_->wait_idle();
}

bool Api::is_admin_request(const HttpRequest& req) const {
    return req.method != "GET" && req.path.starts_with("/v1/knowledge") &&
           !req.path.ends_with("/search");
}

bool Api::admin_authorized(const HttpRequest& req) const {
    if (options_.admin_key.empty()) return is_loopback(req.remote_addr) && authorized(req);
    auto it = req.headers.find("authorization");
    if (it == req.headers.end()) return false;
    constexpr std::string_view bearer = "Bearer ";
    const std::string_view value = it->second;
    return value.starts_with(bearer) &&
           same_secret(value.substr(bearer.size()), options_.admin_key);
}

std::unique_ptr<knowledge::KnowledgeBase> Api::open_base(const std::string& name) {
    if (!bases_->exists(name)) base_not_found(name);
    std::optional<knowledge::EmbedderInfo> info;
    if (const auto model = default_model<EmbeddingModel>(ModelKind::kEmbedding))
        info = embedder_info(model->model(), model->embedder());
    try {
        return bases_->open(name, info);
    } catch (const library::BaseNotFound&) {
        base_not_found(name);
    } catch (const Error& e) {  // another embedder, a damaged file
        api_fail("name", e.what(), "base_unusable", 409);
    }
}

std::vector<knowledge::SearchHit> Api::search_base(const std::string& name,
                                                   const std::string& question, int top_k) {
    auto base = open_base(name);
    knowledge::SearchOptions options;
    options.top_k = size_t(top_k);
    // The registry's default embedding model and reranker, held until the search is done.
    std::vector<float> query;
    const auto embedding =
        base->embedder() ? default_model<EmbeddingModel>(ModelKind::kEmbedding) : nullptr;
    if (embedding) query = embed_query(embedding->model(), embedding->embedder(), question);
    options.query_vector = query;
    const auto reranker = default_model<RerankModel>(ModelKind::kRerank);
    if (reranker)
        options.rerank =
            rerank_passages(reranker->model(), reranker->reranker(), reranker->prompt_template());
    try {
        return base->search(question, options);
    } catch (const ApiException&) {
        throw;
    } catch (const Error& e) {
        api_fail("query", e.what(), "search_failed", 500);
    }
}

HttpResponse Api::knowledge(const HttpRequest& req) {
    if (!bases_)
        api_fail("", "this server has no knowledge bases (serve without a data folder)",
                 "not_found", 404);
    if (is_admin_request(req) && !admin_authorized(req))
        throw ApiException{make_error(
            403, "invalid_request_error", "admin_required",
            options_.admin_key.empty()
                ? "creating, uploading and deleting are allowed from this machine only (start the "
                  "server with --admin-key KEY to allow them from elsewhere)"
                : "this needs the admin key: send 'Authorization: Bearer <admin key>'")};

    // "/v1/knowledge", "/v1/knowledge/{name}", "/v1/knowledge/{name}/{what}[/{id}]"
    std::vector<std::string> parts;
    const std::string rest = req.path.substr(std::string_view("/v1/knowledge").size());
    for (size_t i = 0; i < rest.size();) {
        if (rest[i] != '/') break;
        const size_t next = rest.find('/', i + 1);
        parts.push_back(
            rest.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1));
        i = next == std::string::npos ? rest.size() : next;
    }
    const std::string& m = req.method;
    if (parts.empty() || (parts.size() == 1 && parts[0].empty())) {
        if (m == "GET") {
            json data = json::array();
            for (const std::string& n : bases_->names()) {
                try {
                    data.push_back(summary_json(bases_->summary(n)));
                } catch (const Error&) {
                    // removed or damaged meanwhile: not listed
                }
            }
            return json_reply(
                200, {{"object", "list"},
                      {"data", std::move(data)},
                      {"default", options_.default_base.empty() ? json(nullptr)
                                                                : json(options_.default_base)}});
        }
        if (m == "POST") {
            const std::string name = parse_create_base(parse_json_body(req.body));
            try {
                bases_->create(name);
            } catch (const library::BaseExists&) {
                api_fail("name", "knowledge base '" + name + "' already exists", "base_exists",
                         409);
            }
            return json_reply(201, summary_json(bases_->summary(name)));
        }
    }
    if (parts.empty()) api_fail("", "no endpoint " + m + " " + req.path, "not_found", 404);
    const std::string name = base_name_from_path(parts[0]);

    if (parts.size() == 1 && m == "DELETE") {
        if (!bases_->exists(name)) base_not_found(name);
        imports_->forget_base(name);
        try {
            bases_->remove(name);
        } catch (const library::BaseNotFound&) {
            base_not_found(name);
        }
        return json_reply(200, {{"deleted", true}, {"name", name}});
    }
    if (parts.size() == 2 && parts[1] == "search" && m == "POST") {
        const KnowledgeSearchRequest r = parse_knowledge_search(parse_json_body(req.body));
        json data = json::array();
        for (const auto& h : search_base(name, r.query, r.top_k)) data.push_back(hit_json(h));
        return json_reply(200, {{"object", "list"}, {"data", std::move(data)}});
    }
    if (parts.size() == 2 && parts[1] == "documents" && m == "GET") {
        auto base = open_base(name);
        json data = json::array();
        for (const auto& d : imports_->pending(name)) data.push_back(document_json(d));
        for (const auto& d : base->documents())
            data.push_back({{"id", std::to_string(d.id)},
                            {"file", d.path},
                            {"status", "ready"},
                            {"reason", nullptr},
                            {"chunks", d.chunk_count},
                            {"bytes", library::size_of_content_hash(d.content_hash)},
                            {"progress", 1.0},
                            {"updated_at", d.added_at}});
        return json_reply(200, {{"object", "list"}, {"data", std::move(data)}});
    }
    if (parts.size() == 2 && parts[1] == "documents" && m == "POST") {
        if (!bases_->exists(name)) base_not_found(name);
        if (req.files.empty())
            api_fail("file", "send the files as multipart/form-data, each in a part named 'file'");
        json data = json::array();
        // Every part is checked before any is queued: a bad request queues nothing.
        std::vector<std::string> names;
        for (const UploadedFile& f : req.files) {
            if (f.field != "file")
                api_fail(f.field, "'" + f.field + "' is not a part of an upload (file)",
                         "unknown_parameter");
            if (f.content.size() > options_.max_upload_bytes)
                api_fail("file",
                         "'" + f.filename + "' is larger than the upload limit of " +
                             std::to_string(options_.max_upload_bytes) + " bytes",
                         "file_too_large", 413);
            names.push_back(upload_name(f.filename));
        }
        for (size_t i = 0; i < req.files.size(); ++i) {
            const UploadedFile& f = req.files[i];
            // Written whole under a temporary name, then renamed: the worker never reads a
            // file that is still being written.
            const fs::path dir = bases_->incoming_dir();
            const std::string stem = std::to_string(next_upload_++);
            const fs::path part = dir / (stem + ".part");
            const fs::path file = dir / (stem + fs::path(names[i]).extension().string());
            {
                std::ofstream out(part, std::ios::binary);
                out.write(f.content.data(), std::streamsize(f.content.size()));
                if (!out.flush())
                    api_fail("file", "cannot store the upload in " + dir.string(), "storage_failed",
                             507);
            }
            std::error_code ec;
            fs::rename(part, file, ec);
            if (ec)
                api_fail("file", "cannot store the upload: " + ec.message(), "storage_failed", 507);
            data.push_back(
                document_json(imports_->enqueue(name, names[i], file, f.content.size())));
        }
        return json_reply(202, {{"object", "list"}, {"data", std::move(data)}});
    }
    if (parts.size() == 3 && parts[1] == "documents" && m == "DELETE") {
        const std::string& id = parts[2];
        if (!bases_->exists(name)) base_not_found(name);
        if (imports_->cancel(name, id)) return json_reply(200, {{"deleted", true}, {"id", id}});
        auto base = open_base(name);
        for (const auto& d : base->documents()) {
            if (std::to_string(d.id) != id) continue;
            base->remove_document(d.path);
            return json_reply(200, {{"deleted", true}, {"id", id}});
        }
        api_fail("id", "no document '" + id + "' in '" + name + "'", "document_not_found", 404);
    }
    api_fail("", "no endpoint " + m + " " + req.path, "not_found", 404);
}

}  // namespace qe
