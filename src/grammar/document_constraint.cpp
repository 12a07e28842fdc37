#include "grammar/document_constraint.h"

#include <algorithm>
#include <limits>

namespace qe::grammar {

DocumentConstraint::DocumentConstraint(std::shared_ptr<TokenMasker> masker,
                                       std::vector<int32_t> end_ids, uint32_t max_tokens,
                                       int32_t open_after)
    : masker_(std::move(masker)),
      end_ids_(std::move(end_ids)),
      matcher_(masker_->shared_grammar()),
      remaining_(max_tokens),
      open_after_(open_after),
      waiting_(open_after >= 0) {}

bool DocumentConstraint::is_end(int32_t token) const {
    return std::find(end_ids_.begin(), end_ids_.end(), token) != end_ids_.end();
}

const TokenBits& DocumentConstraint::allowed() {
    if (bits_fresh_) return bits_;
    bits_fresh_ = true;
    const size_t words = (size_t(masker_->trie().vocab_size()) + 63) / 64;
    if (waiting_) {
        // Thinking: anything, until the budget must go to the document.
        const bool must_open = remaining_ <= add_saturated(matcher_.distance(), 1);
        bits_.assign(words, must_open ? 0 : ~uint64_t(0));
        if (must_open && size_t(open_after_) / 64 < words) {
            bits_[size_t(open_after_) / 64] |= uint64_t(1) << (open_after_ & 63);
        }
        return bits_;
    }
    masker_->allowed(matcher_, remaining_, bits_);
    const bool none = std::all_of(bits_.begin(), bits_.end(), [](uint64_t w) { return w == 0; });
    if (matcher_.accepting() || none) {
        for (int32_t id : end_ids_) {
            if (id >= 0 && size_t(id) / 64 < bits_.size())
                bits_[size_t(id) / 64] |= uint64_t(1) << (id & 63);
        }
    }
    return bits_;
}

void DocumentConstraint::mask(std::span<float> logits) {
    const TokenBits& bits = allowed();
    const float minus_infinity = -std::numeric_limits<float>::infinity();
    // A word at a time: inside a string nearly every word is all ones, elsewhere all zeros.
    for (size_t start = 0; start < logits.size(); start += 64) {
        const size_t word = start / 64;
        const uint64_t w = word < bits.size() ? bits[word] : 0;
        const size_t n = std::min<size_t>(64, logits.size() - start);
        if (w == ~uint64_t(0) && n == 64) continue;
        float* row = logits.data() + start;
        if (w == 0) {
            std::fill(row, row + n, minus_infinity);
            continue;
        }
        for (size_t i = 0; i < n; ++i) {
            if (!((w >> i) & 1)) row[i] = minus_infinity;
        }
    }
}

bool DocumentConstraint::accept(int32_t token) {
    if (waiting_) {
        const bool opens = token == open_after_;
        waiting_ = !opens;
        history_.push_back({opens ? Step::kOpened : Step::kThinking, remaining_ > 0});
        if (remaining_ > 0) --remaining_;
        bits_fresh_ = false;
        return true;
    }
    if (is_end(token)) {
        history_.push_back({Step::kEnd, false});  // an end token takes no budget
        return true;
    }
    if (token < 0 || token >= masker_->trie().vocab_size()) return false;
    const std::string_view bytes = masker_->trie().token_bytes(token);
    if (bytes.empty() || !matcher_.accept(bytes)) return false;
    history_.push_back({Step::kDocument, remaining_ > 0});
    if (remaining_ > 0) --remaining_;
    bits_fresh_ = false;
    return true;
}

void DocumentConstraint::rewind(size_t n) {
    for (; n > 0 && !history_.empty(); --n) {
        const Accepted last = history_.back();
        history_.pop_back();
        if (last.step == Step::kDocument) matcher_.rewind(1);
        if (last.step == Step::kOpened) waiting_ = true;
        if (last.took_budget) ++remaining_;
    }
    bits_fresh_ = false;
}

}  // namespace qe::grammar
