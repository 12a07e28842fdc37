// The knowledge endpoints of a real `qwen-edge serve` (golden model: its answers are noise, so
// the tests look at what the server puts around them): bases made, files uploaded as multipart
// and imported in the background (a bad file listed as skipped with its reason), searched; a chat
// with "knowledge" gets as citations the passages of the one document that holds the question's
// words, in the plain answer and in the stream before its first content delta; unknown bases,
// bad names, the admin key and the upload limit answered with the contract's errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/live_server.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::http;
using test::RawResponse;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kModel = std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf";
// "公司制度" percent-encoded, as a browser sends it in a path.
const std::string kBasePath = "/v1/knowledge/%E5%85%AC%E5%8F%B8%E5%88%B6%E5%BA%A6";

const std::string kExpenses =
    "# 报销制度\n\n## 材料\n\n报销需要发票原件和部门审批单。\n\n## "
    "时限\n\n出差报销在一个月内提交。\n";
const std::string kLeave = "The vacation policy gives twenty days of paid leave per year.\n";

struct Part {
    std::string field, filename, content;
};

// A multipart/form-data request with these parts.
RawResponse upload(int port, const std::string& path, const std::vector<Part>& parts,
                   const std::string& extra_headers = "") {
    const std::string boundary = "----qe-test-boundary-7MA4YWxk";
    std::string body;
    for (const Part& p : parts)
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.field +
                "\"; filename=\"" + p.filename +
                "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + p.content + "\r\n";
    body += "--" + boundary + "--\r\n";
    test::Connection c(port);
    const std::string req =
        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers +
        "Content-Type: multipart/form-data; boundary=" + boundary +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!c.connected() || !c.send(req)) return {};
    return test::read_response(c);
}

json body_of(const RawResponse& r) {
    return json::parse(r.body, nullptr, false);
}
std::string code_of(const RawResponse& r) {
    const json b = body_of(r);
    return b.contains("error") && b["error"]["code"].is_string()
               ? b["error"]["code"].get<std::string>()
               : "(no error: " + r.body + ")";
}

class KnowledgeApiE2E : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // A folder of this process's own: ctest runs each test of the suite as a process of its
        // own, in parallel, and one's setup must not delete the base another is asking.
        const std::string own = "knowledge_api_e2e_" + std::to_string(::getpid());
        data_ = fs::path(QE_TEST_TMP_DIR) / own;
        fs::remove_all(data_);
        server_ = new test::LiveServer;
        setup_error_ = server_->start(
            kBinary,
            {"--model", kModel, "--threads", "1", "--ctx", "2048", "--data-dir", data_.string()},
            (fs::path(QE_TEST_TMP_DIR) / (own + ".log")).string());
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        std::error_code ec;
        fs::remove_all(data_, ec);
    }
    void SetUp() override {
        ASSERT_EQ(setup_error_, "");
        port_ = server_->port();
    }
    void TearDown() override {
        ASSERT_TRUE(server_->running()) << "the server died:\n" << server_->output();
    }
    // The base's document list once nothing in it is queued or indexing.
    json settled_documents() const {
        json docs;
        test::wait_until(
            [&] {
                docs = body_of(http(port_, "GET", kBasePath + "/documents"))["data"];
                for (const auto& d : docs)
                    if (d["status"] == "queued" || d["status"] == "indexing") return false;
                return true;
            },
            60);
        return docs;
    }
    void make_base_with_documents() {
        http(port_, "DELETE", kBasePath);
        ASSERT_EQ(http(port_, "POST", "/v1/knowledge", R"({"name":"公司制度"})").status, 201);
        const RawResponse up = upload(port_, kBasePath + "/documents",
                                      {{"file", "报销制度.md", kExpenses},
                                       {"file", "leave.txt", kLeave},
                                       {"file", "旧文件.doc", "legacy bytes"}});
        ASSERT_EQ(up.status, 202) << up.body;
        const json queued = body_of(up)["data"];
        ASSERT_EQ(queued.size(), 3u);
        for (const auto& d : queued) EXPECT_EQ(d["status"], "queued");
        EXPECT_EQ(queued[0]["file"], "报销制度.md");
    }

    static inline test::LiveServer* server_ = nullptr;
    static inline std::string setup_error_;
    static inline fs::path data_;
    int port_ = 0;
};

TEST_F(KnowledgeApiE2E, UploadListSearchDelete) {
    make_base_with_documents();
    const json docs = settled_documents();
    ASSERT_EQ(docs.size(), 3u) << docs.dump();
    std::map<std::string, json> by_file;
    for (const auto& d : docs) by_file[d["file"]] = d;
    EXPECT_EQ(by_file["报销制度.md"]["status"], "ready");
    EXPECT_EQ(by_file["报销制度.md"]["chunks"], 2);  // one per "##" section
    EXPECT_EQ(by_file["报销制度.md"]["bytes"], kExpenses.size());
    EXPECT_EQ(by_file["leave.txt"]["status"], "ready");
    EXPECT_EQ(by_file["旧文件.doc"]["status"], "skipped");
    EXPECT_TRUE(by_file["旧文件.doc"]["reason"].get<std::string>().starts_with("legacy_format"))
        << by_file["旧文件.doc"].dump();

    const json bases = body_of(http(port_, "GET", "/v1/knowledge"))["data"];
    ASSERT_EQ(bases.size(), 1u);
    EXPECT_EQ(bases[0]["name"], "公司制度");
    EXPECT_EQ(bases[0]["documents"], 2);
    EXPECT_EQ(bases[0]["chunks"], 3);
    EXPECT_TRUE(bases[0]["embedder"].is_null());

    const RawResponse s =
        http(port_, "POST", kBasePath + "/search", R"({"query":"报销需要哪些材料","top_k":5})");
    ASSERT_EQ(s.status, 200) << s.body;
    const json hits = body_of(s)["data"];
    ASSERT_FALSE(hits.empty());
    for (const auto& h : hits) EXPECT_EQ(h["file"], "报销制度.md") << h.dump();
    EXPECT_EQ(hits[0]["heading"], "报销制度 > 材料");
    EXPECT_TRUE(hits[0]["page"].is_null());

    // The skipped file until deleted, then a ready document.
    const std::string skipped_id = by_file["旧文件.doc"]["id"];
    EXPECT_EQ(http(port_, "DELETE", kBasePath + "/documents/" + skipped_id).status, 200);
    const std::string leave_id = by_file["leave.txt"]["id"];
    const RawResponse del = http(port_, "DELETE", kBasePath + "/documents/" + leave_id);
    EXPECT_EQ(body_of(del), (json{{"deleted", true}, {"id", leave_id}}));
    EXPECT_EQ(settled_documents().size(), 1u);
    EXPECT_EQ(code_of(http(port_, "DELETE", kBasePath + "/documents/999")), "document_not_found");

    EXPECT_EQ(body_of(http(port_, "DELETE", kBasePath)),
              (json{{"deleted", true}, {"name", "公司制度"}}));
    EXPECT_EQ(body_of(http(port_, "GET", "/v1/knowledge"))["data"].size(), 0u);
}

TEST_F(KnowledgeApiE2E, ChatCitesThePassagesOfTheDocumentHoldingTheAnswer) {
    make_base_with_documents();
    settled_documents();
    const std::string ask =
        R"({"messages":[{"role":"user","content":"报销需要哪些材料"}],"max_tokens":4,)"
        R"("knowledge":{"base":"公司制度","top_k":5})";
    const RawResponse plain = http(port_, "POST", "/v1/chat/completions", ask + "}");
    ASSERT_EQ(plain.status, 200) << plain.body;
    const json choice = body_of(plain)["choices"][0];
    ASSERT_TRUE(choice.contains("message"));
    const json citations = choice["citations"];
    ASSERT_FALSE(citations.empty()) << plain.body;
    for (size_t i = 0; i < citations.size(); ++i) {
        EXPECT_EQ(citations[i]["index"], i + 1);
        EXPECT_EQ(citations[i]["file"], "报销制度.md");
    }
    EXPECT_NE(citations[0]["text"].get<std::string>().find("发票原件"), std::string::npos);

    const RawResponse streamed =
        http(port_, "POST", "/v1/chat/completions", ask + R"(,"stream":true})");
    ASSERT_EQ(streamed.status, 200) << streamed.body;
    bool framing_ok = false;
    const auto events = test::sse_events(streamed.body, framing_ok);
    ASSERT_TRUE(framing_ok);
    int citations_at = -1, first_content_at = -1;
    for (size_t i = 0; i + 1 < events.size(); ++i) {  // the last is [DONE]
        const json c = json::parse(events[i])["choices"][0];
        if (c.contains("citations")) {
            EXPECT_EQ(citations_at, -1) << "citations sent twice";
            citations_at = int(i);
            EXPECT_EQ(c["delta"], json::object());
            EXPECT_EQ(c["citations"], citations);
        }
        if (first_content_at < 0 && c["delta"].contains("content") &&
            !c["delta"]["content"].get<std::string>().empty())
            first_content_at = int(i);
    }
    ASSERT_GE(citations_at, 0) << streamed.body;
    ASSERT_GE(first_content_at, 0) << streamed.body;
    EXPECT_LT(citations_at, first_content_at);

    // Nothing relevant: no citations.
    const RawResponse none = http(
        port_, "POST", "/v1/chat/completions",
        R"({"messages":[{"role":"user","content":"zebra giraffe"}],"max_tokens":2,"knowledge":{"base":"公司制度"}})");
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_EQ(body_of(none)["choices"][0]["citations"], json::array());
}

TEST_F(KnowledgeApiE2E, ErrorsFollowTheContract) {
    EXPECT_EQ(code_of(http(port_, "POST", "/v1/knowledge/nope/search", R"({"query":"x"})")),
              "base_not_found");
    EXPECT_EQ(http(port_, "GET", "/v1/knowledge/nope/documents").status, 404);
    EXPECT_EQ(http(port_, "DELETE", "/v1/knowledge/nope").status, 404);
    const RawResponse chat =
        http(port_, "POST", "/v1/chat/completions",
             R"({"messages":[{"role":"user","content":"hi"}],"knowledge":{"base":"nope"}})");
    EXPECT_EQ(chat.status, 404);
    EXPECT_EQ(code_of(chat), "base_not_found");
    // No default base on this server.
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions",
                   R"({"messages":[{"role":"user","content":"hi"}],"knowledge":true})")
                  .status,
              400);
    EXPECT_EQ(http(port_, "POST", "/v1/knowledge", R"({"name":".hidden"})").status, 400);
    EXPECT_EQ(http(port_, "POST", "/v1/knowledge", R"({"name":"a","extra":1})").status, 400);
    ASSERT_EQ(http(port_, "POST", "/v1/knowledge", R"({"name":"twice"})").status, 201);
    const RawResponse again = http(port_, "POST", "/v1/knowledge", R"({"name":"twice"})");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(code_of(again), "base_exists");
    EXPECT_EQ(
        http(port_, "POST", "/v1/knowledge/twice/search", R"({"query":"x","top_k":21})").status,
        400);
    EXPECT_EQ(upload(port_, "/v1/knowledge/twice/documents", {{"other", "a.txt", "x"}}).status,
              400);
    EXPECT_EQ(upload(port_, "/v1/knowledge/twice/documents", {{"file", "", "x"}}).status, 400);
    EXPECT_EQ(http(port_, "DELETE", "/v1/knowledge/twice").status, 200);
}

TEST_F(KnowledgeApiE2E, AClientGoneMidUploadLeavesNothingBehind) {
    ASSERT_EQ(http(port_, "POST", "/v1/knowledge", R"({"name":"cut"})").status, 201);
    {
        test::Connection c(port_);
        ASSERT_TRUE(c.connected());
        const std::string boundary = "cut-boundary";
        const std::string start = "--" + boundary +
                                  "\r\nContent-Disposition: form-data; name=\"file\"; "
                                  "filename=\"half.txt\"\r\n\r\n" +
                                  std::string(4000, 'x');
        ASSERT_TRUE(
            c.send("POST /v1/knowledge/cut/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: multipart/form-data; boundary=" +
                   boundary + "\r\nContent-Length: 100000\r\n\r\n" + start));
    }  // closed with most of the body unsent
    const RawResponse list = http(port_, "GET", "/v1/knowledge/cut/documents");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(body_of(list)["data"], json::array());
    // The folder is made at the first upload that reaches it; is_empty throws when it is not there.
    const fs::path incoming = data_ / "knowledge" / ".incoming";
    EXPECT_TRUE(!fs::exists(incoming) || fs::is_empty(incoming));
    EXPECT_EQ(http(port_, "DELETE", "/v1/knowledge/cut").status, 200);
}

TEST(KnowledgeAdminE2E, AdminKeyAndUploadLimit) {
    const fs::path data = fs::path(QE_TEST_TMP_DIR) / "knowledge_admin_e2e";
    fs::remove_all(data);
    test::LiveServer server;
    ASSERT_EQ(server.start(kBinary,
                           {"--model", kModel, "--threads", "1", "--ctx", "1024", "--data-dir",
                            data.string(), "--admin-key", "s3cret", "--max-upload", "1000"},
                           (fs::path(QE_TEST_TMP_DIR) / "knowledge_admin_e2e.log").string()),
              "");
    const int port = server.port();
    const RawResponse refused = http(port, "POST", "/v1/knowledge", R"({"name":"b"})");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(code_of(refused), "admin_required");
    const std::string admin = "Authorization: Bearer s3cret\r\n";
    ASSERT_EQ(http(port, "POST", "/v1/knowledge", R"({"name":"b"})", admin).status, 201);
    EXPECT_EQ(http(port, "GET", "/v1/knowledge").status, 200);  // reading needs no admin key
    EXPECT_EQ(upload(port, "/v1/knowledge/b/documents", {{"file", "a.txt", "small"}}).status, 403);
    EXPECT_EQ(upload(port, "/v1/knowledge/b/documents", {{"file", "a.txt", "small"}}, admin).status,
              202);
    EXPECT_EQ(upload(port, "/v1/knowledge/b/documents",
                     {{"file", "big.txt", std::string(200 * 1024, 'x')}}, admin)
                  .status,
              413);
    EXPECT_EQ(http(port, "DELETE", "/v1/knowledge/b").status, 403);
    EXPECT_TRUE(server.running()) << server.output();
}

}  // namespace
}  // namespace qe
