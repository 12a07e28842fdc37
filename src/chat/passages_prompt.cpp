#include "chat/passages_prompt.h"

#include "core/error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// Any CJK ideograph (U+3400..U+9FFF, U+F900..U+FAFF) in the text.
bool has_chinese(std::string_view text) {
    for (size_t i = 0; i + 2 < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0xE3 && c <= 0xE9) return true;  // lead bytes of U+3000..U+9FFF
        if (c == 0xEF && static_cast<unsigned char>(text[i + 1]) >= 0xA4 &&
            static_cast<unsigned char>(text[i + 1]) <= 0xAB)
            return true;
    }
    return false;
}

enum class Found { kPassages, kNothing, kNoRoom };

std::string instruction(bool chinese, Found found) {
    switch (found) {
        case Found::kPassages:
            return chinese ? "请只根据下面编号的资料回答问题，并在用到的内容后用 [1]、[2] "
                             "这样的编号注明出处。"
                             "如果资料里没有答案，请直接说明资料中没有找到相关内容，不要编造。"
                           : "Answer the question from the numbered passages below only, and "
                             "cite the ones you use as [1], [2]. If they do not contain the "
                             "answer, say so instead of inventing one.";
        case Found::kNothing:
            return chinese
                       ? "知识库中没有找到与这个问题相关的资料。请告诉用户知识库里没有相关内容，"
                         "不要编造答案，也不要标注任何出处编号。"
                       : "The knowledge base has no passages relevant to this question. Tell "
                         "the user that nothing was found in it, do not invent an answer, and "
                         "cite nothing.";
        case Found::kNoRoom:  // passages were found, but the conversation left no room for them
            return chinese ? "知识库中的相关资料放不进这次对话（对话太长）。请告诉用户开始新的对话"
                             "后再问，"
                             "不要编造答案，也不要标注任何出处编号。"
                           : "The knowledge base's passages for this question do not fit into "
                             "this conversation (it is too long). Tell the user to ask again in a "
                             "new conversation, do not invent an answer, and cite nothing.";
    }
    return "";
}

}  // namespace

std::string format_passage(size_t number, const Passage& p) {
    std::string where = p.file;
    if (p.page) where += ", p. " + std::to_string(*p.page);
    if (!p.heading.empty()) where += ", " + p.heading;
    return "[" + std::to_string(number) + "] " + where + "\n" + p.text;
}

std::string last_user_text(const json& messages) {
    if (!messages.is_array()) return "";
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
        if (!it->is_object() || it->value("role", "") != "user") continue;
        const auto c = it->find("content");
        return c != it->end() && c->is_string() ? c->get<std::string>() : "";
    }
    return "";
}

int passages_budget(const json& messages, int n_ctx, int answer_room, const CountTokens& count) {
    constexpr int kPerMessage = 8;         // <|im_start|>role\n ... <|im_end|>\n
    constexpr int kInstructionRoom = 160;  // the instruction and the "Passages:" labels
    int chat = 0;
    for (const auto& m : messages) {
        chat += kPerMessage;
        if (const auto c = m.find("content"); c != m.end() && c->is_string())
            chat += count(c->get<std::string>());
    }
    return n_ctx - answer_room - chat - kInstructionRoom;
}

PassagesPrompt add_passages(const json& messages, std::span<const Passage> passages,
                            int budget_tokens, const CountTokens& count) {
    PassagesPrompt out;
    out.messages = messages;
    json* last_user = nullptr;
    for (auto& m : out.messages)
        if (m.is_object() && m.value("role", "") == "user") last_user = &m;
    if (!last_user)
        throw Error("the chat has no user message: nothing to search the knowledge for");
    const std::string question = last_user_text(messages);
    const bool chinese = has_chinese(question);

    std::string block;
    int used_tokens = 0;
    for (const Passage& p : passages) {
        const std::string one = format_passage(out.used + 1, p) + "\n\n";
        const int n = count(one);
        if (used_tokens + n > budget_tokens) break;  // best first: the rest rank lower
        used_tokens += n;
        block += one;
        ++out.used;
    }
    const Found found = out.used > 0       ? Found::kPassages
                        : passages.empty() ? Found::kNothing
                                           : Found::kNoRoom;
    std::string prefix = instruction(chinese, found) + "\n\n";
    if (out.used > 0) prefix += (chinese ? "资料：\n\n" : "Passages:\n\n") + block;
    prefix += chinese ? "问题：" : "Question: ";
    (*last_user)["content"] = prefix + question;
    return out;
}

}  // namespace qe
