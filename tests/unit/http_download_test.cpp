// download_file against a misbehaving server on 127.0.0.1: resume after a cut, digest checks,
// 404, redirects, a stalled server, a full disk, a server that ignores Range.
#include "fetch/http_download.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/error.h"
#include "fetch/sha256.h"
#include "support/test_http_server.h"
#include "support/expect_error.h"

namespace qe::fetch {
namespace {

namespace fs = std::filesystem;
using test::HttpRequest;
using test::HttpResponse;
using test::TestHttpServer;

// A synthetic "model": the GGUF magic, then 2 MB of seeded noise.
std::string synthetic_model(size_t size = 2 << 20, unsigned seed = 7) {
    std::string s(size, '\0');
    std::mt19937 rng(seed);
    for (auto& c : s) c = char(rng());
    std::memcpy(s.data(), "GGUF", 4);
    return s;
}

std::string digest_of(const std::string& bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex_digest();
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

using test::error_of;

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

class DownloadTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // The tests talk to 127.0.0.1 only, never through a proxy a CI machine may set.
        for (const char* v :
             {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
            ::unsetenv(v);
        }
        dir_ = fs::path(QE_TEST_TMP_DIR) / "http_download" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        dest_ = (dir_ / "model.gguf").string();
        options_.retries = 0;
        options_.retry_delay_ms = 10;
        options_.on_notice = [this](const std::string& m) { notices_ += m + "\n"; };
    }

    fs::path dir_;
    std::string dest_;
    DownloadOptions options_;
    std::string notices_;
    const std::string model_ = synthetic_model();
};

TEST_F(DownloadTest, DownloadsAndChecksAGivenDigest) {
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    options_.expected_sha256 = digest_of(model_);
    uint64_t last_done = 0, last_total = 0;
    options_.on_progress = [&](uint64_t done, uint64_t total) {
        EXPECT_GE(done, last_done);
        last_done = done;
        last_total = total;
    };
    const auto r = download_file(server.url("/model.gguf"), dest_, options_);
    EXPECT_TRUE(r.verified);
    EXPECT_EQ(r.sha256, digest_of(model_));
    EXPECT_EQ(r.bytes, model_.size());
    EXPECT_EQ(r.resumed_from, 0u);
    EXPECT_EQ(read_file(dest_), model_);
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
    EXPECT_EQ(last_done, model_.size());
    EXPECT_EQ(last_total, model_.size());
    EXPECT_EQ(server.requests().at(0).header("range"), "");
}

TEST_F(DownloadTest, TakesTheDigestFromAHubRedirectAndFollowsIt) {
    // Hugging Face answers /resolve/ with a redirect to its CDN that states the LFS digest.
    TestHttpServer server([&](const HttpRequest& r) {
        if (r.path == "/blob") return test::serve_file_range(r, model_);
        HttpResponse res;
        res.status = 302;
        res.headers = {{"Location", "/blob"},
                       {"X-Linked-Etag", "\"" + digest_of(model_) + "\""},
                       {"X-Linked-Size", std::to_string(model_.size())}};
        return res;
    });
    const auto r = download_file(server.url("/repo/resolve/main/model.gguf"), dest_, options_);
    EXPECT_TRUE(r.verified);
    EXPECT_EQ(r.final_url, server.url("/blob"));
    EXPECT_EQ(read_file(dest_), model_);
}

TEST_F(DownloadTest, WithNoDigestTheLookupIsAskedAndItsDigestChecked) {
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    int asked = 0;
    options_.find_sha256 = [&] {
        ++asked;
        return digest_of(model_);
    };
    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_TRUE(r.verified);
    EXPECT_EQ(asked, 1);

    fs::remove(dest_);
    options_.find_sha256 = [&] { return std::string(64, 'f'); };
    const std::string bad = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(bad, "corrupted")) << bad;
    EXPECT_TRUE(contains(bad, "file listing")) << bad;
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
}

TEST_F(DownloadTest, AFileWithNoDigestAnywhereIsKeptAsideUnlessAllowed) {
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    options_.find_sha256 = [] { return std::string(); };
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "no SHA-256 is known")) << e;
    EXPECT_TRUE(contains(e, "--no-verify")) << e;
    EXPECT_TRUE(contains(e, digest_of(model_))) << e;
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_EQ(fs::file_size(dest_ + ".part"), model_.size());

    // Allowed: the complete part is taken as it is, unverified.
    options_.allow_unverified = true;
    const size_t before = server.requests().size();
    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_FALSE(r.verified);
    EXPECT_EQ(r.sha256, digest_of(model_));
    EXPECT_EQ(read_file(dest_), model_);
    EXPECT_EQ(server.requests().size(), before + 1);
}

TEST_F(DownloadTest, ACutDownloadResumesWithARangeAndVerifies) {
    const size_t cut = 700000;
    std::atomic<int> served{0};
    TestHttpServer server([&](const HttpRequest& r) {
        auto res = test::serve_file_range(r, model_);
        if (served++ == 0) res.cut_after = cut;
        return res;
    });
    options_.expected_sha256 = digest_of(model_);
    const std::string first =
        error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(first, "was cut after")) << first;
    EXPECT_TRUE(contains(first, "the same command resumes")) << first;
    ASSERT_TRUE(fs::exists(dest_ + ".part"));
    EXPECT_EQ(fs::file_size(dest_ + ".part"), cut);
    EXPECT_FALSE(fs::exists(dest_));

    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_EQ(r.resumed_from, cut);
    EXPECT_TRUE(r.verified);
    EXPECT_EQ(read_file(dest_), model_);
    EXPECT_EQ(server.requests().at(1).header("range"), "bytes=" + std::to_string(cut) + "-");
    EXPECT_TRUE(contains(notices_, "resuming")) << notices_;
}

TEST_F(DownloadTest, ACutIsRetriedAutomatically) {
    std::atomic<int> served{0};
    TestHttpServer server([&](const HttpRequest& r) {
        auto res = test::serve_file_range(r, model_);
        if (served++ < 2) res.cut_after = 300000;  // two cuts, then a clean answer
        return res;
    });
    options_.retries = 3;
    options_.expected_sha256 = digest_of(model_);
    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_EQ(r.attempts, 3);
    EXPECT_EQ(read_file(dest_), model_);
    EXPECT_EQ(server.requests().at(1).header("range"), "bytes=300000-");
    EXPECT_EQ(server.requests().at(2).header("range"), "bytes=600000-");
    EXPECT_TRUE(contains(notices_, "retrying")) << notices_;
}

TEST_F(DownloadTest, WrongContentIsDetectedAndNotUsed) {
    std::string bad = model_;
    bad[bad.size() / 2] ^= 0x20;
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, bad); });
    options_.expected_sha256 = digest_of(model_);
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "corrupted")) << e;
    EXPECT_TRUE(contains(e, digest_of(model_))) << e;
    EXPECT_TRUE(contains(e, digest_of(bad))) << e;
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
}

TEST_F(DownloadTest, AWrongDigestStatedByTheServerIsCaughtToo) {
    TestHttpServer server([&](const HttpRequest& r) {
        auto res = test::serve_file_range(r, model_);
        res.headers.push_back({"X-Linked-Etag", "\"" + std::string(64, 'a') + "\""});
        return res;
    });
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "as the server states")) << e;
    EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(DownloadTest, ACorruptPartialFileIsNotUsedAndTheNextTryStartsClean) {
    // A leftover .part whose bytes are not the file's start: resuming from it cannot verify.
    write_file(dest_ + ".part", std::string(100000, 'x'));
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    options_.expected_sha256 = digest_of(model_);
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "corrupted")) << e;
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_FALSE(fs::exists(dest_ + ".part"));

    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_EQ(r.resumed_from, 0u);
    EXPECT_EQ(read_file(dest_), model_);
}

TEST_F(DownloadTest, ACompletePartialFileIsVerifiedWithoutDownloadingAgain) {
    write_file(dest_ + ".part", model_);
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    options_.expected_sha256 = digest_of(model_);
    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_EQ(r.resumed_from, model_.size());
    EXPECT_EQ(read_file(dest_), model_);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0].header("range"), "bytes=" + std::to_string(model_.size()) + "-");
}

TEST_F(DownloadTest, AServerThatIgnoresRangeMakesItStartOver) {
    write_file(dest_ + ".part", model_.substr(0, 5000));
    TestHttpServer server([&](const HttpRequest&) {
        HttpResponse res;
        res.body = model_;  // 200 with the whole file, whatever the Range
        return res;
    });
    options_.expected_sha256 = digest_of(model_);
    const auto r = download_file(server.url("/m.gguf"), dest_, options_);
    EXPECT_EQ(read_file(dest_), model_);
    EXPECT_TRUE(contains(notices_, "cannot resume")) << notices_;
    EXPECT_TRUE(r.verified);
}

TEST_F(DownloadTest, NotFoundSaysSoWithTheHintAndLeavesNothing) {
    TestHttpServer server([&](const HttpRequest&) {
        HttpResponse res;
        res.status = 404;
        res.body = "Entry not found";
        return res;
    });
    options_.not_found_hint = "the official quantizations are q8_0, q4_0";
    const std::string e =
        error_of([&] { download_file(server.url("/nope.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "not found (HTTP 404)")) << e;
    EXPECT_TRUE(contains(e, server.url("/nope.gguf"))) << e;
    EXPECT_TRUE(contains(e, "q8_0, q4_0")) << e;
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
    EXPECT_EQ(server.requests().size(), 1u);  // a 404 is not retried
}

TEST_F(DownloadTest, ServerErrorsAreRetriedThenReported) {
    TestHttpServer server([&](const HttpRequest&) {
        HttpResponse res;
        res.status = 503;
        res.body = "busy";
        return res;
    });
    options_.retries = 2;
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "HTTP 503")) << e;
    EXPECT_TRUE(contains(e, "busy")) << e;
    EXPECT_TRUE(contains(e, "gave up after 3 attempts")) << e;
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(DownloadTest, ARedirectLoopIsNamed) {
    TestHttpServer server([&](const HttpRequest&) {
        HttpResponse res;
        res.status = 302;
        res.headers = {{"Location", "/again"}};
        return res;
    });
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "redirects")) << e;
    EXPECT_TRUE(contains(e, "loop")) << e;
}

TEST_F(DownloadTest, AStalledServerTimesOutAndKeepsWhatArrived) {
    TestHttpServer server([&](const HttpRequest& r) {
        auto res = test::serve_file_range(r, model_);
        res.trickle_bytes = 50;  // 250 bytes/s, under the 1 kB/s floor
        res.trickle_interval_ms = 200;
        return res;
    });
    options_.stall_timeout_s = 1;
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "stalled")) << e;
    EXPECT_TRUE(contains(e, "for 1 s")) << e;
    ASSERT_TRUE(fs::exists(dest_ + ".part"));
    EXPECT_GT(fs::file_size(dest_ + ".part"), 0u);
}

TEST_F(DownloadTest, AFullDiskSaysSo) {
    // Writes to /dev/full fail with ENOSPC, exactly as on a full file system.
    fs::create_symlink("/dev/full", dest_ + ".part");
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "no space left on the disk")) << e;
    EXPECT_TRUE(contains(e, "--models-dir")) << e;
    EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(DownloadTest, TooLittleFreeSpaceIsFoundBeforeWriting) {
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    options_.free_space = [](const std::string&) -> uint64_t { return 1000000; };
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "not enough disk space")) << e;
    EXPECT_TRUE(contains(e, "2.1 MB more but only 1.0 MB is free")) << e;
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
}

TEST_F(DownloadTest, ContentThatIsNotGgufIsRefused) {
    TestHttpServer server([&](const HttpRequest&) {
        HttpResponse res;
        res.body = "<!DOCTYPE html><html>Please log in</html>";
        return res;
    });
    options_.expect_gguf = true;
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "not a GGUF model file")) << e;
    EXPECT_TRUE(contains(e, "<!DOCTYPE")) << e;
    EXPECT_FALSE(fs::exists(dest_));
    EXPECT_FALSE(fs::exists(dest_ + ".part"));
}

TEST_F(DownloadTest, AShortBodyIsACutNotAFile) {
    TestHttpServer server([&](const HttpRequest& r) {
        auto res = test::serve_file_range(r, model_);
        res.body.resize(1000);  // says 2 MB, sends 1000 bytes and closes
        res.declared_length = std::to_string(model_.size());
        return res;
    });
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    EXPECT_TRUE(contains(e, "cut after")) << e;
    EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(DownloadTest, ASecondDownloaderOfTheSameFileIsTurnedAway) {
    const int fd = ::open((dest_ + ".part").c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    TestHttpServer server([&](const HttpRequest& r) { return test::serve_file_range(r, model_); });
    const std::string e = error_of([&] { download_file(server.url("/m.gguf"), dest_, options_); });
    ::close(fd);
    EXPECT_TRUE(contains(e, "another qwen-edge is downloading")) << e;
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(DownloadTest, AnUnreachableHostIsNamed) {
    // A port that was just free on loopback: nothing listens there.
    int port;
    {
        TestHttpServer probe([](const HttpRequest&) { return HttpResponse{}; });
        port = probe.port();
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/m.gguf";
    const std::string e = error_of([&] { download_file(url, dest_, options_); });
    EXPECT_TRUE(contains(e, "cannot connect to 127.0.0.1:" + std::to_string(port))) << e;
}

TEST_F(DownloadTest, FetchTextReadsSmallAnswersAndReportsErrors) {
    TestHttpServer server([&](const HttpRequest& r) {
        HttpResponse res;
        if (r.path == "/ok") {
            res.body = "{\"a\":1}";
        } else {
            res.status = 500;
            res.body = "boom";
        }
        return res;
    });
    EXPECT_EQ(fetch_text(server.url("/ok"), {}), "{\"a\":1}");
    const std::string e = error_of([&] { fetch_text(server.url("/bad"), {}); });
    EXPECT_TRUE(contains(e, "HTTP 500")) << e;
    const std::string big = error_of([&] { fetch_text(server.url("/ok"), {}, 3); });
    EXPECT_TRUE(contains(big, "larger than")) << big;
}

TEST(UrlHost, NamesHostAndPort) {
    EXPECT_EQ(url_host("https://huggingface.co/Qwen/x"), "huggingface.co");
    EXPECT_EQ(url_host("http://127.0.0.1:8080/a"), "127.0.0.1:8080");
    EXPECT_EQ(url_host("not a url"), "");
}

}  // namespace
}  // namespace qe::fetch
