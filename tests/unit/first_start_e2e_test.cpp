// A first `qwen-edge serve`: no model named and an empty models folder. The server answers at
// once and downloads the default model from an imitation of Hugging Face on 127.0.0.1
// (HF_ENDPOINT), which cuts the first transfer midway and holds the resume until the test has
// seen the progress on /health; then the file is verified, loaded, and chats. Offline, /health
// and the 503s say what to do, and a model copied into the folder is taken up.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "fetch/sha256.h"
#include "support/live_server.h"
#include "support/test_http_server.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kGolden = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
const std::string kRepo = "/Qwen/Qwen2.5-0.5B-Instruct-GGUF";
const std::string kFile = "qwen2.5-0.5b-instruct-q8_0.gguf";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string digest_of(const std::string& bytes) {
    fetch::Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex_digest();
}

json health(int port) {
    return json::parse(test::http(port, "GET", "/health").body, nullptr, false);
}

std::string chat_body() {
    return json{{"messages", {{{"role", "user"}, {"content", "Hello"}}}}, {"max_tokens", 4}}.dump();
}

// A one-way gate: the hub's handler waits at it until the test opens it.
class Gate {
  public:
    void open() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return open_; });
    }
    void arrive() {  // records that someone waits at the gate
        {
            std::lock_guard<std::mutex> lock(mutex_);
            arrived_ = true;
        }
        changed_.notify_all();
    }
    void wait_for_arrival() {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return arrived_; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = false, arrived_ = false;
};

class FirstStartE2E : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "first_start" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "models");
        for (const char* v : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                              "ALL_PROXY", "HF_TOKEN", "QWEN_EDGE_SOURCE"})
            ::unsetenv(v);
        ::setenv("QWEN_EDGE_MODELS", (dir_ / "models").c_str(), 1);
    }
    void TearDown() override { ::unsetenv("QWEN_EDGE_MODELS"); }

    std::string start() {
        server_.wait_for_model = false;
        return server_.start(kBinary, {"--threads", "1", "--parallel", "1"},
                             (dir_ / "serve.log").string());
    }

    fs::path dir_;
    test::LiveServer server_;
};

TEST_F(FirstStartE2E, DownloadsTheDefaultModelWithProgressResumesACutThenChats) {
    const std::string model = read_file(kGolden);
    ASSERT_GT(model.size(), 1000000u);
    const size_t cut = model.size() / 3;
    Gate resume;
    std::mutex mutex;
    std::vector<std::string> ranges;  // of the CDN requests
    test::TestHttpServer hub([&](const test::HttpRequest& r) {
        test::HttpResponse res;
        if (r.path == kRepo + "/resolve/main/" + kFile) {
            res.status = 302;
            res.headers = {{"Location", "/cdn/" + kFile},
                           {"X-Linked-Etag", "\"" + digest_of(model) + "\""},
                           {"X-Linked-Size", std::to_string(model.size())}};
            return res;
        }
        if (r.path == "/cdn/" + kFile) {
            size_t seen = 0;
            {
                std::lock_guard<std::mutex> lock(mutex);
                ranges.push_back(r.header("range"));
                seen = ranges.size();
            }
            if (seen == 2) {  // the resume: held until the test has seen the progress
                resume.arrive();
                resume.wait();
            }
            res = test::serve_file_range(r, model);
            res.trickle_bytes = 65536;  // slowly, so the progress is seen moving
            res.trickle_interval_ms = 20;
            if (seen == 1) res.cut_after = cut;
            return res;
        }
        res.status = 404;
        return res;
    });
    ::setenv("HF_ENDPOINT", hub.base_url().c_str(), 1);
    ::setenv("MODELSCOPE_ENDPOINT", "http://127.0.0.1:1", 1);  // never needed here
    ASSERT_EQ(start(), "");
    const int port = server_.port();

    // Up at once, before the model: /health says what is happening.
    resume.wait_for_arrival();
    const json during = health(port);
    EXPECT_EQ(during.value("status", ""), "loading") << during;
    EXPECT_EQ(during.value("state", ""), "downloading") << during;
    EXPECT_EQ(during.value("model", ""), kFile) << during;
    EXPECT_GT(during.value("bytes", uint64_t(0)), 0u) << during;
    EXPECT_LE(during.value("bytes", uint64_t(0)), cut) << during;
    EXPECT_EQ(during.value("total", uint64_t(0)), model.size()) << during;
    EXPECT_TRUE(during.contains("bytes_per_second") && during.contains("eta_seconds")) << during;

    // A chat meanwhile: a clear 503 with Retry-After.
    const auto early = test::http(port, "POST", "/v1/chat/completions", chat_body());
    EXPECT_EQ(early.status, 503);
    EXPECT_FALSE(early.header("Retry-After").empty()) << early.headers;
    const json err = json::parse(early.body, nullptr, false);
    EXPECT_EQ(err["error"].value("code", ""), "model_downloading") << early.body;
    // The page itself is served already.
    EXPECT_EQ(test::http(port, "GET", "/").status, 200);

    resume.open();
    ASSERT_TRUE(
        test::wait_until([&] { return test::http(port, "GET", "/health").status == 200; }, 120))
        << server_.output();
    {
        std::lock_guard<std::mutex> lock(mutex);
        ASSERT_EQ(ranges.size(), 2u);
        EXPECT_EQ(ranges[0], "");
        // Resumed where the cut left it, not started over.
        ASSERT_TRUE(ranges[1].rfind("bytes=", 0) == 0) << ranges[1];
        const size_t from = std::stoull(ranges[1].substr(6));
        EXPECT_GT(from, 0u);
        EXPECT_LE(from, cut);
    }
    const fs::path stored = dir_ / "models" / kFile;
    EXPECT_EQ(read_file(stored.string()), model);
    EXPECT_EQ(read_file(stored.string() + ".sha256"), digest_of(model) + "  " + kFile + "\n");
    EXPECT_FALSE(fs::exists(stored.string() + ".part"));

    const auto chat = test::http(port, "POST", "/v1/chat/completions", chat_body());
    ASSERT_EQ(chat.status, 200) << chat.body;
    const json answer = json::parse(chat.body, nullptr, false);
    EXPECT_EQ(answer["choices"][0]["message"].value("role", ""), "assistant") << chat.body;
    EXPECT_EQ(server_.stop(), 0) << server_.output();
    EXPECT_NE(server_.output().find("SHA-256 verified"), std::string::npos) << server_.output();
}

TEST_F(FirstStartE2E, OfflineItSaysWhatToDoAndTakesUpAModelCopiedIntoTheFolder) {
    ::setenv("HF_ENDPOINT", "http://127.0.0.1:1", 1);  // nothing listens there
    ::setenv("MODELSCOPE_ENDPOINT", "http://127.0.0.1:1", 1);
    ASSERT_EQ(start(), "");
    const int port = server_.port();
    ASSERT_TRUE(
        test::wait_until([&] { return health(port).value("state", "") == "download_failed"; }, 120))
        << server_.output();
    const json h = health(port);
    const std::string help = h.value("help", "");
    EXPECT_NE(help.find("--model"), std::string::npos) << h;
    EXPECT_NE(help.find("--demo"), std::string::npos) << h;
    EXPECT_NE(help.find((dir_ / "models").string()), std::string::npos) << h;
    EXPECT_FALSE(h.value("error", "").empty()) << h;
    EXPECT_GT(h.value("retry_in_seconds", 0), 0) << h;
    const auto chat = test::http(port, "POST", "/v1/chat/completions", chat_body());
    EXPECT_EQ(chat.status, 503);
    EXPECT_EQ(json::parse(chat.body, nullptr, false)["error"].value("code", ""),
              "model_unavailable")
        << chat.body;
    // The terminal says the same.
    EXPECT_NE(server_.output().find("--demo"), std::string::npos) << server_.output();

    // Copied in by hand (through a temporary name, as a careful copy does): taken up and served.
    const fs::path tmp = dir_ / "copy.tmp";
    fs::copy_file(kGolden, tmp);
    fs::rename(tmp, dir_ / "models" / kFile);
    ASSERT_TRUE(
        test::wait_until([&] { return test::http(port, "GET", "/health").status == 200; }, 120))
        << server_.output();
    EXPECT_EQ(test::http(port, "POST", "/v1/chat/completions", chat_body()).status, 200);
    EXPECT_EQ(server_.stop(), 0) << server_.output();
}

TEST_F(FirstStartE2E, StoppingDuringTheDownloadKeepsThePartForTheNextStart) {
    const std::string model = read_file(kGolden);
    Gate never;  // the transfer stalls: the server is stopped while it waits
    std::atomic<int> calls{0};
    test::TestHttpServer hub([&](const test::HttpRequest& r) {
        test::HttpResponse res;
        if (r.path == kRepo + "/resolve/main/" + kFile) {
            res = test::serve_file_range(r, model);
            res.headers.push_back({"X-Linked-Etag", "\"" + digest_of(model) + "\""});
            res.cut_after = model.size() / 2;  // then the retry is held at the gate
            if (calls++ > 0) {
                never.arrive();
                never.wait();
            }
        }
        return res;
    });
    ::setenv("HF_ENDPOINT", hub.base_url().c_str(), 1);
    ::setenv("MODELSCOPE_ENDPOINT", "http://127.0.0.1:1", 1);
    ASSERT_EQ(start(), "");
    never.wait_for_arrival();
    EXPECT_EQ(server_.stop(SIGTERM), 0) << server_.output();
    never.open();
    const fs::path part = dir_ / "models" / (kFile + ".part");
    ASSERT_TRUE(fs::exists(part)) << server_.output();
    EXPECT_EQ(fs::file_size(part), model.size() / 2);
    EXPECT_FALSE(fs::exists(dir_ / "models" / kFile));
}

}  // namespace
}  // namespace qe
