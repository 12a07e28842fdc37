#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "core/error.h"
#include "sampling/loop_guard.h"
#include "support/chi_square.h"

namespace qe {
namespace {

// Logits whose softmax at temperature 1 is exactly `probs`.
std::vector<float> logits_for(const std::vector<double>& probs) {
    std::vector<float> l;
    for (double p : probs) l.push_back(p > 0 ? float(std::log(p)) : -INFINITY);
    return l;
}

std::map<int, double> frequencies(SamplingParams p, const std::vector<float>& logits, int draws,
                                  std::vector<int> history = {}) {
    Sampler s(p);
    std::map<int, double> f;
    for (int i = 0; i < draws; ++i) f[s.sample(logits, history)] += 1.0 / draws;
    return f;
}

SamplingParams plain() {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.repetition_penalty = 1.0f;
    p.seed = 42;
    return p;
}

TEST(Sampler, GreedyAtTemperatureZero) {
    SamplingParams p = plain();
    p.temperature = 0;
    Sampler s(p);
    EXPECT_EQ(s.sample(std::vector<float>{0.1f, 3.0f, 2.9f, -1.0f}, {}), 1);
}

TEST(Sampler, BannedTokensAreNeverDrawn) {
    const std::vector<float> logits{0.1f, 3.0f, 2.9f, -1.0f};
    SamplingParams p = plain();
    p.temperature = 0;
    Sampler greedy(p);
    greedy.ban({1, 99, -5});  // ids outside the vocabulary are ignored
    EXPECT_EQ(greedy.sample(logits, {}), 2);

    p.temperature = 1.0f;
    Sampler s(p);
    s.ban({1, 2});
    for (int i = 0; i < 200; ++i) {
        const int id = s.sample(logits, {});
        EXPECT_TRUE(id == 0 || id == 3) << id;
    }
}

TEST(Sampler, SameSeedSameSequence) {
    const auto logits = logits_for({0.2, 0.2, 0.2, 0.2, 0.2});
    SamplingParams p = plain();
    Sampler a(p), b(p);
    p.seed = 43;
    Sampler c(p);
    std::vector<int> sa, sb, sc;
    for (int i = 0; i < 64; ++i) {
        sa.push_back(a.sample(logits, {}));
        sb.push_back(b.sample(logits, {}));
        sc.push_back(c.sample(logits, {}));
    }
    EXPECT_EQ(sa, sb);
    EXPECT_NE(sa, sc);
}

TEST(Sampler, DrawsFollowTheDistribution) {
    const auto f = frequencies(plain(), logits_for({0.5, 0.3, 0.2}), 20000);
    EXPECT_NEAR(f.at(0), 0.5, 0.02);
    EXPECT_NEAR(f.at(1), 0.3, 0.02);
    EXPECT_NEAR(f.at(2), 0.2, 0.02);
}

TEST(Sampler, TemperatureSharpensAndFlattens) {
    const auto logits = logits_for({0.6, 0.4});
    SamplingParams p = plain();
    p.temperature = 0.5f;  // p ∝ prob^2: 0.36 : 0.16
    EXPECT_NEAR(frequencies(p, logits, 20000).at(0), 0.36 / 0.52, 0.02);
    p.temperature = 2.0f;  // p ∝ sqrt(prob)
    const double a = std::sqrt(0.6), b = std::sqrt(0.4);
    EXPECT_NEAR(frequencies(p, logits, 20000).at(0), a / (a + b), 0.02);
}

TEST(Sampler, TopKKeepsOnlyTheKMostLikely) {
    SamplingParams p = plain();
    p.top_k = 2;
    const auto f = frequencies(p, logits_for({0.1, 0.4, 0.1, 0.3, 0.1}), 20000);
    EXPECT_EQ(f.size(), 2u);
    EXPECT_NEAR(f.at(1), 4.0 / 7.0, 0.02);
    EXPECT_NEAR(f.at(3), 3.0 / 7.0, 0.02);
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
    SamplingParams p = plain();
    p.top_p = 0.75f;  // 0.5 + 0.3 reaches it: two tokens survive
    const auto f = frequencies(p, logits_for({0.5, 0.3, 0.15, 0.05}), 20000);
    EXPECT_EQ(f.size(), 2u);
    EXPECT_NEAR(f.at(0), 0.5 / 0.8, 0.02);
}

TEST(Sampler, TopPOverALargeVocabulary) {
    // 151936 near-equal logits: the partial selection must still find a set of mass 0.5.
    std::vector<float> logits(151936, 0.0f);
    logits[7] = 20.0f;  // ~ all the mass
    SamplingParams p = plain();
    p.top_p = 0.5f;
    EXPECT_EQ(frequencies(p, logits, 50).size(), 1u);
    logits[7] = 0.0f;
    p.top_p = 0.01f;  // ~1519 tokens needed
    Sampler s(p);
    EXPECT_GE(s.sample(logits, {}), 0);
}

TEST(Sampler, MinPDropsTokensFarBelowTheBest) {
    SamplingParams p = plain();
    p.min_p = 0.5f;  // keep tokens with prob >= 0.5 * 0.4
    const auto f = frequencies(p, logits_for({0.4, 0.3, 0.19, 0.11}), 20000);
    EXPECT_EQ(f.size(), 2u);
    EXPECT_TRUE(f.count(0) && f.count(1));
}

TEST(Sampler, RepetitionPenaltyActsOnTheWindowOnly) {
    SamplingParams p = plain();
    p.temperature = 0;
    p.repetition_penalty = 2.0f;
    p.penalty_window = 2;
    Sampler s(p);
    const std::vector<float> logits{3.0f, 2.0f, -1.0f};
    EXPECT_EQ(s.sample(logits, std::vector<int>{0}), 1);        // 3/2 < 2
    EXPECT_EQ(s.sample(logits, std::vector<int>{0, 5, 5}), 0);  // 0 is outside the window
}

TEST(Sampler, PresenceAndFrequencyPenalties) {
    SamplingParams p = plain();
    p.temperature = 0;
    p.repetition_penalty = 1.0f;
    p.frequency_penalty = 0.6f;
    Sampler s(p);
    const std::vector<float> logits{2.0f, 1.0f};
    EXPECT_EQ(s.sample(logits, std::vector<int>{0}), 0);     // 2 - 0.6 > 1
    EXPECT_EQ(s.sample(logits, std::vector<int>{0, 0}), 1);  // 2 - 1.2 < 1
    p.frequency_penalty = 0;
    p.presence_penalty = 1.5f;
    Sampler t(p);
    EXPECT_EQ(t.sample(logits, std::vector<int>{0}), 1);
}

TEST(Sampler, RejectsOutOfRangeParameters) {
    SamplingParams p;
    p.top_p = 0;
    EXPECT_THROW(Sampler{p}, Error);
    p = SamplingParams{};
    p.temperature = -1;
    EXPECT_THROW(Sampler{p}, Error);
    p = SamplingParams{};
    p.temperature = NAN;
    EXPECT_THROW(Sampler{p}, Error);
}

// Speculative decoding's acceptance rule: whatever the proposal, verify() draws each token with
// the probability sample() gives it. 10^6 seeded draws per case, chi-square goodness of fit at
// significance 0.001 (deterministic: the seeds are fixed).
struct VerifyCase {
    const char* name;
    std::vector<double> probs;  // at temperature 1
    int top_k = 0;
    float top_p = 1.0f;
    int proposal;
    std::map<int, double> expected;  // the final distribution after the cuts
};

TEST(SamplerVerify, OutputIsDistributedAsSampling) {
    const std::vector<double> probs{0.4, 0.25, 0.15, 0.1, 0.06, 0.04};
    const std::map<int, double> full{{0, 0.4}, {1, 0.25}, {2, 0.15},
                                     {3, 0.1}, {4, 0.06}, {5, 0.04}};
    const std::map<int, double> top3{{0, 0.4 / 0.8}, {1, 0.25 / 0.8}, {2, 0.15 / 0.8}};
    const std::vector<VerifyCase> cases = {
        {"high probability", probs, 0, 1.0f, 0, full},
        {"low probability", probs, 0, 1.0f, 5, full},
        {"zero probability", {0.5, 0.3, 0.2, 0.0}, 0, 1.0f, 3, {{0, 0.5}, {1, 0.3}, {2, 0.2}}},
        {"inside top-k", probs, 3, 1.0f, 2, top3},
        {"cut by top-k", probs, 3, 1.0f, 4, top3},
        {"inside top-p", probs, 0, 0.75f, 1, top3},  // 0.4 + 0.25 + 0.15 reaches 0.75
        {"cut by top-p", probs, 0, 0.75f, 3, top3},
        {"outside the vocabulary", probs, 0, 1.0f, 99, full},
    };
    const long n = 1000000;
    for (size_t k = 0; k < cases.size(); ++k) {
        const VerifyCase& c = cases[k];
        SamplingParams p = plain();
        p.top_k = c.top_k;
        p.top_p = c.top_p;
        p.seed = 1000 + k;
        Sampler s(p);
        const auto logits = logits_for(c.probs);
        std::map<int, long> observed;
        for (long i = 0; i < n; ++i) ++observed[s.verify(logits, {}, c.proposal)];
        const test::ChiSquare fit = test::goodness_of_fit(observed, c.expected, n);
        EXPECT_TRUE(fit.passes()) << c.name << ": chi-square " << fit.statistic << " with "
                                  << fit.df << " degrees of freedom, critical "
                                  << test::chi_square_critical(fit.df);
    }
}

TEST(SamplerVerify, WrongRuleIsCaught) {
    // The test above can fail: always keeping a proposal of probability 0.25 is far from p.
    const std::map<int, double> expected{{0, 0.5}, {1, 0.25}, {2, 0.25}};
    std::map<int, long> biased{{0, 400000}, {1, 350000}, {2, 250000}};
    EXPECT_FALSE(test::goodness_of_fit(biased, expected, 1000000).passes());
}

TEST(SamplerVerify, GreedyIsTheArgmaxAsSampleGivesIt) {
    SamplingParams p = plain();
    p.temperature = 0;
    p.repetition_penalty = 1.5f;
    Sampler s(p);
    const std::vector<float> logits{2.0f, 2.5f, 1.0f, -3.0f};
    const std::vector<int> history{1};  // 2.5 / 1.5 < 2: the penalty moves the argmax to 0
    for (int proposal : {0, 1, 2, 7})
        EXPECT_EQ(s.verify(logits, history, proposal), s.sample(logits, history));
    s.ban({0});
    EXPECT_EQ(s.verify(logits, history, 0), 1);
}

TEST(SamplerVerify, ABannedProposalIsNeverKept) {
    Sampler s(plain());
    s.ban({2});
    const auto logits = logits_for({0.1, 0.1, 0.8});
    for (int i = 0; i < 2000; ++i) EXPECT_NE(s.verify(logits, {}, 2), 2);
}

TEST(SamplerVerify, SameSeedSameSequence) {
    const auto logits = logits_for({0.3, 0.3, 0.2, 0.2});
    SamplingParams p = plain();
    Sampler a(p), b(p);
    std::vector<int> sa, sb;
    for (int i = 0; i < 200; ++i) {
        sa.push_back(a.verify(logits, {}, i % 4));
        sb.push_back(b.verify(logits, {}, i % 4));
    }
    EXPECT_EQ(sa, sb);
}

TEST(LoopGuard, FindsRepeatedUnits) {
    LoopGuardParams g;
    std::vector<int> tokens;
    for (int i = 0; i < 20; ++i) tokens.push_back(i);  // a varied start
    EXPECT_FALSE(ends_in_loop(tokens, g));
    for (int r = 0; r < 16; ++r)
        for (int t : {100, 101, 102, 103}) tokens.push_back(t);  // 64 tokens of one 4-gram
    EXPECT_TRUE(ends_in_loop(tokens, g));
    tokens.push_back(7);  // broken loop
    EXPECT_FALSE(ends_in_loop(tokens, g));
    g.enabled = false;
    tokens.pop_back();
    EXPECT_FALSE(ends_in_loop(tokens, g));
}

TEST(LoopGuard, LongUnitsNeedEnoughRepeats) {
    LoopGuardParams g;
    std::vector<int> line;
    for (int i = 0; i < 40; ++i) line.push_back(1000 + i);
    std::vector<int> tokens;
    for (int r = 0; r < 3; ++r) tokens.insert(tokens.end(), line.begin(), line.end());
    EXPECT_FALSE(ends_in_loop(tokens, g));  // three times is not yet a loop
    tokens.insert(tokens.end(), line.begin(), line.end());
    EXPECT_TRUE(ends_in_loop(tokens, g));
}

}  // namespace
}  // namespace qe
