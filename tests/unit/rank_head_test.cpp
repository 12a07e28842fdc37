// The yes/no head of a reranker file, in both forms, and the errors for files that are no
// Qwen3-Reranker.
#include "model/rank_head.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/loaded_model.h"
#include "support/expect_error.h"
#include "support/reranker_model.h"

namespace qe {
namespace {

using test::GgufEdit;
using test::RerankForm;
namespace gv = gguf_value;

struct Rows {
    int yes, no;
};

// The ids of "yes" and "no" in the synthetic vocabulary (the real Qwen ids).
Rows yes_no(const LoadedModel& m) {
    return {m.tokenizer().encode("yes")[0], m.tokenizer().encode("no")[0]};
}

std::vector<float> row(const LoadedModel& m, const TensorView& t, int r) {
    EXPECT_EQ(t.dtype, DType::F32) << m.id();
    const float* p = static_cast<const float*>(t.data) + size_t(r) * size_t(t.cols());
    return {p, p + t.cols()};
}

TEST(RankHead, FullHeadFormTakesTheOutputRowsOfYesAndNo) {
    for (const bool tied : {true, false}) {
        const auto model =
            LoadedModel::open(test::write_reranker("full", RerankForm::kFullHead, tied));
        const RankHead h = read_rank_head(*model);
        const Rows ids = yes_no(*model);
        EXPECT_EQ(ids.yes, 9693);  // Qwen's ids, as llama.cpp's converter finds them
        EXPECT_EQ(ids.no, 2152);
        const TensorView& head = model->weights().output;
        EXPECT_EQ(head.name, tied ? "token_embd.weight" : "output.weight");
        EXPECT_EQ(h.yes, row(*model, head, ids.yes));
        EXPECT_EQ(h.no, row(*model, head, ids.no));
        EXPECT_EQ(h.yes_bias, 0.0f);
        EXPECT_NE(h.source.find("rows 9693 (yes) and 2152 (no)"), std::string::npos) << h.source;
    }
}

TEST(RankHead, ClsOutputFormHoldsTheSameRows) {
    for (const bool tied : {true, false}) {
        const auto full =
            LoadedModel::open(test::write_reranker("full", RerankForm::kFullHead, tied));
        const auto cls =
            LoadedModel::open(test::write_reranker("cls", RerankForm::kClsOutput, tied));
        EXPECT_EQ(cls->file().find("output.weight"), nullptr);  // dropped, as the converter does
        const RankHead a = read_rank_head(*full), b = read_rank_head(*cls);
        EXPECT_EQ(a.yes, b.yes);
        EXPECT_EQ(a.no, b.no);
        EXPECT_EQ(b.source, "cls.output.weight");
    }
}

TEST(RankHead, ScoreIsTheSigmoidOfTheLogitDifference) {
    RankHead h;
    h.yes = {1.0f, 2.0f};
    h.no = {0.5f, -1.0f};
    h.yes_bias = 0.25f;
    h.no_bias = -0.5f;
    const std::vector<float> x = {0.5f, 0.25f};
    // yes = 0.5 + 0.5 + 0.25 = 1.25, no = 0.25 - 0.25 - 0.5 = -0.5
    EXPECT_NEAR(h.score(x), 1.0 / (1.0 + std::exp(-1.75)), 1e-12);
}

TEST(RankHead, LabelsInTheOtherOrderAndABiasAreRead) {
    const std::string cls = test::write_reranker("cls", RerankForm::kClsOutput);
    const std::string swapped = test::test_file("swapped.gguf");
    const std::vector<float> bias = {0.5f, -0.25f};
    std::vector<uint8_t> bytes(8);
    std::memcpy(bytes.data(), bias.data(), 8);
    GgufEdit e;
    e.set.push_back({"qwen3.classifier.output_labels", gv::strings({"no", "yes"})});
    e.add_tensors.push_back({"cls.output.bias", DType::F32, {2}, bytes});
    test::rewrite_gguf(cls, swapped, e);
    const RankHead a = read_rank_head(*LoadedModel::open(cls));
    const RankHead b = read_rank_head(*LoadedModel::open(swapped));
    EXPECT_EQ(b.yes, a.no);
    EXPECT_EQ(b.no, a.yes);
    EXPECT_EQ(b.yes_bias, -0.25f);
    EXPECT_EQ(b.no_bias, 0.5f);
}

// The error of reading the head of `cls` edited by `e`.
::testing::AssertionResult refused(const GgufEdit& e, std::initializer_list<std::string_view> parts,
                                   RerankForm form = RerankForm::kClsOutput) {
    const std::string path = test::test_file("edited.gguf");
    test::rewrite_gguf(test::write_reranker("base", form), path, e);
    const auto model = LoadedModel::open(path);
    return test::throws_error([&] { read_rank_head(*model); }, parts);
}

const char* const kQwen2File = QE_GOLDEN_DIR "/g448-q8_0.gguf";

TEST(RankHead, UnsupportedFilesAreRefusedNamingWhat) {
    const auto qwen2 = LoadedModel::open(kQwen2File);
    EXPECT_TRUE(
        test::throws_error([&] { read_rank_head(*qwen2); }, {"architecture qwen2", "only qwen3"}));
    GgufEdit mean;
    mean.set.push_back({"qwen3.pooling_type", gv::u32(1)});
    EXPECT_TRUE(refused(mean, {"pooling_type 1 (mean)", "not a reranker's"}));
    GgufEdit wide;
    wide.drop_tensors.push_back("cls.output.weight");
    wide.add_tensors.push_back(
        {"cls.output.weight", DType::F32, {3, 64}, std::vector<uint8_t>(3 * 64 * 4)});
    EXPECT_TRUE(refused(wide, {"cls.output.weight is 3 x 64", "2-row"}));
    GgufEdit dense = {};
    dense.add_tensors.push_back(
        {"cls.weight", DType::F32, {64, 64}, std::vector<uint8_t>(64 * 64 * 4)});
    EXPECT_TRUE(refused(dense, {"cls.weight", "not supported"}));
    GgufEdit missing;
    missing.drop_tensors.push_back("cls.output.weight");
    EXPECT_TRUE(refused(missing, {"no cls.output.weight"}));
    GgufEdit labels;
    labels.set.push_back({"qwen3.classifier.output_labels", gv::strings({"good", "bad"})});
    EXPECT_TRUE(refused(labels, {"classifier.output_labels", "good"}));
}

}  // namespace
}  // namespace qe
