// POST /v1/embeddings through the Api class: a chat model (g448-q8_0) and an embedding model
// (q3-q8_0, a Qwen3 file without a pooling key: last token, <|endoftext|> appended) side by side.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "engine/embedder.h"
#include "server/api.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

const std::string kEmbeddingModel = std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf";
constexpr int kCtx = 64;

std::unique_ptr<Runtime> one_thread_runtime(const LoadedModel& model) {
    RuntimeOptions o;
    o.n_threads = 1;
    return std::make_unique<Runtime>(model.config(), model.weights(), o);
}

std::unique_ptr<Api> make_api(bool with_embeddings) {
    auto api = std::make_unique<Api>(ApiOptions{});
    auto model = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    SchedulerOptions so;
    so.slots = 1;
    so.n_ctx = 256;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    if (with_embeddings) {
        auto embedding = LoadedModel::open(kEmbeddingModel);
        auto runtime = one_thread_runtime(*embedding);
        api->set_embedding_model(std::move(embedding), std::move(runtime), kCtx);
    }
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

HttpResponse post(Api& api, const json& body) {
    return api.handle(
        {"POST", "/v1/embeddings", {{"content-type", "application/json"}}, body.dump()});
}

json ok(Api& api, const json& body) {
    const HttpResponse r = post(api, body);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
}

// The same model's vectors computed directly.
struct Reference {
    std::unique_ptr<LoadedModel> model = LoadedModel::open(kEmbeddingModel);
    std::unique_ptr<Runtime> runtime = one_thread_runtime(*model);
    Embedder embedder{*runtime, embedder_options(*model)};

    std::vector<float> of(const std::string& text, int dimensions = 0) {
        const auto ids = model->tokenizer().encode(text, SpecialTokens::kParse);
        const std::vector<std::vector<int>> one = {std::vector<int>(ids.begin(), ids.end())};
        return embedder.embed(one, dimensions).vectors[0];
    }
    std::vector<float> of_ids(std::vector<int> ids) {
        const std::vector<std::vector<int>> one = {std::move(ids)};
        return embedder.embed(one).vectors[0];
    }
};

std::vector<float> floats(const json& j) {
    return j.get<std::vector<float>>();
}

std::vector<float> from_base64(const std::string& s) {
    auto value = [](char c) -> uint32_t {
        if (c >= 'A' && c <= 'Z') return uint32_t(c - 'A');
        if (c >= 'a' && c <= 'z') return uint32_t(c - 'a' + 26);
        if (c >= '0' && c <= '9') return uint32_t(c - '0' + 52);
        return c == '+' ? 62u : 63u;
    };
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i + 3 < s.size(); i += 4) {
        const uint32_t n = value(s[i]) << 18 | value(s[i + 1]) << 12 |
                           (s[i + 2] == '=' ? 0 : value(s[i + 2]) << 6) |
                           (s[i + 3] == '=' ? 0 : value(s[i + 3]));
        bytes.push_back(uint8_t(n >> 16));
        if (s[i + 2] != '=') bytes.push_back(uint8_t(n >> 8));
        if (s[i + 3] != '=') bytes.push_back(uint8_t(n));
    }
    std::vector<float> out(bytes.size() / 4);
    for (size_t i = 0; i < out.size(); ++i) {
        const uint32_t u = uint32_t(bytes[4 * i]) | uint32_t(bytes[4 * i + 1]) << 8 |
                           uint32_t(bytes[4 * i + 2]) << 16 | uint32_t(bytes[4 * i + 3]) << 24;
        out[i] = std::bit_cast<float>(u);
    }
    return out;
}

TEST(ApiEmbeddings, WithoutAnEmbeddingModelSaysHowToAddOne) {
    auto api = make_api(false);
    const HttpResponse r = post(*api, {{"input", "hello"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(json::parse(r.body)["error"]["message"].get<std::string>().find("--embedding-model"),
              std::string::npos)
        << r.body;
    const json models = json::parse(api->handle({"GET", "/v1/models", {}, ""}).body);
    EXPECT_EQ(models["data"].size(), 1u);
}

TEST(ApiEmbeddings, ModelsListTheEmbeddingModel) {
    auto api = make_api(true);
    const json models = json::parse(api->handle({"GET", "/v1/models", {}, ""}).body);
    ASSERT_EQ(models["data"].size(), 2u);
    EXPECT_EQ(models["data"][0]["id"], "g448-q8_0");
    EXPECT_EQ(models["data"][1]["id"], "q3-q8_0");
    EXPECT_EQ(models["data"][1]["capabilities"], json::array({"embedding"}));
    EXPECT_EQ(models["data"][1]["dimensions"], 512);
}

TEST(ApiEmbeddings, EveryInputFormGivesTheEmbeddersVectors) {
    auto api = make_api(true);
    Reference ref;
    const json one = ok(*api, {{"input", "hello world"}, {"model", "q3-q8_0"}});
    EXPECT_EQ(one["object"], "list");
    EXPECT_EQ(one["model"], "q3-q8_0");
    ASSERT_EQ(one["data"].size(), 1u);
    EXPECT_EQ(one["data"][0]["object"], "embedding");
    EXPECT_EQ(one["data"][0]["index"], 0);
    EXPECT_EQ(floats(one["data"][0]["embedding"]), ref.of("hello world"));
    const int tokens =
        int(ref.model->tokenizer().encode("hello world", SpecialTokens::kParse).size()) + 1;
    EXPECT_EQ(one["usage"]["prompt_tokens"], tokens);
    EXPECT_EQ(one["usage"]["total_tokens"], tokens);

    const json texts = ok(*api, {{"input", {"a cat", "hello world", "a dog"}}});
    ASSERT_EQ(texts["data"].size(), 3u);
    EXPECT_EQ(texts["data"][2]["index"], 2);
    EXPECT_EQ(floats(texts["data"][1]["embedding"]), ref.of("hello world"));
    EXPECT_EQ(floats(texts["data"][2]["embedding"]), ref.of("a dog"));

    const json ids = ok(*api, {{"input", {11, 22, 33}}});
    EXPECT_EQ(floats(ids["data"][0]["embedding"]), ref.of_ids({11, 22, 33}));
    EXPECT_EQ(ids["usage"]["prompt_tokens"], 4);
    const json lists = ok(*api, {{"input", {{11, 22, 33}, {44}}}});
    EXPECT_EQ(floats(lists["data"][1]["embedding"]), ref.of_ids({44}));

    // <|endoftext|> already at the end is not added again.
    EXPECT_EQ(floats(ok(*api, {{"input", "hello world<|endoftext|>"}})["data"][0]["embedding"]),
              ref.of("hello world"));
}

TEST(ApiEmbeddings, DimensionsBase64AndInstruction) {
    auto api = make_api(true);
    Reference ref;
    const json cut = ok(*api, {{"input", "hello"}, {"dimensions", 32}});
    EXPECT_EQ(floats(cut["data"][0]["embedding"]), ref.of("hello", 32));

    const json b64 = ok(*api, {{"input", "hello"}, {"encoding_format", "base64"}});
    ASSERT_TRUE(b64["data"][0]["embedding"].is_string());
    EXPECT_EQ(from_base64(b64["data"][0]["embedding"].get<std::string>()), ref.of("hello"));

    const json q = ok(*api, {{"input", "what is rope?"}, {"instruction", "Find the definition"}});
    EXPECT_EQ(floats(q["data"][0]["embedding"]),
              ref.of("Instruct: Find the definition\nQuery:what is rope?"));
    // Token ids follow the instruction's ids.
    const auto prefix = ref.model->tokenizer().encode("Instruct: Find the definition\nQuery:",
                                                      SpecialTokens::kParse);
    std::vector<int> ids(prefix.begin(), prefix.end());
    ids.insert(ids.end(), {11, 22});
    const json qi = ok(*api, {{"input", {11, 22}}, {"instruction", "Find the definition"}});
    EXPECT_EQ(floats(qi["data"][0]["embedding"]), ref.of_ids(ids));
}

TEST(ApiEmbeddings, BadRequestsAre400sNamingTheProblem) {
    auto api = make_api(true);
    auto error = [&](const json& body, int status = 400) {
        const HttpResponse r = post(*api, body);
        EXPECT_EQ(r.status, status) << body.dump() << " " << r.body;
        return json::parse(r.body)["error"];
    };
    const json too_long =
        error({{"input", {"short", std::string(200, 'x') + " 长 " + std::string(300, 'y')}}});
    EXPECT_EQ(too_long["code"], "context_length_exceeded");
    EXPECT_NE(too_long["message"].get<std::string>().find("input 1"), std::string::npos)
        << too_long;
    EXPECT_EQ(error({{"input", std::vector<int>(kCtx + 1, 5)}})["code"], "context_length_exceeded");
    EXPECT_NE(error({{"input", {{1}, {999999}}}})["message"].get<std::string>().find("input 1"),
              std::string::npos);
    EXPECT_EQ(error({{"input", ""}})["param"], "input");
    EXPECT_EQ(error({{"input", "a"}, {"dimensions", 513}})["param"], "dimensions");
    EXPECT_EQ(error({{"input", "a"}, {"stream", true}})["param"], "stream");
    // A chat model named here is the wrong type; a name that is nowhere is not found.
    EXPECT_EQ(error({{"input", "a"}, {"model", "g448-q8_0"}})["code"], "wrong_model_type");
    EXPECT_EQ(error({{"input", "a"}, {"model", "nowhere"}}, 404)["code"], "model_not_found");
    EXPECT_EQ(api->handle({"POST", "/v1/embeddings", {}, "{bad"}).status, 400);
    EXPECT_NE(api->handle({"GET", "/metrics", {}, ""}).body.find("endpoint=\"/v1/embeddings\""),
              std::string::npos);
}

}  // namespace
}  // namespace qe
