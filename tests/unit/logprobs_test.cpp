// Log-probabilities of one position: the log-softmax of the raw logits, the top tokens best first
// without banned ones.
#include "sampling/logprobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace qe {
namespace {

TEST(Logprobs, LogSoftmaxOfASmallVocabulary) {
    const std::vector<float> logits{std::log(0.5f), std::log(0.25f), std::log(0.125f),
                                    std::log(0.125f)};
    const PositionLogprobs p = position_logprobs(logits, 3);
    EXPECT_NEAR(p.log_norm, 0.0, 1e-6);
    ASSERT_EQ(p.top.size(), 3u);
    EXPECT_EQ(p.top[0].id, 0);
    EXPECT_NEAR(p.top[0].logprob, std::log(0.5), 1e-6);
    EXPECT_EQ(p.top[1].id, 1);
    EXPECT_EQ(p.top[2].id, 2);  // ties: the lower id first
    EXPECT_NEAR(p.top[2].logprob, std::log(0.125), 1e-6);
}

TEST(Logprobs, TopOfALargeVocabularyMatchesAFullSort) {
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0, 4);
    std::vector<float> logits(151936);
    for (float& l : logits) l = noise(rng);
    const PositionLogprobs p = position_logprobs(logits, 20);
    std::vector<int> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 20, order.end(),
                      [&](int a, int b) { return logits[a] > logits[b]; });
    double sum = 0;
    for (float l : logits) sum += std::exp(double(l));
    ASSERT_EQ(p.top.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(p.top[i].id, order[i]);
        EXPECT_NEAR(p.top[i].logprob, double(logits[order[i]]) - std::log(sum), 1e-4);
    }
    // The probabilities of the whole vocabulary add up to one.
    double total = 0;
    for (float l : logits) total += std::exp(double(l) - p.log_norm);
    EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST(Logprobs, BannedTokensAreLeftOutAndZeroTopIsEmpty) {
    const std::vector<float> logits{1, 5, 3, 4};
    const PositionLogprobs p = position_logprobs(logits, 2, std::vector<int>{1});
    ASSERT_EQ(p.top.size(), 2u);
    EXPECT_EQ(p.top[0].id, 3);
    EXPECT_EQ(p.top[1].id, 2);
    EXPECT_TRUE(position_logprobs(logits, 0).top.empty());
    EXPECT_EQ(position_logprobs(logits, 10).top.size(), 4u);
}

}  // namespace
}  // namespace qe
