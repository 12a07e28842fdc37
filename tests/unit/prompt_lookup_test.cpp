// The prompt-lookup drafter: the continuation of the longest, latest n-gram match of the
// sequence's end, nothing without a match, the incremental index equal to a search from scratch,
// and the adaptive draft length.
#include "engine/prompt_lookup.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace qe {
namespace {

using Ids = std::vector<int>;

// The rule by brute force: for n from the longest down, the latest earlier place where the last
// n tokens occur, and what followed it.
Ids by_search(const Ids& s, int max) {
    const int len = int(s.size());
    for (int n = std::min(PromptLookupDrafter::kMaxNgram, len - 1);
         n >= PromptLookupDrafter::kMinNgram; --n) {
        for (int stop = len - 1; stop >= n; --stop) {
            if (!std::equal(s.end() - n, s.end(), s.begin() + (stop - n))) continue;
            return Ids(s.begin() + stop, s.begin() + std::min(len, stop + max));
        }
    }
    return {};
}

TEST(PromptLookup, ProposesWhatFollowedTheLongestMatch) {
    PromptLookupDrafter d;
    // "7 8" occurs late (followed by 50), "6 7 8" earlier (followed by 9 10 11): the longer wins.
    const Ids s{1, 6, 7, 8, 9, 10, 11, 12, 40, 7, 8, 50, 60, 6, 7, 8};
    EXPECT_EQ(d.propose(s, 3), (Ids{9, 10, 11}));
}

TEST(PromptLookup, TheLatestOfEqualMatchesWins) {
    PromptLookupDrafter d;
    const Ids s{5, 6, 1, 2, 3, 5, 6, 4, 4, 4, 5, 6};
    EXPECT_EQ(d.propose(s, 2), (Ids{4, 4}));
}

TEST(PromptLookup, NothingWithoutAMatch) {
    PromptLookupDrafter d;
    EXPECT_TRUE(d.propose(Ids{1, 2, 3, 4, 5, 6}, 7).empty());
    EXPECT_TRUE(d.propose(Ids{1}, 7).empty());
    EXPECT_TRUE(d.propose(Ids{}, 7).empty());
    // A single repeated token is not enough (n-grams of one are not looked up).
    EXPECT_TRUE(d.propose(Ids{1, 2, 3, 4, 5, 6, 9, 3}, 7).empty());
}

TEST(PromptLookup, BoundedByMaxTheDraftLengthAndTheSequence) {
    PromptLookupDrafter d;
    const Ids s{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2};
    EXPECT_EQ(d.propose(s, 2), (Ids{3, 4}));
    EXPECT_EQ(int(d.propose(s, 7).size()), PromptLookupDrafter::kStartDraft);
    EXPECT_TRUE(d.propose(s, 0).empty());
    PromptLookupDrafter e;
    EXPECT_EQ(e.propose(Ids{1, 2, 3, 1, 2}, 7), (Ids{3, 1, 2}));  // up to the end
}

TEST(PromptLookup, DraftLengthAdapts) {
    PromptLookupDrafter d;
    EXPECT_EQ(d.draft_length(), PromptLookupDrafter::kStartDraft);
    for (int i = 0; i < 10; ++i) d.feedback(d.draft_length(), d.draft_length());
    EXPECT_EQ(d.draft_length(), PromptLookupDrafter::kMaxDraft);
    d.feedback(7, 2);
    EXPECT_EQ(d.draft_length(), 3);
    d.feedback(3, 0);
    EXPECT_EQ(d.draft_length(), 1);
    d.feedback(1, 0);
    EXPECT_EQ(d.draft_length(), 1);  // never below one
    d.feedback(0, 0);                // nothing proposed: no change
    EXPECT_EQ(d.draft_length(), 1);
    d.feedback(1, 1);
    EXPECT_EQ(d.draft_length(), 2);
}

TEST(PromptLookup, TheIncrementalIndexAgreesWithASearchFromScratch) {
    // A sequence growing token by token over a small alphabet (many matches, many collisions of
    // the short n-grams), then a new unrelated sequence through the same drafter.
    std::mt19937 rng(3);
    for (int round = 0; round < 2; ++round) {
        PromptLookupDrafter d;
        Ids s;
        for (int i = 0; i < 600; ++i) {
            s.push_back(int(rng() % (round == 0 ? 5 : 40)));
            for (int k = 0; k < 10; ++k)
                d.feedback(PromptLookupDrafter::kMaxDraft, PromptLookupDrafter::kMaxDraft);
            ASSERT_EQ(d.propose(s, 7), by_search(s, 7)) << "round " << round << " length " << i;
        }
        Ids other(s.begin() + 100, s.begin() + 180);  // not an extension: the index starts over
        EXPECT_EQ(d.propose(other, 7), by_search(other, 7));
    }
}

}  // namespace
}  // namespace qe
