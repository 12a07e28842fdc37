#include "grammar/matcher.h"

#include <cassert>
#include <utility>

namespace qe::grammar {

Matcher::Matcher(std::shared_ptr<const Grammar> grammar)
    : grammar_(std::move(grammar)), stacks_(*grammar_) {
    stacks_.start(tops_, accepting_);
}

bool Matcher::accept(std::string_view bytes) {
    Saved saved{stacks_.size(), tops_, accepting_};
    for (char c : bytes) {
        scratch_.clear();
        bool accepting = false;
        stacks_.step(tops_, 0, tops_.size(), uint8_t(c), scratch_, accepting);
        if (scratch_.empty() && !accepting) {
            stacks_.truncate(saved.frames);
            tops_ = std::move(saved.tops);
            accepting_ = saved.accepting;
            return false;
        }
        tops_.swap(scratch_);
        accepting_ = accepting;
    }
    history_.push_back(std::move(saved));
    return true;
}

void Matcher::rewind(size_t n) {
    assert(n <= history_.size());
    if (n == 0) return;
    Saved& s = history_[history_.size() - n];
    stacks_.truncate(s.frames);
    tops_ = std::move(s.tops);
    accepting_ = s.accepting;
    history_.resize(history_.size() - n);
}

uint32_t Matcher::distance() const {
    return accepting_ ? 0 : stacks_.distance(tops_.data(), tops_.size());
}

}  // namespace qe::grammar
