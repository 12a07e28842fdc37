// The embedding service on a golden Qwen3 file: last-token pooling of the final-normed hidden
// state, L2-normalised; many inputs in one pass give the vectors of one at a time, bit for bit.
#include "engine/embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include "model/loaded_model.h"
#include "support/expect_error.h"
#include "support/small_hf_model.h"

namespace qe {
namespace {

struct Fixture {
    std::unique_ptr<LoadedModel> model =
        LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf");
    Runtime runtime{model->config(), model->weights(), [] {
                        RuntimeOptions o;
                        o.n_threads = 2;
                        return o;
                    }()};
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

const std::vector<std::vector<int>> kInputs = {
    {970, 11, 1879, 0}, {785, 672, 315, 962, 374}, {42}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};

double norm(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += double(x) * x;
    return std::sqrt(s);
}

TEST(Embedder, FileWithoutPoolingKeyIsLastTokenWithEndOfTextAppended) {
    Fixture& f = fixture();
    const EmbedderOptions o = embedder_options(*f.model);
    EXPECT_EQ(o.pooling, Pooling::Last);
    const int eot = f.model->tokenizer().find_added("<|endoftext|>");
    ASSERT_GE(eot, 0);
    EXPECT_EQ(o.end_id, eot);
    Embedder e(f.runtime, o);
    EXPECT_EQ(e.prepare(std::vector<int>{5, 6}), (std::vector<int>{5, 6, eot}));
    EXPECT_EQ(e.prepare(std::vector<int>{5, eot}), (std::vector<int>{5, eot}));  // already there
}

TEST(Embedder, PoolingFromTheFileKey) {
    EXPECT_EQ(pooling_from_gguf(std::nullopt), Pooling::Last);
    EXPECT_EQ(pooling_from_gguf(3), Pooling::Last);
    EXPECT_EQ(pooling_from_gguf(1), Pooling::Mean);
    EXPECT_TRUE(test::throws_error([&] { pooling_from_gguf(2); }, {"cls"}));
    EXPECT_TRUE(test::throws_error([&] { pooling_from_gguf(4); }, {"rank"}));
    EXPECT_TRUE(test::throws_error([&] { pooling_from_gguf(0); }, {"none"}));
    EXPECT_TRUE(test::throws_error([&] { pooling_from_gguf(9); }, {"unknown"}));
}

// A sentence-transformers folder: modules.json names the pooling module, whose config.json has
// one pooling_mode_* on.
void write_pooling_module(const std::filesystem::path& folder, const std::string& mode) {
    std::filesystem::create_directories(folder / "1_Pooling");
    std::ofstream(folder / "modules.json")
        << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},)"
        << R"({"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},)"
        << R"({"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}])";
    nlohmann::json config = {{"word_embedding_dimension", 64},
                             {"pooling_mode_cls_token", false},
                             {"pooling_mode_mean_tokens", false},
                             {"pooling_mode_lasttoken", false},
                             {"include_prompt", true}};
    config["pooling_mode_" + mode] = true;
    std::ofstream(folder / "1_Pooling" / "config.json") << config.dump();
}

TEST(Embedder, PoolingFromASentenceTransformersFolder) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "qe_embedder_pooling_module";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    EXPECT_EQ(pooling_from_hf_folder(dir), std::nullopt);  // no modules.json
    write_pooling_module(dir, "lasttoken");
    EXPECT_EQ(pooling_from_hf_folder(dir), Pooling::Last);
    write_pooling_module(dir, "mean_tokens");
    EXPECT_EQ(pooling_from_hf_folder(dir), Pooling::Mean);
    write_pooling_module(dir, "cls_token");
    EXPECT_TRUE(test::throws_error([&] { pooling_from_hf_folder(dir); },
                                   {"1_Pooling", "config.json", "\"cls_token\" is not supported"}));
    std::ofstream(dir / "modules.json") << R"({"not": "a list"})";
    EXPECT_TRUE(test::throws_error([&] { pooling_from_hf_folder(dir); }, {"modules.json"}));
    std::ofstream(dir / "modules.json")
        << R"([{"path":"../elsewhere","type":"sentence_transformers.models.Pooling"}])";
    EXPECT_TRUE(test::throws_error([&] { pooling_from_hf_folder(dir); }, {"no usable"}));
    std::filesystem::remove_all(dir);
}

TEST(Embedder, AHuggingFaceFolderSaysItsPooling) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "qe_embedder_hf_folder";
    test::write_small_hf_model(dir, "{{ messages }}");
    {
        // No pooling module: last token, with the <|endoftext|> the tokenizer would append.
        auto model = LoadedModel::open(dir.string());
        const EmbedderOptions o = embedder_options(*model);
        EXPECT_EQ(o.pooling, Pooling::Last);
        EXPECT_GE(o.end_id, 0);
        EXPECT_EQ(o.end_id, model->tokenizer().find_added("<|endoftext|>"));
    }
    write_pooling_module(dir, "mean_tokens");
    {
        auto model = LoadedModel::open(dir.string());
        const EmbedderOptions o = embedder_options(*model);
        EXPECT_EQ(o.pooling, Pooling::Mean);
        EXPECT_EQ(o.end_id, -1);
    }
    std::filesystem::remove_all(dir);
}

TEST(Embedder, EmbeddingIsTheLastHiddenStateNormalised) {
    Fixture& f = fixture();
    const EmbedderOptions o = embedder_options(*f.model);
    Embedder e(f.runtime, o);
    const Embeddings got = e.embed(kInputs);
    ASSERT_EQ(got.vectors.size(), kInputs.size());
    int64_t tokens = 0;
    for (size_t i = 0; i < kInputs.size(); ++i) {
        std::vector<int> ids = kInputs[i];
        ids.push_back(o.end_id);
        tokens += int64_t(ids.size());
        auto state = f.runtime.model().new_sequence(int(ids.size()), DType::F16);
        const SequenceChunk chunk{state.get(), ids, 0, false};
        const auto hidden = f.runtime.model().forward({&chunk, 1}, ForwardOutput::Hidden);
        const int dim = f.model->config().dim;
        ASSERT_EQ(hidden.size(), size_t(dim));
        double n = 0;
        for (float x : hidden) n += double(x) * x;
        n = std::sqrt(n);
        ASSERT_EQ(got.vectors[i].size(), size_t(dim));
        for (int d = 0; d < dim; ++d)
            EXPECT_NEAR(got.vectors[i][size_t(d)], hidden[size_t(d)] / n, 1e-6) << i << " " << d;
        EXPECT_NEAR(norm(got.vectors[i]), 1.0, 1e-5);
    }
    EXPECT_EQ(got.tokens, tokens);
}

TEST(Embedder, ManyInputsInOnePassEqualOneByOneBitForBit) {
    Fixture& f = fixture();
    for (const Pooling pooling : {Pooling::Last, Pooling::Mean}) {
        EmbedderOptions o = embedder_options(*f.model);
        o.pooling = pooling;
        Embedder all(f.runtime, o);
        const Embeddings together = all.embed(kInputs);
        o.max_pass_tokens = 1;  // one input per pass
        Embedder one(f.runtime, o);
        for (size_t i = 0; i < kInputs.size(); ++i) {
            const Embeddings alone = one.embed(std::span(&kInputs[i], 1));
            EXPECT_EQ(alone.vectors[0], together.vectors[i]) << "input " << i;
        }
        const Embeddings split = one.embed(kInputs);
        EXPECT_EQ(split.vectors, together.vectors);
    }
}

TEST(Embedder, MeanPoolingAveragesEveryPosition) {
    Fixture& f = fixture();
    EmbedderOptions o;
    o.pooling = Pooling::Mean;
    Embedder e(f.runtime, o);
    const std::vector<int> ids = kInputs[1];
    const Embeddings got = e.embed(std::span(&ids, 1));
    auto state = f.runtime.model().new_sequence(int(ids.size()), DType::F16);
    const SequenceChunk chunk{state.get(), ids, 0, true};
    const auto hidden = f.runtime.model().forward({&chunk, 1}, ForwardOutput::Hidden);
    const size_t dim = size_t(f.model->config().dim);
    std::vector<float> mean(dim);
    for (size_t d = 0; d < dim; ++d) {
        double s = 0;
        for (size_t t = 0; t < ids.size(); ++t) s += hidden[t * dim + d];
        mean[d] = float(s / double(ids.size()));
    }
    l2_normalize(mean);
    for (size_t d = 0; d < dim; ++d) EXPECT_NEAR(got.vectors[0][d], mean[d], 1e-6);
}

TEST(Embedder, DimensionsKeepTheFirstValuesRenormalised) {
    Fixture& f = fixture();
    Embedder e(f.runtime, embedder_options(*f.model));
    const Embeddings full = e.embed(kInputs);
    const Embeddings cut = e.embed(kInputs, 16);
    for (size_t i = 0; i < kInputs.size(); ++i) {
        ASSERT_EQ(cut.vectors[i].size(), 16u);
        std::vector<float> want(full.vectors[i].begin(), full.vectors[i].begin() + 16);
        l2_normalize(want);
        for (size_t d = 0; d < 16; ++d) EXPECT_NEAR(cut.vectors[i][d], want[d], 1e-6);
        EXPECT_NEAR(norm(cut.vectors[i]), 1.0, 1e-5);
    }
    EXPECT_TRUE(test::throws_error([&] { e.embed(kInputs, e.dim() + 1); }, {"dimensions"}));
}

TEST(Embedder, BadInputsNameTheirIndex) {
    Fixture& f = fixture();
    EmbedderOptions o = embedder_options(*f.model);
    o.n_ctx = 8;
    Embedder e(f.runtime, o);
    try {
        e.embed(kInputs);  // input 3: 12 ids + <|endoftext|>
        FAIL() << "no error";
    } catch (const EmbeddingInputError& err) {
        EXPECT_EQ(err.index, 3u);
        EXPECT_NE(std::string(err.what()).find("input 3 has 13 tokens"), std::string::npos)
            << err.what();
    }
    const std::vector<std::vector<int>> with_empty = {{1}, {}};
    try {
        e.embed(with_empty);
        FAIL() << "no error";
    } catch (const EmbeddingInputError& err) {
        EXPECT_EQ(err.index, 1u);
    }
    const std::vector<std::vector<int>> out_of_vocab = {{f.model->config().vocab_size}};
    EXPECT_THROW(e.embed(out_of_vocab), Error);
}

}  // namespace
}  // namespace qe
