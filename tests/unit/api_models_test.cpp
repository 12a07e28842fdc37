// Several models behind one Api: the request's `model` field picks a downloaded file, a catalogue
// name or a registered model; /v1/models lists them; models load on use and unload when idle or
// for room in the memory budget. On golden models in a models folder of the test's own: a Qwen2
// (g448-q2_k) and a Qwen3 (q3-q8_0) file as chat models, the Qwen3 file again as an embedding
// model.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "fetch/sha256.h"
#include "server/api.h"
#include "support/test_http_server.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A clock tests move by hand (minutes).
struct FakeClock {
    std::atomic<int64_t> minutes{0};
    RegistryOptions::Clock::time_point now() const {
        return RegistryOptions::Clock::time_point(std::chrono::minutes(minutes.load()));
    }
};

class ApiModels : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "api_models" /
               testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        copy("g448-q2_k.gguf", "g448-q2_k.gguf");
        copy("q3-q8_0.gguf", "q3-q8_0.gguf");
    }

    void copy(const std::string& golden, const std::string& as) {
        fs::copy_file(fs::path(QE_GOLDEN_DIR) / golden, dir_ / as);
    }

    // An Api over the folder, its default chat model g448-q8_0 (outside the folder).
    std::unique_ptr<Api> make_api(uint64_t budget = 0) {
        ApiOptions o;
        o.models_dir = dir_.string();
        o.served.chat.slots = 1;
        o.served.chat.n_ctx = 256;
        o.served.chat.n_threads = 1;
        o.served.threads = 1;
        o.registry.memory_budget = budget;
        o.registry.clock = [this] { return clock_.now(); };
        auto api = std::make_unique<Api>(o);
        api->add_model(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", ModelKind::kChat, false,
                       true);
        api->set_ready();
        return api;
    }

    static HttpResponse chat(Api& api, const std::string& model) {
        json body = {{"messages", {{{"role", "user"}, {"content", "你好"}}}},
                     {"temperature", 0},
                     {"max_tokens", 4}};
        if (!model.empty()) body["model"] = model;
        return api.handle({"POST", "/v1/chat/completions", {}, body.dump()});
    }

    static json models(Api& api) {
        return json::parse(api.handle({"GET", "/v1/models", {}, ""}).body)["data"];
    }

    static json entry(Api& api, const std::string& id) {
        for (const auto& m : models(api))
            if (m["id"] == id) return m;
        ADD_FAILURE() << "no model " << id << " in /v1/models";
        return json::object();
    }

    static std::string metrics(Api& api) { return api.handle({"GET", "/metrics", {}, ""}).body; }

    fs::path dir_;
    FakeClock clock_;
};

TEST_F(ApiModels, ModelFieldPicksAQwen2AndAQwen3FileSideBySide) {
    auto api = make_api();
    const HttpResponse q2 = chat(*api, "g448-q2_k");
    ASSERT_EQ(q2.status, 200) << q2.body;
    EXPECT_EQ(json::parse(q2.body)["model"], "g448-q2_k");
    const HttpResponse q3 = chat(*api, "q3-q8_0.gguf");  // the file name works too
    ASSERT_EQ(q3.status, 200) << q3.body;
    EXPECT_EQ(json::parse(q3.body)["model"], "q3-q8_0");
    // Without a model: the default, as before.
    EXPECT_EQ(json::parse(chat(*api, "").body)["model"], "g448-q8_0");
    EXPECT_EQ(json::parse(chat(*api, "default").body)["model"], "g448-q8_0");
    EXPECT_EQ(entry(*api, "g448-q2_k")["loaded"], true);
    EXPECT_EQ(entry(*api, "q3-q8_0")["loaded"], true);
    EXPECT_NE(metrics(*api).find("qwen_edge_models_loaded 3\n"), std::string::npos)
        << metrics(*api);
}

TEST_F(ApiModels, ModelsListsDownloadedLoadedAndCatalogueModels) {
    auto api = make_api();
    const json all = models(*api);
    EXPECT_EQ(all[0]["id"], "g448-q8_0");  // the default first, as clients showing one expect
    EXPECT_EQ(all[0]["loaded"], false);    // loads on first use
    const json q2 = entry(*api, "g448-q2_k");
    EXPECT_EQ(q2["type"], "chat");
    EXPECT_EQ(q2["downloaded"], true);
    EXPECT_EQ(q2["loaded"], false);
    EXPECT_EQ(q2["bytes"], fs::file_size(dir_ / "g448-q2_k.gguf"));
    EXPECT_EQ(q2["capabilities"], json::array({"chat", "completion"}));
    const json catalogue = entry(*api, "qwen3:0.6b");
    EXPECT_EQ(catalogue["downloaded"], false);
    EXPECT_EQ(catalogue["bytes"], nullptr);
    EXPECT_EQ(catalogue["parameters"], 600'000'000);
    EXPECT_EQ(catalogue["thinking"]["supported"], true);
    EXPECT_EQ(entry(*api, "qwen3-embedding:0.6b")["type"], "embedding");
    EXPECT_EQ(entry(*api, "qwen3-reranker:0.6b")["type"], "reranker");

    ASSERT_EQ(chat(*api, "g448-q2_k").status, 200);
    const json loaded = entry(*api, "g448-q2_k");
    EXPECT_EQ(loaded["loaded"], true);
    EXPECT_EQ(loaded["context_length"], 256);
    EXPECT_EQ(loaded["thinking"]["supported"], false);
}

TEST_F(ApiModels, CatalogueNamePicksItsDownloadedFile) {
    copy("q3-q8_0.gguf", "Qwen3-0.6B-Q8_0.gguf");
    auto api = make_api();
    EXPECT_EQ(entry(*api, "qwen3:0.6b")["downloaded"], true);
    const HttpResponse r = chat(*api, "qwen3:0.6b");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["model"], "Qwen3-0.6B-Q8_0");
    EXPECT_EQ(entry(*api, "qwen3:0.6b")["loaded"], true);  // its file is
}

TEST_F(ApiModels, UnknownNameIsA404ListingWhatExists) {
    auto api = make_api();
    const HttpResponse r = chat(*api, "llama-70b");
    EXPECT_EQ(r.status, 404);
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "model_not_found");
    EXPECT_EQ(error["param"], "model");
    const std::string message = error["message"];
    EXPECT_NE(message.find("g448-q2_k"), std::string::npos) << message;
    EXPECT_NE(message.find("g448-q8_0"), std::string::npos) << message;
    EXPECT_NE(message.find("qwen3:0.6b"), std::string::npos) << message;
    // A catalogue model not downloaded says how to get it.
    const HttpResponse missing = chat(*api, "qwen3:1.7b");
    EXPECT_EQ(missing.status, 404);
    EXPECT_NE(missing.body.find("/v1/models/qwen3:1.7b/pull"), std::string::npos) << missing.body;
    // Paths are not names: a request cannot open files outside the folder.
    EXPECT_EQ(chat(*api, "../api_models/g448-q2_k").status, 404);
    EXPECT_EQ(chat(*api, std::string(QE_GOLDEN_DIR) + "/g448-q4_0.gguf").status, 404);
}

TEST_F(ApiModels, EmbeddingAndChatRequestsSideBySide) {
    auto api = make_api();
    api->add_model((dir_ / "q3-q8_0.gguf").string(), ModelKind::kEmbedding, true, true);
    // Both at once: the chat model's engine thread and the embedding model's runtime.
    HttpResponse chat_response, embedding_response;
    std::thread embedding([&] {
        embedding_response =
            api->handle({"POST", "/v1/embeddings", {}, json{{"input", "你好，世界"}}.dump()});
    });
    chat_response = chat(*api, "g448-q2_k");
    embedding.join();
    ASSERT_EQ(chat_response.status, 200) << chat_response.body;
    ASSERT_EQ(embedding_response.status, 200) << embedding_response.body;
    EXPECT_EQ(json::parse(embedding_response.body)["model"], "q3-q8_0");
    EXPECT_EQ(json::parse(embedding_response.body)["data"][0]["embedding"].size(), 512u);
    EXPECT_EQ(entry(*api, "q3-q8_0")["type"], "embedding");
    EXPECT_EQ(entry(*api, "q3-q8_0")["pinned"], true);
    // The embedding model is no chat model.
    const HttpResponse wrong = chat(*api, "q3-q8_0");
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(json::parse(wrong.body)["error"]["code"], "wrong_model_type");
}

TEST_F(ApiModels, IdleModelsUnloadAndComeBackOnTheirNextRequest) {
    auto api = make_api();
    ASSERT_EQ(chat(*api, "g448-q2_k").status, 200);
    clock_.minutes = 10;
    ASSERT_EQ(chat(*api, "").status, 200);
    clock_.minutes = 16;
    EXPECT_EQ(api->registry().unload_idle(), 1);  // g448-q2_k, idle for 16 minutes
    EXPECT_EQ(entry(*api, "g448-q2_k")["loaded"], false);
    EXPECT_EQ(entry(*api, "g448-q8_0")["loaded"], true);
    const std::string m = metrics(*api);
    EXPECT_NE(m.find("qwen_edge_model_unloads_total{reason=\"idle\"} 1\n"), std::string::npos) << m;
    EXPECT_NE(m.find("qwen_edge_models_loaded 1\n"), std::string::npos) << m;
    ASSERT_EQ(chat(*api, "g448-q2_k").status, 200);
    EXPECT_EQ(entry(*api, "g448-q2_k")["loaded"], true);
    EXPECT_NE(metrics(*api).find("qwen_edge_model_loads_total 3\n"), std::string::npos);
}

TEST_F(ApiModels, MemoryBudgetUnloadsTheLeastRecentlyUsed) {
    // Room for the default (4.4 MB file, KV cache) and the Qwen2 file (3.2 MB), not for the
    // Qwen3 file (8.9 MB, 10 MB with its KV cache) beside both.
    auto api = make_api(14'000'000);
    ASSERT_EQ(chat(*api, "").status, 200);
    clock_.minutes = 1;
    ASSERT_EQ(chat(*api, "g448-q2_k").status, 200);
    clock_.minutes = 2;
    const HttpResponse r = chat(*api, "q3-q8_0");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(entry(*api, "g448-q8_0")["loaded"], false);  // least recently used
    EXPECT_EQ(entry(*api, "g448-q2_k")["loaded"], true);
    EXPECT_EQ(entry(*api, "q3-q8_0")["loaded"], true);
    EXPECT_NE(metrics(*api).find("qwen_edge_model_unloads_total{reason=\"memory\"} "),
              std::string::npos);
    EXPECT_LE(api->registry().stats().loaded_bytes, 14'000'000u);
}

TEST_F(ApiModels, ModelBiggerThanTheBudgetIsAClearError) {
    auto api = make_api(5'000'000);
    const HttpResponse r = chat(*api, "q3-q8_0");  // 8.9 MB
    EXPECT_EQ(r.status, 400);
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "model_too_large");
    EXPECT_NE(error["message"].get<std::string>().find("memory budget"), std::string::npos);
}

TEST_F(ApiModels, RequestForAModelStillLoadingGetsA503) {
    // Declared before the Api, whose loader thread uses them until it ends.
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    ApiOptions o;
    o.registry.load_timeout = std::chrono::milliseconds(1);
    Api api(o);
    api.registry().add("slow", ModelKind::kChat, "slow.gguf", 1,
                       [&]() -> std::shared_ptr<ServedModel> {
                           std::unique_lock lock(m);
                           cv.wait(lock, [&] { return open; });
                           throw Error("slow.gguf: gave up");
                       });
    api.set_ready();
    const HttpResponse r = chat(api, "slow");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "model_loading");
    EXPECT_NE(json::parse(r.body)["error"]["message"].get<std::string>().find("still loading"),
              std::string::npos);
    bool retry_after = false;
    for (const auto& [name, value] : r.headers) retry_after = retry_after || name == "Retry-After";
    EXPECT_TRUE(retry_after);
    {
        std::lock_guard lock(m);
        open = true;
    }
    cv.notify_all();
}

TEST_F(ApiModels, BrokenFileIsA500NamingIt) {
    { std::ofstream(dir_ / "broken.gguf") << "not a model"; }
    auto api = make_api();
    const HttpResponse r = chat(*api, "broken");
    EXPECT_EQ(r.status, 500);
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "model_load_failed");
    EXPECT_NE(error["message"].get<std::string>().find("broken.gguf"), std::string::npos) << r.body;
    EXPECT_EQ(chat(*api, "g448-q2_k").status, 200);  // the server lives on
}

// A local stand-in for Hugging Face that serves a golden file as Qwen3-0.6B's (with its digest in
// X-Linked-Etag), each request held back until open() is called. Points HF_ENDPOINT at itself.
class HeldHub {
  public:
    HeldHub()
        : bytes_(read_golden("q3-q8_0.gguf")),
          sha256_(sha256_of(bytes_)),
          server_([this](const test::HttpRequest& r) { return answer(r); }) {
        setenv("HF_ENDPOINT", server_.base_url().c_str(), 1);
        unsetenv("HF_TOKEN");
    }
    ~HeldHub() {
        open();
        unsetenv("HF_ENDPOINT");
    }

    void open() {
        {
            std::lock_guard lock(m_);
            open_ = true;
        }
        cv_.notify_all();
    }
    // Waits until the file has been asked for at least once.
    bool wait_for_request() {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, std::chrono::minutes(1), [&] { return file_requests_ > 0; });
    }
    int file_requests() {
        std::lock_guard lock(m_);
        return file_requests_;
    }
    size_t size() const { return bytes_.size(); }

  private:
    static std::string read_golden(const std::string& name) {
        std::ifstream in(std::string(QE_GOLDEN_DIR) + "/" + name, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    static std::string sha256_of(const std::string& bytes) {
        fetch::Sha256 digest;
        digest.update(bytes.data(), bytes.size());
        return digest.hex_digest();
    }
    test::HttpResponse answer(const test::HttpRequest& r) {
        test::HttpResponse res;
        if (r.path != "/Qwen/Qwen3-0.6B-GGUF/resolve/main/Qwen3-0.6B-Q8_0.gguf") {
            res.status = 404;
            return res;
        }
        {
            std::unique_lock lock(m_);
            ++file_requests_;
            cv_.notify_all();
            cv_.wait(lock, [&] { return open_; });
        }
        res = test::serve_file_range(r, bytes_);
        res.headers.emplace_back("X-Linked-Etag", "\"" + sha256_ + "\"");
        return res;
    }

    const std::string bytes_, sha256_;
    std::mutex m_;
    std::condition_variable cv_;
    bool open_ = false;
    int file_requests_ = 0;
    test::TestHttpServer server_;  // last: it stops before the state its handler uses goes
};

// POST /v1/models/{name}/pull, the file held back until the test has seen the download running.
TEST_F(ApiModels, PullDownloadsACatalogueModelWithProgressThenItServes) {
    HeldHub hub;
    auto api = make_api();

    const HttpResponse r = api->handle({"POST", "/v1/models/qwen3:0.6b/pull", {}, ""});
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(json::parse(r.body)["id"], "qwen3:0.6b");
    EXPECT_EQ(json::parse(r.body)["file"], "Qwen3-0.6B-Q8_0.gguf");
    const json running = entry(*api, "qwen3:0.6b");
    EXPECT_EQ(running["downloaded"], false);
    ASSERT_TRUE(running.contains("download")) << running;
    EXPECT_TRUE(running["download"].contains("bytes_per_second"));
    // Asking again while it runs starts nothing new.
    EXPECT_EQ(api->handle({"POST", "/v1/models/qwen3:0.6b/pull", {}, ""}).status, 202);
    hub.open();
    ASSERT_TRUE(api->downloads().wait("qwen3:0.6b", std::chrono::minutes(1)));
    EXPECT_EQ(hub.file_requests(), 1);
    const json done = entry(*api, "qwen3:0.6b");
    EXPECT_EQ(done["downloaded"], true) << done;
    EXPECT_EQ(done["bytes"], hub.size());
    EXPECT_FALSE(done.contains("download"));
    EXPECT_TRUE(
        fs::exists(dir_ / "Qwen3-0.6B-Q8_0.gguf.sha256"));  // checked against the hub's digest
    const HttpResponse answer = chat(*api, "qwen3:0.6b");
    EXPECT_EQ(answer.status, 200) << answer.body;

    // An unknown name is a 404 naming the ones there are.
    const HttpResponse unknown = api->handle({"POST", "/v1/models/llama:70b/pull", {}, ""});
    EXPECT_EQ(unknown.status, 404);
    EXPECT_NE(unknown.body.find("qwen3:0.6b"), std::string::npos) << unknown.body;
    EXPECT_EQ(api->handle({"POST", "/v1/models//pull", {}, ""}).status, 404);
    EXPECT_EQ(api->handle({"POST", "/v1/models/pull", {}, ""}).status, 404);
}

// DELETE /v1/models/{name}/pull stops a running download (here one whose hub has not answered
// yet); the model is not downloaded, no error is shown, and a new pull then completes it.
TEST_F(ApiModels, CancelledDownloadStopsAndAPullStartsItAgain) {
    HeldHub hub;
    auto api = make_api();

    // Nothing to cancel yet; a name outside the catalogue is a 404 too.
    EXPECT_EQ(api->handle({"DELETE", "/v1/models/qwen3:0.6b/pull", {}, ""}).status, 404);
    EXPECT_EQ(api->handle({"DELETE", "/v1/models/llama:70b/pull", {}, ""}).status, 404);

    ASSERT_EQ(api->handle({"POST", "/v1/models/qwen3:0.6b/pull", {}, ""}).status, 202);
    ASSERT_TRUE(hub.wait_for_request());
    const HttpResponse cancel = api->handle({"DELETE", "/v1/models/qwen3:0.6b/pull", {}, ""});
    ASSERT_EQ(cancel.status, 200) << cancel.body;
    EXPECT_EQ(json::parse(cancel.body)["status"], "cancelled");
    EXPECT_FALSE(entry(*api, "qwen3:0.6b").contains("download"));  // at once
    ASSERT_TRUE(api->downloads().wait("qwen3:0.6b", std::chrono::minutes(1)));
    const DownloadState stopped = api->downloads().states().at("qwen3:0.6b");
    EXPECT_TRUE(stopped.cancelled);
    EXPECT_EQ(stopped.error, "");
    const json after = entry(*api, "qwen3:0.6b");
    EXPECT_EQ(after["downloaded"], false) << after;
    EXPECT_FALSE(after.contains("download_error")) << after;
    EXPECT_FALSE(fs::exists(dir_ / "Qwen3-0.6B-Q8_0.gguf"));
    EXPECT_EQ(api->handle({"DELETE", "/v1/models/qwen3:0.6b/pull", {}, ""}).status, 404);

    hub.open();
    ASSERT_EQ(api->handle({"POST", "/v1/models/qwen3:0.6b/pull", {}, ""}).status, 202);
    ASSERT_TRUE(api->downloads().wait("qwen3:0.6b", std::chrono::minutes(1)));
    const json done = entry(*api, "qwen3:0.6b");
    EXPECT_EQ(done["downloaded"], true) << done;
    EXPECT_EQ(done["bytes"], hub.size());
    EXPECT_FALSE(api->downloads().states().at("qwen3:0.6b").cancelled);
}

}  // namespace
}  // namespace qe
