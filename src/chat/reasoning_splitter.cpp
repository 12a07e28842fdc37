#include "chat/reasoning_splitter.h"

#include <algorithm>

namespace qe {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t first_non_space(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return i;
}

// Length of the longest tail of `s` that is a proper prefix of `tag`.
size_t partial_tag(std::string_view s, std::string_view tag) {
    for (size_t len = std::min(tag.size() - 1, s.size()); len > 0; --len)
        if (s.substr(s.size() - len) == tag.substr(0, len)) return len;
    return 0;
}

}  // namespace

ReasoningSplitter::ReasoningSplitter(bool in_thinking)
    : state_(in_thinking ? State::Thinking : State::Leading) {}

ReasoningSplitter::Pieces ReasoningSplitter::push(std::string_view text) {
    Pieces out;
    pending_.append(text);
    run(out, false);
    return out;
}

ReasoningSplitter::Pieces ReasoningSplitter::finish() {
    Pieces out;
    run(out, true);
    return out;
}

void ReasoningSplitter::run(Pieces& out, bool end) {
    for (;;) {
        switch (state_) {
            case State::Content:
                out.content += pending_;
                pending_.clear();
                return;
            case State::Leading: {
                const size_t i = first_non_space(pending_);
                if (i == pending_.size()) {  // only whitespace so far
                    if (end) {
                        if (!after_block_) out.content += pending_;
                        pending_.clear();
                    }
                    return;
                }
                const std::string_view rest = std::string_view(pending_).substr(i);
                if (rest.starts_with(kOpen)) {
                    pending_.erase(0, i + kOpen.size());
                    state_ = State::Thinking;
                    continue;
                }
                if (!end && kOpen.starts_with(rest)) return;  // may still become <think>
                if (after_block_) pending_.erase(0, i);       // the blank lines after </think>
                state_ = State::Content;
                continue;
            }
            case State::Thinking: {
                const size_t i = first_non_space(pending_);
                pending_.erase(0, i);
                if (pending_.empty()) return;
                state_ = State::Reasoning;
                continue;
            }
            case State::Reasoning: {
                const std::string_view p = pending_;
                if (const size_t close = p.find(kClose); close != std::string::npos) {
                    size_t n = close;
                    while (n > 0 && is_space(p[n - 1])) --n;
                    out.reasoning.append(p.substr(0, n));
                    pending_.erase(0, close + kClose.size());
                    state_ = State::Leading;
                    after_block_ = true;
                    continue;
                }
                // Hold back a tail that may become </think>, and the whitespace before it (it
                // is dropped when the block closes right after).
                size_t n = p.size() - (end ? 0 : partial_tag(p, kClose));
                while (n > 0 && is_space(p[n - 1])) --n;
                out.reasoning.append(p.substr(0, n));
                pending_.erase(0, n);
                if (end) pending_.clear();
                return;
            }
        }
    }
}

bool prompt_opens_thinking(std::string_view prompt) {
    size_t n = prompt.size();
    while (n > 0 && is_space(prompt[n - 1])) --n;
    return prompt.substr(0, n).ends_with(ReasoningSplitter::kOpen);
}

}  // namespace qe
