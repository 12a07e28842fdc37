#include "chat/context_window.h"

#include <string>
#include <vector>

#include "core/error.h"

namespace qe {

using json = nlohmann::ordered_json;

ContextWindow fit_context(const json& messages, std::optional<int> max_rounds, int budget,
                          const std::function<int(const json&)>& count_tokens) {
    const size_t n = messages.size();
    const bool has_system = n > 0 && messages[0].value("role", "") == "system";
    const size_t first = has_system ? 1 : 0;

    // Rounds start at each user message; anything before the first user message (after the
    // system prompt) belongs to the first round.
    std::vector<size_t> starts;
    for (size_t i = first; i < n; ++i)
        if (messages[i].value("role", "") == "user" || starts.empty()) starts.push_back(i);
    // The current round: from the last user message to the end.
    const size_t earlier = starts.empty() ? 0 : starts.size() - 1;

    auto build = [&](size_t keep_earlier) {
        json out = json::array();
        if (has_system) out.push_back(messages[0]);
        const size_t from = starts.empty() ? n : starts[earlier - keep_earlier];
        for (size_t i = from; i < n; ++i) out.push_back(messages[i]);
        return out;
    };

    size_t keep = earlier;
    if (max_rounds && size_t(*max_rounds) < keep) keep = size_t(*max_rounds);
    for (;;) {
        ContextWindow w;
        w.messages = build(keep);
        w.prompt_tokens = count_tokens(w.messages);
        w.dropped_rounds = int(earlier - keep);
        if (w.prompt_tokens <= budget) return w;
        if (keep == 0)
            throw Error("the prompt needs " + std::to_string(w.prompt_tokens) +
                        " tokens but at most " + std::to_string(budget) +
                        " fit (the context minus room for the answer): shorten the message or "
                        "the system prompt");
        --keep;
    }
}

}  // namespace qe
