#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "core/error.h"
#include "sampling/loop_guard.h"

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
