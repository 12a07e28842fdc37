#include "cli/chat_knowledge.h"

namespace qe::cli {

ChatKnowledge::ChatKnowledge(const KbModelArgs& args, const std::string& base, int top_k)
    : models_(args), top_k_(top_k) {
    base_ = args.bases().open(base, models_.embedder_info());
}

std::vector<Passage> ChatKnowledge::add(nlohmann::ordered_json& messages,
                                        const Tokenizer& tokenizer, int n_ctx, int answer_room) {
    const CountTokens count = [&tokenizer](std::string_view text) {
        return int(tokenizer.encode(text, SpecialTokens::kAsText).size());
    };
    std::vector<Passage> passages;
    for (const auto& h : models_.search(*base_, last_user_text(messages), size_t(top_k_)))
        passages.push_back({h.document_path, h.heading, h.page, h.text, h.score});
    PassagesPrompt prompt = add_passages(
        messages, passages, passages_budget(messages, n_ctx, answer_room, count), count);
    messages = std::move(prompt.messages);
    passages.resize(prompt.used);
    return passages;
}

std::string ChatKnowledge::sources(const std::vector<Passage>& used) {
    if (used.empty()) return "(no passage of the knowledge base matched the question)\n";
    std::string out = "Sources:\n";
    for (size_t i = 0; i < used.size(); ++i) {
        const std::string first_line = format_passage(i + 1, used[i]);
        out += "  " + first_line.substr(0, first_line.find('\n')) + "\n";
    }
    return out;
}

}  // namespace qe::cli
