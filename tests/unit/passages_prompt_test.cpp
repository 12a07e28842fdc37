// The passages' prompt: numbered best first, only those that fit the budget, whole; the
// instruction in the question's language; with no passages, the instruction to say nothing was
// found and no numbers.
#include "chat/passages_prompt.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

// One "token" per byte: budgets in bytes are easy to reason about.
int bytes(std::string_view s) {
    return int(s.size());
}

const json kChat = json::array({{{"role", "system"}, {"content", "You are helpful."}},
                                {{"role", "user"}, {"content", "earlier"}},
                                {{"role", "assistant"}, {"content", "answer"}},
                                {{"role", "user"}, {"content", "报销需要哪些材料？"}}});

std::vector<Passage> passages() {
    return {{"报销制度.docx", "第三章 > 3.2 报销", 4, "报销需要发票原件。", 0.9},
            {"员工手册.pdf", "", std::nullopt, "出差需要审批。", 0.5},
            {"other.txt", "", std::nullopt, std::string(500, 'x'), 0.1}};
}

TEST(PassagesPrompt, NumbersThePassagesThatFitBestFirstInTheLastUserMessage) {
    const auto all = passages();
    const int two =
        bytes(format_passage(1, all[0]) + "\n\n") + bytes(format_passage(2, all[1]) + "\n\n");
    const PassagesPrompt p = add_passages(kChat, all, two, bytes);
    EXPECT_EQ(p.used, 2u);
    ASSERT_EQ(p.messages.size(), kChat.size());
    for (size_t i = 0; i + 1 < kChat.size(); ++i) EXPECT_EQ(p.messages[i], kChat[i]) << i;
    const std::string last = p.messages.back()["content"];
    const size_t one_at =
        last.find("[1] 报销制度.docx, p. 4, 第三章 > 3.2 报销\n报销需要发票原件。");
    const size_t two_at = last.find("[2] 员工手册.pdf\n出差需要审批。");
    ASSERT_NE(one_at, std::string::npos) << last;
    ASSERT_NE(two_at, std::string::npos) << last;
    EXPECT_LT(one_at, two_at);
    EXPECT_EQ(last.find("[3]"), std::string::npos);
    EXPECT_EQ(last.find("xxxx"), std::string::npos);
    EXPECT_NE(last.find("[1]、[2]"), std::string::npos);  // the Chinese instruction
    EXPECT_TRUE(last.ends_with("问题：报销需要哪些材料？")) << last;

    // One byte less: the second passage no longer fits, and none is cut.
    EXPECT_EQ(add_passages(kChat, all, two - 1, bytes).used, 1u);
    // None fits: the model is told why, not that nothing was found.
    const PassagesPrompt none = add_passages(kChat, all, 0, bytes);
    EXPECT_EQ(none.used, 0u);
    const std::string no_room = none.messages.back()["content"];
    EXPECT_NE(no_room.find("放不进这次对话"), std::string::npos) << no_room;
    EXPECT_EQ(no_room.find("[1]"), std::string::npos);
}

TEST(PassagesPrompt, NoPassagesSaysNothingWasFoundAndCitesNothing) {
    const PassagesPrompt zh = add_passages(kChat, {}, 1000, bytes);
    EXPECT_EQ(zh.used, 0u);
    const std::string text = zh.messages.back()["content"];
    EXPECT_NE(text.find("没有找到"), std::string::npos) << text;
    EXPECT_EQ(text.find("[1]"), std::string::npos);

    json english = kChat;
    english.back()["content"] = "What do I need for expenses?";
    const std::string en = add_passages(english, {}, 1000, bytes).messages.back()["content"];
    EXPECT_NE(en.find("nothing was found"), std::string::npos) << en;
    EXPECT_TRUE(en.ends_with("Question: What do I need for expenses?"));
    const auto all = passages();
    const std::string cited = add_passages(english, all, 1000, bytes).messages.back()["content"];
    EXPECT_NE(cited.find("cite the ones you use as [1], [2]"), std::string::npos) << cited;
}

TEST(PassagesPrompt, AChatWithoutAUserMessageIsAnError) {
    const json only_system = json::array({{{"role", "system"}, {"content", "x"}}});
    EXPECT_THROW(add_passages(only_system, passages(), 1000, bytes), Error);
    EXPECT_EQ(last_user_text(only_system), "");
    EXPECT_EQ(last_user_text(kChat), "报销需要哪些材料？");
}

}  // namespace
}  // namespace qe
