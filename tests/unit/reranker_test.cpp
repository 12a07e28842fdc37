// The Reranker on small synthetic Qwen3-Reranker files: each score is the sigmoid of the yes/no
// logit difference at the prompt's last position, computed here by hand from the model's hidden
// state of the prompt evaluated whole and alone; the shared prefix evaluated once changes no bit.
#include "engine/reranker.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/loaded_model.h"
#include "support/expect_error.h"
#include "support/reranker_model.h"

namespace qe {
namespace {

using test::RerankForm;

struct Fixture {
    explicit Fixture(const std::string& path)
        : model(LoadedModel::open(path)), runtime(model->config(), model->weights(), [] {
              RuntimeOptions o;
              o.n_threads = 1;
              return o;
          }()) {}
    std::unique_ptr<LoadedModel> model;
    Runtime runtime;
};

// Prompts sharing a 6-id prefix, of different lengths.
const std::vector<std::vector<int>> kPrompts = {{10, 11, 12, 13, 14, 15, 100, 101, 102},
                                                {10, 11, 12, 13, 14, 15, 200},
                                                {10, 11, 12, 13, 14, 15, 300, 301, 302, 303, 304},
                                                {10, 11, 12, 13, 14, 15, 16, 17}};

// The score by hand: the hidden state of the prompt alone, the two rows of the output head at
// Qwen's ids of "yes" (9693) and "no" (2152), their dot products and the sigmoid.
double by_hand(Fixture& f, const std::vector<int>& ids) {
    auto state = f.runtime.model().new_sequence(int(ids.size()), DType::F16);
    const SequenceChunk chunk{state.get(), ids, 0, false};
    const auto hidden = f.runtime.model().forward({&chunk, 1}, ForwardOutput::Hidden);
    const TensorView& head = f.model->weights().output;
    EXPECT_EQ(head.dtype, DType::F32);
    const auto* rows = static_cast<const float*>(head.data);
    const size_t dim = size_t(f.model->config().dim);
    double yes = 0, no = 0;
    for (size_t d = 0; d < dim; ++d) {
        yes += double(rows[9693 * dim + d]) * hidden[d];
        no += double(rows[2152 * dim + d]) * hidden[d];
    }
    return 1.0 / (1.0 + std::exp(no - yes));
}

TEST(Reranker, ScoreIsTheSigmoidOfYesMinusNoAtTheLastPosition) {
    Fixture f(test::write_reranker("full", RerankForm::kFullHead));
    Reranker r(f.runtime, read_rank_head(*f.model));
    const RerankScores got = r.score(kPrompts);
    ASSERT_EQ(got.scores.size(), kPrompts.size());
    int64_t tokens = 0;
    for (size_t i = 0; i < kPrompts.size(); ++i) {
        EXPECT_NEAR(got.scores[i], by_hand(f, kPrompts[i]), 1e-9) << i;
        EXPECT_GT(got.scores[i], 0.0);
        EXPECT_LT(got.scores[i], 1.0);
        tokens += int64_t(kPrompts[i].size());
    }
    EXPECT_EQ(got.tokens, tokens);
    EXPECT_EQ(got.evaluated, tokens - 3 * 6);  // the 6 shared ids once, not four times
}

TEST(Reranker, SharedPrefixEqualsEachPromptWholeAndAloneBitForBit) {
    Fixture f(test::write_reranker("full", RerankForm::kFullHead, true, "q8_0"));
    Reranker shared(f.runtime, read_rank_head(*f.model));
    RerankerOptions o;
    o.share_prefix = false;
    Reranker whole(f.runtime, read_rank_head(*f.model), o);
    o.max_pass_tokens = 1;  // one prompt per pass
    Reranker one_by_one(f.runtime, read_rank_head(*f.model), o);
    const RerankScores a = shared.score(kPrompts), b = whole.score(kPrompts),
                       c = one_by_one.score(kPrompts);
    EXPECT_EQ(a.scores, b.scores);
    EXPECT_EQ(b.scores, c.scores);
    EXPECT_EQ(b.evaluated, b.tokens);
    // Alone, a prompt shares nothing.
    EXPECT_EQ(shared.score(std::span(&kPrompts[1], 1)).scores[0], a.scores[1]);
}

TEST(Reranker, BothFileFormsScoreAlike) {
    for (const std::string type : {"f32", "q8_0"}) {
        Fixture full(test::write_reranker("full", RerankForm::kFullHead, true, type));
        Fixture cls(test::write_reranker("cls", RerankForm::kClsOutput, true, type));
        Reranker a(full.runtime, read_rank_head(*full.model));
        Reranker b(cls.runtime, read_rank_head(*cls.model));
        EXPECT_EQ(a.score(kPrompts).scores, b.score(kPrompts).scores) << type;
    }
}

TEST(Reranker, SharedPrefixLeavesEachPromptItsLastId) {
    using P = std::vector<std::vector<int>>;
    EXPECT_EQ(shared_prefix_length(P{}), 0u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2, 3}}), 2u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2, 3}, {1, 2, 3}}), 2u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2, 3, 4}, {1, 2, 5}}), 2u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2, 3, 4}, {1, 2}}), 1u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2}, {2, 2}}), 0u);
    EXPECT_EQ(shared_prefix_length(P{{1, 2}, {}}), 0u);
}

TEST(Reranker, BadPromptsNameTheirIndex) {
    Fixture f(test::write_reranker("full", RerankForm::kFullHead));
    RerankerOptions o;
    o.n_ctx = 10;
    Reranker r(f.runtime, read_rank_head(*f.model), o);
    EXPECT_EQ(r.n_ctx(), 10);
    try {
        r.score(kPrompts);  // prompt 2 has 11 ids
        FAIL() << "no error";
    } catch (const RerankInputError& e) {
        EXPECT_EQ(e.index, 2u);
        EXPECT_NE(std::string(e.what()).find("prompt 2 has 11 tokens"), std::string::npos)
            << e.what();
    }
    const std::vector<std::vector<int>> with_empty = {{1, 2}, {}};
    try {
        r.score(with_empty);
        FAIL() << "no error";
    } catch (const RerankInputError& e) {
        EXPECT_EQ(e.index, 1u);
    }
    const std::vector<std::vector<int>> out_of_vocab = {{1, f.model->config().vocab_size}};
    EXPECT_THROW(r.score(out_of_vocab), Error);
}

}  // namespace
}  // namespace qe
