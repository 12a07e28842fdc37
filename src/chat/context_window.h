// Which part of a conversation goes to the model. The system prompt always stays; earlier rounds
// (a user message and the replies and tool traffic after it) are kept up to `max_rounds` and while
// the rendered prompt fits the token budget; whole rounds are dropped, oldest first, and the caller
// is told how many. The round being asked (from the last user message on) is always kept.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

namespace qe {

struct ContextWindow {
    nlohmann::ordered_json messages;  // what to render: system (if any) + kept rounds + current round
    int dropped_rounds = 0;   // earlier rounds left out
    int prompt_tokens = 0;    // tokens of the rendered prompt
};

// `count_tokens` renders messages with the chat template and returns their token count.
// `budget`: tokens the prompt may use (context length minus room for the answer).
// Throws qe::Error when even the system prompt and the current round don't fit.
ContextWindow fit_context(const nlohmann::ordered_json& messages, std::optional<int> max_rounds, int budget,
                          const std::function<int(const nlohmann::ordered_json&)>& count_tokens);

}  // namespace qe
