#include "chat/tool_call_splitter.h"

#include "chat/tag_scan.h"

namespace qe {

ToolCallSplitter::Pieces ToolCallSplitter::push(std::string_view text) {
    Pieces out;
    pending_.append(text);
    run(out, false);
    return out;
}

ToolCallSplitter::Pieces ToolCallSplitter::finish() {
    Pieces out;
    run(out, true);
    return out;
}

void ToolCallSplitter::release_unread(Pieces& out, std::string_view block) {
    if (read_a_call_) {
        state_ = State::AfterCall;
        return;
    }
    out.content += space_;
    out.content += block;
    space_.clear();
    state_ = State::Content;
}

void ToolCallSplitter::run(Pieces& out, bool end) {
    for (;;) {
        const std::string_view p = pending_;
        switch (state_) {
            case State::Content: {
                if (const size_t open = p.find(kOpen); open != std::string::npos) {
                    const size_t n = trimmed_end(p.substr(0, open));
                    out.content.append(p.substr(0, n));
                    space_ = p.substr(n, open - n);
                    pending_.erase(0, open);
                    state_ = State::InBlock;
                    continue;
                }
                if (end) {
                    out.content += pending_;
                    pending_.clear();
                    return;
                }
                // Hold back a tail that may become <tool_call>, and the whitespace before it
                // (dropped when a call follows).
                const size_t n = trimmed_end(p.substr(0, p.size() - partial_tag(p, kOpen)));
                out.content.append(p.substr(0, n));
                pending_.erase(0, n);
                return;
            }
            case State::InBlock: {
                const size_t close = p.find(kClose, kOpen.size());
                if (close == std::string::npos) {
                    if (end) {
                        release_unread(out, p);
                        pending_.clear();
                    }
                    return;
                }
                const size_t block_end = close + kClose.size();
                if (auto call =
                        parse_tool_call(p.substr(kOpen.size(), close - kOpen.size()), tools_)) {
                    out.calls.push_back(std::move(*call));
                    space_.clear();
                    read_a_call_ = true;
                    state_ = State::AfterCall;
                } else {
                    release_unread(out, p.substr(0, block_end));
                }
                pending_.erase(0, block_end);
                continue;
            }
            case State::AfterCall: {
                if (const size_t open = p.find(kOpen); open != std::string::npos) {
                    pending_.erase(0, open);
                    state_ = State::InBlock;
                    continue;
                }
                pending_.erase(0, p.size() - (end ? 0 : partial_tag(p, kOpen)));
                return;
            }
        }
    }
}

}  // namespace qe
