// The knowledge bases over the model registry, as `serve` sets them up: the chat model and an
// embedding model registered (add_model) as the defaults, so the imports and searches embed with
// the registry's embedding model and a chat with knowledge runs on the request's chat model. On
// golden models: g448-q8_0 and q3-q8_0 as chat models, a copy of q3-q8_0 as the embedding model.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/api.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kChat = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
const std::string kSecondChat = std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf";

class ApiKnowledgeModels : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(QE_TEST_TMP_DIR) / "api_knowledge_models" /
               testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // Under a name of its own: the registry knows each model by its file's name.
        fs::copy_file(kSecondChat, dir_ / "q3-embedding.gguf");
        ApiOptions o;
        o.served.chat.slots = 1;
        o.served.chat.n_ctx = 512;
        o.served.chat.n_threads = 1;
        o.served.threads = 1;
        o.served.n_ctx = 128;
        api_ = std::make_unique<Api>(o);
        api_->add_model(kChat, ModelKind::kChat, false, true);
        api_->add_model(kSecondChat, ModelKind::kChat, false, false);
        api_->add_model((dir_ / "q3-embedding.gguf").string(), ModelKind::kEmbedding, true, true);
        api_->set_knowledge(dir_);
        api_->set_ready();
    }

    HttpResponse call(const std::string& method, const std::string& path, const json& body = {},
                      std::vector<UploadedFile> files = {}) {
        HttpRequest r{method, path, {}, body.is_null() ? "" : body.dump()};
        r.files = std::move(files);
        r.remote_addr = "127.0.0.1";  // admin requests from this machine
        return api_->handle(r);
    }

    fs::path dir_;
    std::unique_ptr<Api> api_;
};

TEST_F(ApiKnowledgeModels, ImportsSearchesAndChatsWithTheRegistrysModels) {
    ASSERT_EQ(call("POST", "/v1/knowledge", {{"name", "制度"}}).status, 201);
    const std::string text =
        "# 报销制度\n\n## 材料\n\n报销需要发票原件、审批单和付款记录。\n\n"
        "## 时限\n\n费用发生后三十日内提交报销申请。\n";
    const HttpResponse upload =
        call("POST", "/v1/knowledge/制度/documents", nullptr, {{"file", "报销制度.md", text}});
    ASSERT_EQ(upload.status, 202) << upload.body;
    api_->wait_for_imports();

    // The base records the registry's default embedding model as its embedder.
    const json bases = json::parse(call("GET", "/v1/knowledge").body)["data"];
    ASSERT_EQ(bases.size(), 1u) << bases;
    ASSERT_TRUE(bases[0]["embedder"].is_object()) << bases;
    EXPECT_EQ(bases[0]["embedder"]["name"], "q3-embedding");
    EXPECT_GT(bases[0]["chunks"].get<int>(), 0);

    const HttpResponse search =
        call("POST", "/v1/knowledge/制度/search", {{"query", "报销需要哪些材料"}});
    ASSERT_EQ(search.status, 200) << search.body;
    const json hits = json::parse(search.body)["data"];
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits[0]["file"], "报销制度.md");

    // A chat with knowledge on a chat model the request names: its passages fit that model.
    for (const std::string model : {"", "q3-q8_0"}) {
        json ask = {{"messages", {{{"role", "user"}, {"content", "报销需要哪些材料"}}}},
                    {"max_tokens", 2},
                    {"knowledge", {{"base", "制度"}}}};
        if (!model.empty()) ask["model"] = model;
        const HttpResponse r = call("POST", "/v1/chat/completions", ask);
        ASSERT_EQ(r.status, 200) << r.body;
        const json body = json::parse(r.body);
        EXPECT_EQ(body["model"], model.empty() ? "g448-q8_0" : model);
        const json citations = body["choices"][0]["citations"];
        ASSERT_FALSE(citations.empty()) << r.body;
        EXPECT_EQ(citations[0]["file"], "报销制度.md");
    }
}

}  // namespace
}  // namespace qe
