// Retrieved passages into a chat: numbered [1]..[n], best first, as many as fit the token budget,
// with the instruction to answer from them and cite them, or, when none was found, to say that
// the knowledge base holds nothing on the question instead of inventing an answer. The wording
// is Chinese when the question has Chinese characters, English otherwise.
//
// They are prefixed to the last user message rather than sent as a system message: the
// client's own system prompt stays as it is, the passages sit beside the question they answer,
// and the earlier turns (sent back without passages) keep their prompt ids, so the prefix cache
// still serves them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qe {

struct Passage {
    std::string file;
    std::string heading;  // "a > b", or ""
    std::optional<int> page;
    std::string text;
    double score = 0;
};

struct PassagesPrompt {
    nlohmann::ordered_json messages;  // the chat with the passages in its last user message
    size_t used = 0;                  // the first `used` passages went in: [1]..[used]
};

using CountTokens = std::function<int(std::string_view)>;

// The question: the text of the last user message ("" when there is none).
std::string last_user_text(const nlohmann::ordered_json& messages);

// What the context leaves for passages: n_ctx minus the answer's room, the chat as it is (each
// message's text and a few tokens of its template) and the instruction's wording.
int passages_budget(const nlohmann::ordered_json& messages, int n_ctx, int answer_room,
                    const CountTokens& count);

// Puts the passages (best first) into `messages` (chat messages with string contents): each
// passage whole, while the passages together take at most `budget_tokens` by `count`. Throws
// qe::Error when the messages have no user message.
PassagesPrompt add_passages(const nlohmann::ordered_json& messages,
                            std::span<const Passage> passages, int budget_tokens,
                            const CountTokens& count);

// One passage as the model reads it: "[n] file (page p, heading)\ntext".
std::string format_passage(size_t number, const Passage& p);

}  // namespace qe
