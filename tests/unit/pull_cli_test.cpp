// `qwen-edge pull`, `list` and `rm` as a user runs them, against an imitation of Hugging Face and
// ModelScope on 127.0.0.1 (HF_ENDPOINT / MODELSCOPE_ENDPOINT point there).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "fetch/sha256.h"
#include "support/run_command.h"
#include "support/test_http_server.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::HttpRequest;
using test::HttpResponse;
using test::run_command;
using test::shell_quote;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kRepo = "/Qwen/Qwen2.5-0.5B-Instruct-GGUF";
const std::string kQ8 = "qwen2.5-0.5b-instruct-q8_0.gguf";
const std::string kQ4 = "qwen2.5-0.5b-instruct-q4_0.gguf";

std::string synthetic_model(unsigned seed) {
    std::string s(1 << 20, '\0');
    std::mt19937 rng(seed);
    for (auto& c : s) c = char(rng());
    std::memcpy(s.data(), "GGUF", 4);
    return s;
}

std::string digest_of(const std::string& bytes) {
    fetch::Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex_digest();
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// Hugging Face: /{repo}/resolve/main/{file} redirects to a CDN URL and states the digest.
// ModelScope: /api/v1/models/{repo}/repo/files lists digests; /models/{repo}/resolve/master/{file}.
class FakeHub {
  public:
    std::map<std::string, std::string> files{{kQ8, synthetic_model(1)}, {kQ4, synthetic_model(2)}};
    // Files of other Hugging Face repositories, by "{repo}/{file}".
    std::map<std::string, std::string> other_files{
        {"Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf", synthetic_model(3)}};
    std::atomic<int> cuts_left{0};  // cut this many CDN answers midway
    std::string listed_sha_override;
    bool hf_states_digest = true;  // X-Linked-Etag on Hugging Face's redirect
    bool hf_lists_digest = true;   // lfs.oid in Hugging Face's tree listing

    HttpResponse handle(const HttpRequest& r) {
        HttpResponse res;
        const auto file_after = [&](const std::string& prefix) -> std::string {
            return r.path.rfind(prefix, 0) == 0 ? r.path.substr(prefix.size()) : "";
        };
        if (const std::string f = file_after("/cdn/"); other_files.count(f)) {
            return test::serve_file_range(r, other_files[f]);
        }
        if (const auto at = r.path.find("/resolve/main/"); at != std::string::npos) {
            const std::string key = r.path.substr(1, at - 1) + "/" + r.path.substr(at + 14);
            if (other_files.count(key)) {
                res.status = 302;
                res.headers = {{"Location", "/cdn/" + key},
                               {"X-Linked-Etag", "\"" + digest_of(other_files[key]) + "\""}};
                return res;
            }
        }
        if (const std::string f = file_after("/cdn/"); !f.empty() && files.count(f)) {
            res = test::serve_file_range(r, files[f]);
            if (cuts_left > 0 && res.body.size() > 1000) {
                --cuts_left;
                res.cut_after = res.body.size() / 3;
            }
            return res;
        }
        if (const std::string f = file_after(kRepo + "/resolve/main/");
            !f.empty() && files.count(f)) {
            res.status = 302;
            res.headers = {{"Location", "/cdn/" + f},
                           {"X-Linked-Size", std::to_string(files[f].size())}};
            if (hf_states_digest)
                res.headers.push_back({"X-Linked-Etag", "\"" + digest_of(files[f]) + "\""});
            return res;
        }
        if (r.path == "/api/models" + kRepo + "/tree/main") {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& [name, bytes] : files) {
                nlohmann::json entry = {{"type", "file"}, {"path", name}, {"size", bytes.size()}};
                const std::string sha =
                    listed_sha_override.empty() ? digest_of(bytes) : listed_sha_override;
                if (hf_lists_digest) entry["lfs"] = {{"oid", sha}, {"size", bytes.size()}};
                list.push_back(entry);
            }
            res.body = list.dump();
            return res;
        }
        if (const std::string f = file_after("/models" + kRepo + "/resolve/master/");
            !f.empty() && files.count(f)) {
            res.status = 302;
            res.headers = {{"Location", "/cdn/" + f}};
            return res;
        }
        if (r.path.rfind("/api/v1/models" + kRepo + "/repo/files?", 0) == 0) {
            std::string list;
            for (const auto& [name, bytes] : files) {
                const std::string sha =
                    listed_sha_override.empty() ? digest_of(bytes) : listed_sha_override;
                list += std::string(list.empty() ? "" : ",") + R"({"Path":")" + name +
                        R"(","Sha256":")" + sha + R"(","Type":"blob"})";
            }
            res.body = R"({"Code":200,"Data":{"Files":[)" + list + "]}}";
            return res;
        }
        res.status = 404;
        res.body = "Entry not found";
        return res;
    }
};

class PullCliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "pull_cli" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }

    // Runs qwen-edge with the models folder and both hubs pointed at the test server, and no
    // proxy, so nothing leaves 127.0.0.1.
    test::CommandResult run(const std::string& args, const std::string& prefix = "") {
        const std::string env =
            std::string("env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY ") +
            "-u all_proxy -u ALL_PROXY -u HF_TOKEN " +
            (contains(prefix, "QWEN_EDGE_SOURCE") ? "" : "-u QWEN_EDGE_SOURCE ") + "HF_ENDPOINT=" +
            (hf_endpoint_.empty() ? server_.base_url() : hf_endpoint_) +
            " MODELSCOPE_ENDPOINT=" + server_.base_url() +
            " QWEN_EDGE_MODELS=" + shell_quote(dir_.string()) + " ";
        return run_command(prefix + env + kBinary + " " + args + " 2>&1");
    }

    FakeHub hub_;
    test::TestHttpServer server_{[this](const HttpRequest& r) { return hub_.handle(r); }};
    fs::path dir_;
    std::string hf_endpoint_;  // "" = the test server
};

TEST_F(PullCliTest, PullsTheDefaultModelThenListsAndRemovesIt) {
    const auto r = run("pull");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "downloading " + kQ8 + " from Hugging Face")) << r.output;
    EXPECT_TRUE(contains(r.output, "SHA-256 verified: " + digest_of(hub_.files[kQ8]))) << r.output;
    // Not a terminal: plain progress lines, ending at 100%.
    EXPECT_TRUE(contains(r.output, kQ8 + ": 100% (1.0 MB of 1.0 MB")) << r.output;
    EXPECT_TRUE(contains(r.output, (dir_ / kQ8).string() + "\n")) << r.output;
    EXPECT_EQ(read_file(dir_ / kQ8), hub_.files[kQ8]);
    EXPECT_EQ(read_file(dir_ / (kQ8 + ".sha256")), digest_of(hub_.files[kQ8]) + "  " + kQ8 + "\n");
    EXPECT_FALSE(fs::exists(dir_ / (kQ8 + ".part")));

    const auto list = run("list");
    ASSERT_EQ(list.exit_code, 0) << list.output;
    EXPECT_TRUE(contains(list.output, kQ8)) << list.output;
    EXPECT_TRUE(
        contains(list.output, "verified sha256 " + digest_of(hub_.files[kQ8]).substr(0, 12)))
        << list.output;
    EXPECT_TRUE(contains(list.output, "(default)")) << list.output;

    const auto rm = run("rm " + kQ8);
    ASSERT_EQ(rm.exit_code, 0) << rm.output;
    EXPECT_TRUE(contains(rm.output, "removed " + (dir_ / kQ8).string())) << rm.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ8));
    EXPECT_TRUE(contains(run("list").output, "no models in")) << run("list").output;
    EXPECT_EQ(run("rm " + kQ8).exit_code, 1);
}

TEST_F(PullCliTest, AnInterruptedPullResumesWhereItStopped) {
    hub_.cuts_left = 1;
    const auto first = run("pull -q --retries 0 --source hf");
    EXPECT_EQ(first.exit_code, 1) << first.output;
    EXPECT_TRUE(contains(first.output, "was cut after")) << first.output;
    EXPECT_TRUE(contains(first.output, "the same command resumes from there")) << first.output;
    ASSERT_TRUE(fs::exists(dir_ / (kQ8 + ".part")));
    const uint64_t kept = fs::file_size(dir_ / (kQ8 + ".part"));
    EXPECT_GT(kept, 0u);
    EXPECT_TRUE(contains(run("list").output, "unfinished download")) << run("list").output;

    const auto second = run("pull -q");
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_TRUE(contains(second.output, "resuming")) << second.output;
    EXPECT_TRUE(contains(second.output, "SHA-256 verified")) << second.output;
    EXPECT_EQ(read_file(dir_ / kQ8), hub_.files[kQ8]);
    const auto reqs = server_.requests();
    EXPECT_EQ(reqs.back().header("range"), "bytes=" + std::to_string(kept) + "-");
}

TEST_F(PullCliTest, PullsFromModelScopeCheckingItsListedDigest) {
    const auto r = run("pull -q --source modelscope --quant q4_0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "from ModelScope")) << r.output;
    EXPECT_TRUE(contains(r.output, "SHA-256 verified: " + digest_of(hub_.files[kQ4]))) << r.output;
    EXPECT_EQ(read_file(dir_ / kQ4), hub_.files[kQ4]);

    hub_.listed_sha_override = std::string(64, 'e');
    const auto bad = run("pull -q --source modelscope --quant q8_0");
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_TRUE(contains(bad.output, "corrupted")) << bad.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ8));
    EXPECT_FALSE(fs::exists(dir_ / (kQ8 + ".part")));
}

TEST_F(PullCliTest, AMissingQuantIsANotFoundWithTheOfficialList) {
    const auto r = run("pull -q --quant q2_k");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "not found (HTTP 404)")) << r.output;
    EXPECT_TRUE(contains(r.output, "qwen2.5-0.5b-instruct-q2_k.gguf")) << r.output;
    EXPECT_TRUE(contains(r.output, "the official quantizations are q8_0, q4_0")) << r.output;
}

TEST_F(PullCliTest, UsageMistakesFailBeforeAnyDownload) {
    const auto quant = run("pull --quant q9");
    EXPECT_EQ(quant.exit_code, 1) << quant.output;
    EXPECT_TRUE(contains(quant.output, "choose one of: q8_0")) << quant.output;
    EXPECT_EQ(run("pull --source github").exit_code, 2);
    EXPECT_EQ(run("rm").exit_code, 2);
    const auto name = run("pull --url " + server_.url("/cdn/" + kQ8) + " notes.txt");
    EXPECT_EQ(name.exit_code, 1) << name.output;
    EXPECT_TRUE(contains(name.output, "NAME.gguf")) << name.output;
    EXPECT_TRUE(server_.requests().empty());
}

TEST_F(PullCliTest, AnExistingModelIsNotDownloadedAgainUnlessForced) {
    ASSERT_EQ(run("pull -q").exit_code, 0);
    const size_t before = server_.requests().size();
    const auto again = run("pull -q");
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(contains(again.output, "already downloaded")) << again.output;
    EXPECT_EQ(server_.requests().size(), before);
    const auto forced = run("pull -q --force");
    EXPECT_EQ(forced.exit_code, 0) << forced.output;
    EXPECT_GT(server_.requests().size(), before);
}

TEST_F(PullCliTest, AnyUrlWorksAndItsDigestIsShownOrChecked) {
    const std::string url = server_.url("/cdn/" + kQ4);
    // Nothing states a digest for an arbitrary URL: refused, kept aside, unless --no-verify.
    const auto refused = run("pull -q --url " + url + " custom.gguf");
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_TRUE(contains(refused.output, "no SHA-256 is known")) << refused.output;
    EXPECT_TRUE(contains(refused.output, "--no-verify")) << refused.output;
    EXPECT_FALSE(fs::exists(dir_ / "custom.gguf"));
    EXPECT_TRUE(fs::exists(dir_ / "custom.gguf.part"));

    const auto r = run("pull -q --no-verify --url " + url + " custom.gguf");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "not verified")) << r.output;
    EXPECT_TRUE(contains(r.output, digest_of(hub_.files[kQ4]))) << r.output;
    EXPECT_EQ(read_file(dir_ / "custom.gguf"), hub_.files[kQ4]);
    EXPECT_FALSE(fs::exists(dir_ / "custom.gguf.sha256"));

    const auto bad = run("pull -q --url " + url + " --sha256 " + std::string(64, '0'));
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_TRUE(contains(bad.output, "corrupted")) << bad.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ4));

    const auto good = run("pull -q --url " + url + " --sha256 " + digest_of(hub_.files[kQ4]));
    EXPECT_EQ(good.exit_code, 0) << good.output;
    EXPECT_TRUE(fs::exists(dir_ / (kQ4 + ".sha256")));
}

TEST_F(PullCliTest, WithoutADigestHeaderTheHubsFileListingGivesIt) {
    hub_.hf_states_digest = false;
    const auto r = run("pull -q");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "SHA-256 verified: " + digest_of(hub_.files[kQ8]))) << r.output;
    bool listed = false;
    for (const auto& q : server_.requests())
        listed = listed || q.path == "/api/models" + kRepo + "/tree/main";
    EXPECT_TRUE(listed);

    // A listing with another digest: the file is corrupted and not kept.
    hub_.listed_sha_override = std::string(64, 'e');
    const auto bad = run("pull -q --quant q4_0");
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_TRUE(contains(bad.output, "corrupted")) << bad.output;
    EXPECT_TRUE(contains(bad.output, "as the repository's file listing states")) << bad.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ4));
}

TEST_F(PullCliTest, WithNoDigestAnywhereTheFileIsRefusedUnlessNoVerify) {
    hub_.hf_states_digest = false;
    hub_.hf_lists_digest = false;
    const auto refused = run("pull -q --source hf");
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_TRUE(contains(refused.output, "has no SHA-256 for " + kQ8)) << refused.output;
    EXPECT_TRUE(contains(refused.output, "--no-verify")) << refused.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ8));

    const auto accepted = run("pull -q --source hf --no-verify");
    ASSERT_EQ(accepted.exit_code, 0) << accepted.output;
    EXPECT_TRUE(contains(accepted.output, "not verified")) << accepted.output;
    EXPECT_EQ(read_file(dir_ / kQ8), hub_.files[kQ8]);
    EXPECT_FALSE(fs::exists(dir_ / (kQ8 + ".sha256")));
}

TEST_F(PullCliTest, WhenHuggingFaceCannotBeReachedModelScopeIsTried) {
    hf_endpoint_ = "http://127.0.0.1:1";  // nothing listens there
    const auto r = run("pull -q --retries 0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "trying ModelScope")) << r.output;
    EXPECT_TRUE(contains(r.output, "SHA-256 verified: " + digest_of(hub_.files[kQ8]))) << r.output;
    EXPECT_EQ(read_file(dir_ / kQ8), hub_.files[kQ8]);

    // A chosen source is kept to.
    const auto chosen = run("pull -q --retries 0 --force --source hf");
    EXPECT_EQ(chosen.exit_code, 1) << chosen.output;
    EXPECT_FALSE(contains(chosen.output, "ModelScope")) << chosen.output;
    const auto by_env = run("pull -q --retries 0 --force", "export QWEN_EDGE_SOURCE=hf; ");
    EXPECT_EQ(by_env.exit_code, 1) << by_env.output;
    EXPECT_FALSE(contains(by_env.output, "ModelScope")) << by_env.output;
}

TEST_F(PullCliTest, AFileSizeLimitIsReportedAsSuch) {
    // `ulimit -f` caps file size for the process; with SIGXFSZ ignored the write fails (EFBIG),
    // the same path as a full disk.
    const auto r = run("pull -q --retries 0", "ulimit -f 256; trap '' XFSZ; ");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "cannot write")) << r.output;
    EXPECT_TRUE(contains(r.output, "file size limit")) << r.output;
    EXPECT_FALSE(fs::exists(dir_ / kQ8));
}

TEST_F(PullCliTest, PullsACatalogueModelByItsShortNameAndListsIt) {
    const std::string file = "Qwen3-0.6B-Q8_0.gguf";
    const std::string& bytes = hub_.other_files["Qwen/Qwen3-0.6B-GGUF/" + file];
    const auto r = run("pull -q qwen3:0.6b");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(
        contains(r.output, "downloading " + file + " from Hugging Face (Qwen/Qwen3-0.6B-GGUF)"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "SHA-256 verified: " + digest_of(bytes))) << r.output;
    EXPECT_EQ(read_file(dir_ / file), bytes);
    // Another name of the same file finds it downloaded.
    const auto again = run("pull -q Qwen/Qwen3-0.6B-GGUF");
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(contains(again.output, "already downloaded")) << again.output;

    const auto list = run("list");
    ASSERT_EQ(list.exit_code, 0) << list.output;
    EXPECT_TRUE(contains(list.output, file)) << list.output;
    EXPECT_TRUE(contains(list.output, "qwen3:0.6b:q8_0")) << list.output;
    EXPECT_TRUE(contains(list.output, "Models by name")) << list.output;
    // Name, kind, size, downloaded quantizations, published quantizations (* the default).
    EXPECT_TRUE(
        contains(list.output, "  qwen3:0.6b            chat       0.6B  q8_0        q8_0*\n"))
        << list.output;
    EXPECT_TRUE(
        contains(list.output, "  qwen3:1.7b            chat       1.7B  -           q8_0*\n"))
        << list.output;
    EXPECT_TRUE(contains(list.output, "split in parts, not loadable: q8_0, q4_0")) << list.output;
    EXPECT_TRUE(contains(list.output, "qwen3-reranker:0.6b   rerank")) << list.output;

    const auto json = nlohmann::json::parse(run("list --json").output);
    ASSERT_EQ(json["models"].size(), 1u);
    EXPECT_EQ(json["models"][0]["catalogue_name"], "qwen3:0.6b:q8_0");
    bool found = false;
    for (const auto& e : json["catalogue"]) {
        if (e["name"] != "qwen3:0.6b") continue;
        found = true;
        EXPECT_EQ(e["downloaded"], nlohmann::json::array({"q8_0"}));
        EXPECT_EQ(e["hf_repo"], "Qwen/Qwen3-0.6B-GGUF");
        EXPECT_EQ(e["kind"], "chat");
        EXPECT_EQ(e["thinks"], true);
        EXPECT_EQ(e["thinking_default"], false);
        EXPECT_EQ(e["quants"][0]["file"], file);
    }
    EXPECT_TRUE(found) << json.dump(2);
}

TEST_F(PullCliTest, CatalogueNamesThatCannotBeDownloadedFailBeforeAnyRequest) {
    const auto quant = run("pull qwen3:0.6b:q4_k_m");
    EXPECT_EQ(quant.exit_code, 1) << quant.output;
    EXPECT_TRUE(contains(quant.output, "has no file in quantization 'q4_k_m'; choose one of: q8_0"))
        << quant.output;
    const auto split = run("pull qwen2.5:7b --quant q4_k_m");
    EXPECT_EQ(split.exit_code, 1) << split.output;
    EXPECT_TRUE(contains(split.output, "split in 2 parts")) << split.output;
    const auto ms = run("pull qwen3-reranker:0.6b --source modelscope");
    EXPECT_EQ(ms.exit_code, 1) << ms.output;
    EXPECT_TRUE(contains(ms.output, "no copy on ModelScope")) << ms.output;
    const auto unknown = run("pull llama3:8b");
    EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
    EXPECT_TRUE(contains(unknown.output, "qwen3-embedding:0.6b")) << unknown.output;
    EXPECT_TRUE(server_.requests().empty());
}

TEST_F(PullCliTest, ServingACatalogueNameNotDownloadedSaysWhichPullGetsIt) {
    const auto r = run("serve --model qwen3:1.7b --port 0");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "qwen3:1.7b (Qwen3-1.7B) is not downloaded")) << r.output;
    EXPECT_TRUE(contains(r.output, "`qwen-edge pull qwen3:1.7b`")) << r.output;
}

}  // namespace
}  // namespace qe
