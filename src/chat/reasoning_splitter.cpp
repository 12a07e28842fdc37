#include "chat/reasoning_splitter.h"

#include "chat/tag_scan.h"

namespace qe {

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
                    out.reasoning.append(p.substr(0, trimmed_end(p.substr(0, close))));
                    pending_.erase(0, close + kClose.size());
                    state_ = State::Leading;
                    after_block_ = true;
                    continue;
                }
                // Hold back a tail that may become </think>, and the whitespace before it (it
                // is dropped when the block closes right after).
                const size_t n =
                    trimmed_end(p.substr(0, p.size() - (end ? 0 : partial_tag(p, kClose))));
                out.reasoning.append(p.substr(0, n));
                pending_.erase(0, n);
                if (end) pending_.clear();
                return;
            }
        }
    }
}

bool prompt_opens_thinking(std::string_view prompt) {
    return prompt.substr(0, trimmed_end(prompt)).ends_with(ReasoningSplitter::kOpen);
}

}  // namespace qe
