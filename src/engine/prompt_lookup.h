// Prompt-lookup drafting: proposes that the sequence goes on as it did after the last earlier
// place where its final tokens occurred (the longest such n-gram, from kMaxNgram tokens down to
// kMinNgram), in the prompt or the answer so far. No extra model: answers that quote their
// documents, edit code or fill a form repeat long stretches of the prompt.
//
// Cost: an index from each n-gram to the last position it ended at, extended by the tokens added
// since the last call, so a step costs O(kMaxNgram) whatever the prompt's length (the first call
// indexes the prompt once).
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/drafter.h"

namespace qe {

class PromptLookupDrafter : public Drafter {
  public:
    static constexpr int kMaxNgram = 4;
    static constexpr int kMinNgram = 2;
    static constexpr int kMaxDraft = 7;
    static constexpr int kStartDraft = 4;

    std::vector<int> propose(std::span<const int> sequence, int max) override;
    // Adaptive draft length: one more after a fully accepted draft, back to what was accepted
    // plus one after a rejection (1..kMaxDraft).
    void feedback(int proposed, int accepted) override;

    int draft_length() const { return draft_length_; }

  private:
    void index_up_to(std::span<const int> sequence, size_t end);
    static uint64_t key(std::span<const int> ngram);

    static constexpr size_t kCheck = 8;
    size_t seen_ = 0;     // the length of the last sequence proposed for
    int tail_[kCheck]{};  // its last tokens (fewer when shorter)
    size_t indexed_ = 0;  // the n-grams ending before this position are in last_end_
    // Per n-gram size: the n-gram's key -> the position just after its latest occurrence.
    std::unordered_map<uint64_t, int> last_end_[kMaxNgram + 1];
    int draft_length_ = kStartDraft;
};

// The factory of the scheduler's default drafter.
DrafterFactory prompt_lookup_drafters();

}  // namespace qe
