#include "engine/prompt_lookup.h"

#include <algorithm>

namespace qe {

uint64_t PromptLookupDrafter::key(std::span<const int> ngram) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the ids
    for (const int id : ngram) {
        h ^= uint64_t(uint32_t(id));
        h *= 0x100000001b3ull;
    }
    return h;
}

// Records the n-grams ending at every position before `end` not yet recorded: each then points
// past its latest occurrence, where a continuation can be read.
void PromptLookupDrafter::index_up_to(std::span<const int> sequence, size_t end) {
    for (; indexed_ < end; ++indexed_) {
        const size_t stop = indexed_ + 1;  // the n-gram ends just before `stop`
        for (int n = kMinNgram; n <= kMaxNgram && size_t(n) <= stop; ++n)
            last_end_[n][key(sequence.subspan(stop - size_t(n), size_t(n)))] = int(stop);
    }
}

std::vector<int> PromptLookupDrafter::propose(std::span<const int> sequence, int max) {
    max = std::min(max, draft_length_);
    // A sequence that does not continue the one indexed (a new job reusing the drafter) starts
    // the index again; its last few tokens tell, in constant time.
    const size_t check = std::min(seen_, kCheck);
    const bool extends = sequence.size() >= seen_ &&
                         std::equal(tail_, tail_ + check, sequence.begin() + (seen_ - check));
    if (!extends) {
        indexed_ = 0;
        for (auto& m : last_end_) m.clear();
    }
    seen_ = sequence.size();
    std::copy(sequence.end() - std::min(seen_, kCheck), sequence.end(), tail_);
    const size_t len = sequence.size();
    if (max <= 0 || len < size_t(kMinNgram) + 1) return {};
    // Every n-gram with at least one token after it; the final one is what we look up.
    index_up_to(sequence, len - 1);
    for (int n = int(std::min<size_t>(kMaxNgram, len - 1)); n >= kMinNgram; --n) {
        const auto tail = sequence.subspan(len - size_t(n), size_t(n));
        const auto it = last_end_[n].find(key(tail));
        if (it == last_end_[n].end()) continue;
        const size_t from = size_t(it->second);
        // A hash collision is told apart by the tokens themselves.
        if (!std::equal(tail.begin(), tail.end(), sequence.begin() + (from - size_t(n)))) continue;
        const size_t count = std::min(size_t(max), len - from);
        return {sequence.begin() + from, sequence.begin() + from + count};
    }
    return {};
}

void PromptLookupDrafter::feedback(int proposed, int accepted) {
    if (proposed <= 0) return;
    if (accepted >= proposed)
        draft_length_ = std::min(kMaxDraft, draft_length_ + 1);
    else
        draft_length_ = std::clamp(accepted + 1, 1, kMaxDraft);
}

DrafterFactory prompt_lookup_drafters() {
    return [] { return std::make_unique<PromptLookupDrafter>(); };
}

}  // namespace qe
