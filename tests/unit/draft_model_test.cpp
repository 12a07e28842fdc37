// Draft-model drafting on tiny synthetic models of the real Qwen tokenizer: a draft must tokenize
// as its target does (extra padding rows allowed), proposes its own greedy continuation whatever
// the target kept of its last proposals, and stays within the ids both models have.
#include "engine/draft_model.h"

#include <gtest/gtest.h>

#include <numeric>

#include "engine/session.h"
#include "sampling/logprobs.h"
#include "support/draft_pair.h"
#include "support/expect_error.h"
#include "tokenizer/vocab_difference.h"

namespace qe {
namespace {

using test::TinyModelSpec;
using test::write_tiny_model;

std::shared_ptr<const LoadedModel> open(const std::string& path) {
    return LoadedModel::open(path);
}

DraftOptions options(float min_chain = 0) {
    DraftOptions o;
    o.n_ctx = 256;
    o.n_threads = 1;
    o.min_chain_probability = min_chain;
    return o;
}

// The model's own greedy continuation of `sequence`, by a session of its own.
std::vector<int> greedy(const LoadedModel& m, std::vector<int> sequence, int count) {
    SessionOptions o;
    o.n_ctx = 256;
    o.n_threads = 1;
    Session session(m.config(), m.weights(), o);
    auto logits = session.eval(sequence);
    std::vector<int> out;
    for (int i = 0; i < count; ++i) {
        const int next = position_logprobs(logits, 1).top.at(0).id;
        out.push_back(next);
        logits = session.eval({&next, 1});
    }
    return out;
}

std::vector<int> join(std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

const std::vector<int> kPrompt = {785, 11, 1879, 0};

Vocab small_vocab() {
    Vocab v;
    v.tokens = {"a", "b", "ab", "<|im_end|>", "[PAD4]"};
    v.kinds = {TokenKind::kNormal, TokenKind::kNormal, TokenKind::kNormal, TokenKind::kControl,
               TokenKind::kUnused};
    v.merges = {{"a", "b"}};
    v.eos_id = 3;
    return v;
}

TEST(VocabDifference, NamesTheFirstDifference) {
    const Vocab a = small_vocab();
    EXPECT_EQ(vocab_difference(a, a), "");

    Vocab padded = a;  // more padding rows, other placeholder names: the same tokenizer
    padded.tokens[4] = "<unused>";
    padded.tokens.push_back("[PAD5]");
    padded.kinds.push_back(TokenKind::kUnused);
    EXPECT_EQ(vocab_difference(a, padded), "");
    EXPECT_EQ(vocab_difference(padded, a), "");

    Vocab extra = a;  // a real token beyond the other's rows
    extra.tokens.push_back("ba");
    extra.kinds.push_back(TokenKind::kNormal);
    EXPECT_EQ(vocab_difference(a, extra, "x", "y"), "token 5 \"ba\" is in y only (x has 5 tokens)");

    Vocab other = a;
    other.tokens[2] = "a\nb";
    EXPECT_EQ(vocab_difference(a, other, "x", "y"), "token 2 is \"ab\" in x, \"a\\x0ab\" in y");

    Vocab kind = a;
    kind.kinds[3] = TokenKind::kUserDefined;
    EXPECT_EQ(vocab_difference(a, kind, "x", "y"),
              "token 3 \"<|im_end|>\" is control in x, user-defined in y");

    Vocab merges = a;
    merges.merges[0] = {"b", "a"};
    EXPECT_EQ(vocab_difference(a, merges, "x", "y"),
              "merge rule 0 is \"a\" + \"b\" in x, \"b\" + \"a\" in y");
    merges.merges.push_back({"a", "b"});
    EXPECT_EQ(vocab_difference(a, merges, "x", "y"), "the merges differ: 1 rules in x, 2 in y");

    Vocab eos = a;
    eos.eos_id = 2;
    EXPECT_EQ(vocab_difference(a, eos, "x", "y"), "the eos id is 3 in x, 2 in y");
    Vocab split = a;
    split.split = SplitPattern::Qwen35;
    EXPECT_EQ(vocab_difference(a, split), "the pre-tokenizers differ");
}

TEST(DraftModel, RefusesADraftOfAnotherTokenizer) {
    const auto target = open(write_tiny_model("target", {}));
    // Qwen3's tokenizer has four added tokens more than Qwen2.5's, where Qwen2.5 pads.
    const auto qwen3 = open(write_tiny_model("qwen3", {.arch = synth::Arch::kQwen3}));
    EXPECT_TRUE(test::throws_error([&] { DraftModel(qwen3, *target, options()); },
                                   {"draft model", "does not share the tokenizer of",
                                    "\"<tool_response>\" in the draft model"}));
    // A vocabulary cut to more rows keeps more ordinary tokens where the other has its added
    // ones.
    const auto moved = open(write_tiny_model("moved", {.rows = test::kDraftTestRows + 128}));
    EXPECT_TRUE(
        test::throws_error([&] { DraftModel(moved, *target, options()); },
                           {"the bos id is 2048 in the draft model", ", 1920 in the model"}));
}

TEST(DraftModel, ProposesOnlyIdsBothModelsHave) {
    // The target has 128 padding rows more than the draft (Qwen2.5-7B over 0.5B).
    const auto target = open(write_tiny_model("target", {.seed = 1, .padding_rows = 128}));
    const auto draft = open(write_tiny_model("draft", {.seed = 2}));
    EXPECT_EQ(target->config().vocab_size, test::kDraftTestRows + 128);
    DraftModel model(draft, *target, options());
    auto drafter = model.factory()();
    const auto proposals = drafter->propose(kPrompt, 5);
    EXPECT_EQ(proposals, greedy(*draft, kPrompt, 5));
    for (const int id : proposals) EXPECT_LT(id, test::kDraftTestRows);
    // A target id the draft lacks: nothing to propose from it, then proposals again without it.
    const std::vector<int> with_padding = {785, test::kDraftTestRows + 3};
    EXPECT_TRUE(drafter->propose(with_padding, 5).empty());
    EXPECT_EQ(drafter->propose(kPrompt, 3), greedy(*draft, kPrompt, 3));

    // A draft with more rows than its target never proposes the target's missing ids.
    DraftModel wide(target, *draft, options());
    auto wide_drafter = wide.factory()();
    for (int n = 1; n <= 4; ++n) {
        std::vector<int> sequence(kPrompt.begin(), kPrompt.begin() + n);
        const auto p = wide_drafter->propose(sequence, 6);
        const auto g = greedy(*target, sequence, 6);
        size_t valid = 0;
        while (valid < g.size() && g[valid] < test::kDraftTestRows) ++valid;
        EXPECT_EQ(p, std::vector<int>(g.begin(), g.begin() + std::ptrdiff_t(valid)));
    }
}

TEST(DraftModel, FollowsTheSequenceWhateverTheTargetKept) {
    const auto target = open(write_tiny_model("target", {.seed = 1}));
    const auto draft = open(write_tiny_model("draft", {.seed = 2}));
    DraftModel model(draft, *target, options());
    auto drafter = model.factory()();
    std::vector<int> sequence = kPrompt;
    auto p = drafter->propose(sequence, 4);
    ASSERT_EQ(p, greedy(*draft, sequence, 4));
    // Every proposal accepted, then the target's own next token.
    sequence = join(sequence, p);
    sequence.push_back(77);
    p = drafter->propose(sequence, 4);
    ASSERT_EQ(p, greedy(*draft, sequence, 4));
    // The first two accepted, the third replaced.
    sequence = join(sequence, {p[0], p[1], p[2] == 5 ? 6 : 5});
    p = drafter->propose(sequence, 3);
    ASSERT_EQ(p, greedy(*draft, sequence, 3));
    // None accepted.
    sequence.push_back(p[0] == 8 ? 9 : 8);
    EXPECT_EQ(drafter->propose(sequence, 2), greedy(*draft, sequence, 2));
    // A sequence that shares only its start (a regenerated answer).
    const std::vector<int> other = {kPrompt[0], kPrompt[1], 300, 301};
    EXPECT_EQ(drafter->propose(other, 4), greedy(*draft, other, 4));
    // The same sequence again: nothing new to feed but its last id.
    EXPECT_EQ(drafter->propose(other, 4), greedy(*draft, other, 4));
}

TEST(DraftModel, ALaterJobContinuesFromAFinishedJobsState) {
    const auto target = open(write_tiny_model("target", {.seed = 1}));
    const auto draft = open(write_tiny_model("draft", {.seed = 2}));
    DraftModel model(draft, *target, options());
    std::vector<int> turn(40);
    std::iota(turn.begin(), turn.end(), 100);
    {
        auto first = model.factory()();
        EXPECT_EQ(first->propose(turn, 2), greedy(*draft, turn, 2));
    }
    const uint64_t passes = model.stats().passes;
    // The next turn repeats the first and adds to it: one pass feeds the new ids only.
    const std::vector<int> next = join(turn, {7, 8, 9});
    auto second = model.factory()();
    EXPECT_EQ(second->propose(next, 1), greedy(*draft, next, 1));
    EXPECT_EQ(model.stats().passes, passes + 1);
    EXPECT_EQ(model.stats().proposed, 3u);
}

TEST(DraftModel, StopsWhereTheChainGetsUnlikelyOrTheContextEnds) {
    const auto target = open(write_tiny_model("target", {.seed = 1}));
    const auto draft = open(write_tiny_model("draft", {.seed = 2}));
    // Noise weights are never sure of a token: a threshold of 1 stops before the first.
    DraftModel sure(draft, *target, options(1.0f));
    EXPECT_TRUE(sure.factory()()->propose(kPrompt, 4).empty());
    // A threshold between: stops where the product of the top probabilities falls below it.
    {
        SessionOptions so;
        so.n_ctx = 256;
        so.n_threads = 1;
        Session s(draft->config(), draft->weights(), so);
        auto logits = s.eval(kPrompt);
        const auto first = position_logprobs(logits, 1).top.at(0);
        const int id = first.id;
        const auto second = position_logprobs(s.eval({&id, 1}), 1).top.at(0);
        const float p1 = std::exp(first.logprob), p12 = p1 * std::exp(second.logprob);
        DraftModel between(draft, *target, options((p1 + p12) / 2));
        EXPECT_EQ(between.factory()()->propose(kPrompt, 4), std::vector<int>{id});
    }

    DraftOptions small = options();
    small.n_ctx = 8;
    DraftModel model(draft, *target, small);
    auto drafter = model.factory()();
    const std::vector<int> six = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(drafter->propose(six, 8).size(), 3u);  // positions 6 and 7, and one not evaluated
    const std::vector<int> nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    EXPECT_TRUE(drafter->propose(nine, 8).empty());
    EXPECT_TRUE(drafter->propose({}, 8).empty());
    EXPECT_TRUE(drafter->propose(six, 0).empty());
}

TEST(DraftModel, ThresholdIsTheCostOfAProposal) {
    // A draft of a third of the target's bytes: a proposal is worth it when it is right at least
    // a third of the time, plus the verification pass's extra row.
    EXPECT_NEAR(draft_threshold(1000, 3000), 1.0f / 3 + 0.1f, 1e-6);
    EXPECT_FLOAT_EQ(draft_threshold(3000, 3000), 1.0f);
    EXPECT_FLOAT_EQ(draft_threshold(1, 0), 1.0f);
}

}  // namespace
}  // namespace qe
