// POST /v1/rerank through the Api class: a chat model (g448-q8_0) beside a small synthetic
// Qwen3-Reranker, each score checked against one computed by hand: the model card's prompt
// tokenized whole, the final-normed hidden state of its last position from a runtime of the test's
// own, the dot products with the output head's rows of "yes" and "no", and the sigmoid of their
// difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "server/api.h"
#include "support/expect_error.h"
#include "support/reranker_model.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;
using test::RerankForm;

constexpr int kCtx = 128;

std::unique_ptr<Runtime> one_thread_runtime(const LoadedModel& model) {
    RuntimeOptions o;
    o.n_threads = 1;
    return std::make_unique<Runtime>(model.config(), model.weights(), o);
}

std::unique_ptr<Api> make_api(const std::string& reranker_path) {
    auto api = std::make_unique<Api>(ApiOptions{});
    auto model = LoadedModel::open(QE_GOLDEN_DIR "/g448-q8_0.gguf");
    SchedulerOptions so;
    so.slots = 1;
    so.n_ctx = 256;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    if (!reranker_path.empty()) {
        auto reranker = LoadedModel::open(reranker_path);
        auto runtime = one_thread_runtime(*reranker);
        api->set_rerank_model(std::move(reranker), std::move(runtime), kCtx);
    }
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

HttpResponse post(Api& api, const json& body, const std::string& path = "/v1/rerank") {
    return api.handle({"POST", path, {{"content-type", "application/json"}}, body.dump()});
}

json ok(Api& api, const json& body, const std::string& path = "/v1/rerank") {
    const HttpResponse r = post(api, body, path);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
}

// The model card's prompt, written out.
std::string card_prompt(const std::string& instruction, const std::string& query,
                        const std::string& doc) {
    return "<|im_start|>system\nJudge whether the Document meets the requirements based on the "
           "Query and the Instruct provided. Note that the answer can only be \"yes\" or "
           "\"no\".<|im_end|>\n<|im_start|>user\n<Instruct>: " +
           instruction + "\n<Query>: " + query + "\n<Document>: " + doc +
           "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
}

const std::string kInstruction =
    "Given a web search query, retrieve relevant passages that answer the query";

// Scores by hand over the full-head file.
struct ByHand {
    explicit ByHand(const std::string& path)
        : model(LoadedModel::open(path)), runtime(one_thread_runtime(*model)) {}
    std::unique_ptr<LoadedModel> model;
    std::unique_ptr<Runtime> runtime;

    std::vector<int> ids(const std::string& text) const {
        const auto ids = model->tokenizer().encode(text, SpecialTokens::kParse);
        return {ids.begin(), ids.end()};
    }
    double score(const std::string& query, const std::string& doc,
                 const std::string& instruction = kInstruction) {
        const std::vector<int> prompt = ids(card_prompt(instruction, query, doc));
        auto state = runtime->model().new_sequence(int(prompt.size()), DType::F16);
        const SequenceChunk chunk{state.get(), prompt, 0, false};
        const auto hidden = runtime->model().forward({&chunk, 1}, ForwardOutput::Hidden);
        const int yes = ids("yes").at(0), no = ids("no").at(0);
        const TensorView& head = model->weights().output;  // F32: token_embd (tied)
        const auto* rows = static_cast<const float*>(head.data);
        const size_t dim = size_t(model->config().dim);
        double yes_logit = 0, no_logit = 0;
        for (size_t d = 0; d < dim; ++d) {
            yes_logit += double(rows[size_t(yes) * dim + d]) * hidden[d];
            no_logit += double(rows[size_t(no) * dim + d]) * hidden[d];
        }
        return 1.0 / (1.0 + std::exp(-(yes_logit - no_logit)));
    }
};

const std::string kQuery = "What is the capital of China?";
const std::vector<std::string> kDocs = {
    "The capital of China is Beijing.",
    "Gravity is a force that attracts two bodies towards each other.", "北京是中国的首都。",
    "Paris", ""};

// The fixture's files, written once per test.
struct Files {
    std::string full = test::write_reranker("full", RerankForm::kFullHead);
    std::string cls = test::write_reranker("cls", RerankForm::kClsOutput);
};

TEST(ApiRerank, WithoutARerankerSaysWhichFlagAddsOne) {
    auto api = make_api("");
    const HttpResponse r = post(*api, {{"query", "q"}, {"documents", {"a"}}});
    EXPECT_EQ(r.status, 400);
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "no_rerank_model");
    EXPECT_NE(error["message"].get<std::string>().find("--rerank-model"), std::string::npos)
        << r.body;
    const json models = json::parse(api->handle({"GET", "/v1/models", {}, ""}).body);
    ASSERT_EQ(models["data"].size(), 1u);
    EXPECT_EQ(models["data"][0]["capabilities"], json::array({"chat", "completion"}));
}

TEST(ApiRerank, ModelsListTheRerankerWithWhatItDoes) {
    Files files;
    auto api = make_api(files.full);
    const json models = json::parse(api->handle({"GET", "/v1/models", {}, ""}).body);
    ASSERT_EQ(models["data"].size(), 2u);
    EXPECT_EQ(models["data"][0]["capabilities"], json::array({"chat", "completion"}));
    EXPECT_EQ(models["data"][1]["id"], std::filesystem::path(files.full).stem().string());
    EXPECT_EQ(models["data"][1]["capabilities"], json::array({"rerank"}));
    EXPECT_EQ(models["data"][1]["context_length"], kCtx);
}

TEST(ApiRerank, ScoresAreTheHandComputedOnesHighestFirst) {
    Files files;
    ByHand hand(files.full);
    std::vector<double> want;
    int64_t tokens = 0;
    for (const std::string& doc : kDocs) {
        want.push_back(hand.score(kQuery, doc));
        tokens += int64_t(hand.ids(card_prompt(kInstruction, kQuery, doc)).size());
    }
    // Noise weights, yet distinct scores: the order is a real check.
    for (size_t i = 1; i < want.size(); ++i) EXPECT_NE(want[i], want[0]);

    for (const std::string& path : {files.full, files.cls}) {
        auto api = make_api(path);
        const json r = ok(*api, {{"query", kQuery}, {"documents", kDocs}});
        EXPECT_EQ(r["object"], "list");
        EXPECT_EQ(r["model"], std::filesystem::path(path).stem().string());
        EXPECT_EQ(r["usage"]["prompt_tokens"], tokens);
        EXPECT_EQ(r["usage"]["total_tokens"], tokens);
        ASSERT_EQ(r["results"].size(), kDocs.size());
        std::vector<size_t> seen;
        for (size_t k = 0; k < kDocs.size(); ++k) {
            const json& item = r["results"][k];
            const size_t i = item["index"].get<size_t>();
            ASSERT_LT(i, kDocs.size());
            seen.push_back(i);
            EXPECT_NEAR(item["relevance_score"].get<double>(), want[i], 1e-9) << path << " " << i;
            EXPECT_FALSE(item.contains("document"));
            if (k > 0) {
                EXPECT_GE(r["results"][k - 1]["relevance_score"].get<double>(),
                          item["relevance_score"].get<double>());
            }
        }
        std::sort(seen.begin(), seen.end());
        EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3, 4}));
    }
}

TEST(ApiRerank, TopNDocumentsInstructionAndAliases) {
    Files files;
    auto api = make_api(files.cls);
    const json all = ok(*api, {{"query", kQuery}, {"documents", kDocs}});
    json docs = json::array();
    for (const std::string& d : kDocs) docs.push_back({{"text", d}});
    docs[0] = kDocs[0];  // the two forms mixed
    const json top = ok(
        *api, {{"query", kQuery}, {"documents", docs}, {"top_n", 2}, {"return_documents", true}});
    ASSERT_EQ(top["results"].size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(top["results"][k]["index"], all["results"][k]["index"]);
        EXPECT_EQ(top["results"][k]["relevance_score"], all["results"][k]["relevance_score"]);
        const size_t i = top["results"][k]["index"].get<size_t>();
        EXPECT_EQ(top["results"][k]["document"], json({{"text", kDocs[i]}}));
    }
    EXPECT_EQ(top["usage"], all["usage"]);  // every document was scored

    for (const std::string path : {"/rerank", "/v1/reranking", "/reranking"})
        EXPECT_EQ(ok(*api, {{"query", kQuery}, {"documents", kDocs}}, path)["results"],
                  all["results"])
            << path;

    ByHand hand(files.full);
    const json instructed =
        ok(*api, {{"query", "frying pan"},
                  {"documents", {"ice cream bowl"}},
                  {"instruction", "Rank the document based on its material and shape"}});
    EXPECT_NEAR(instructed["results"][0]["relevance_score"].get<double>(),
                hand.score("frying pan", "ice cream bowl",
                           "Rank the document based on its material and shape"),
                1e-9);
}

TEST(ApiRerank, BadRequestsAre400sNamingTheProblem) {
    Files files;
    auto api = make_api(files.full);
    auto error = [&](const json& body, int status = 400) {
        const HttpResponse r = post(*api, body);
        EXPECT_EQ(r.status, status) << body.dump() << " " << r.body;
        return json::parse(r.body)["error"];
    };
    std::string long_doc;
    for (int i = 0; i < 100; ++i) long_doc += " word" + std::to_string(i);
    const json too_long = error({{"query", kQuery}, {"documents", {"short", long_doc, "fine"}}});
    EXPECT_EQ(too_long["code"], "context_length_exceeded");
    EXPECT_EQ(too_long["param"], "documents");
    const std::string message = too_long["message"].get<std::string>();
    EXPECT_NE(message.find("documents[1]"), std::string::npos) << message;
    EXPECT_NE(message.find("context holds " + std::to_string(kCtx)), std::string::npos) << message;
    EXPECT_NE(message.find("nothing is truncated"), std::string::npos) << message;
    EXPECT_EQ(error({{"query", std::string(2000, 'q')}, {"documents", {"a"}}})["code"],
              "context_length_exceeded");

    EXPECT_EQ(error({{"query", "q"}, {"documents", {"a"}}, {"rank_fields", {"text"}}})["param"],
              "rank_fields");
    EXPECT_EQ(error({{"query", "q"}, {"documents", {"a"}}, {"model", "g448-q8_0"}})["code"],
              "wrong_model_type");
    EXPECT_EQ(error({{"query", "q"}, {"documents", {"a"}}, {"model", "nowhere"}}, 404)["code"],
              "model_not_found");
    EXPECT_EQ(api->handle({"POST", "/v1/rerank", {}, "{bad"}).status, 400);
    EXPECT_EQ(api->handle({"GET", "/v1/rerank", {}, ""}).status, 404);
    EXPECT_NE(api->handle({"GET", "/metrics", {}, ""}).body.find("endpoint=\"/v1/rerank\""),
              std::string::npos);
}

TEST(ApiRerank, AnUnsupportedFileIsRefusedNamingWhat) {
    Api api{ApiOptions{}};
    auto chat = LoadedModel::open(QE_GOLDEN_DIR "/g448-q8_0.gguf");
    auto runtime = one_thread_runtime(*chat);
    EXPECT_TRUE(
        test::throws_error([&] { api.set_rerank_model(std::move(chat), std::move(runtime)); },
                           {"g448-q8_0", "architecture qwen2", "only qwen3"}));
}

}  // namespace
}  // namespace qe
