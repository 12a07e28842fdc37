#include "chat/context_window.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

json msg(const char* role, const std::string& content) {
    return {{"role", role}, {"content", content}};
}

// A conversation of `rounds` earlier exchanges and a new question, with a system prompt.
json conversation(int rounds) {
    json m = json::array({msg("system", "sys")});
    for (int r = 0; r < rounds; ++r) {
        m.push_back(msg("user", "q" + std::to_string(r)));
        m.push_back(msg("assistant", "a" + std::to_string(r)));
    }
    m.push_back(msg("user", "now"));
    return m;
}

// One "token" per message keeps the arithmetic visible.
int count(const json& m) {
    return int(m.size());
}

TEST(ContextWindow, KeepsEverythingThatFits) {
    const auto w = fit_context(conversation(2), std::nullopt, 100, count);
    EXPECT_EQ(w.messages, conversation(2));
    EXPECT_EQ(w.dropped_rounds, 0);
    EXPECT_EQ(w.prompt_tokens, 6);
}

TEST(ContextWindow, MaxRoundsKeepsTheLastRoundsAndTheSystemPrompt) {
    const auto w = fit_context(conversation(5), 3, 100, count);
    EXPECT_EQ(w.dropped_rounds, 2);
    ASSERT_EQ(w.messages.size(), 1u + 3 * 2 + 1);
    EXPECT_EQ(w.messages[0]["content"], "sys");
    EXPECT_EQ(w.messages[1]["content"], "q2");
    EXPECT_EQ(w.messages.back()["content"], "now");
}

TEST(ContextWindow, BudgetDropsWholeRoundsOldestFirst) {
    const auto w = fit_context(conversation(5), std::nullopt, 6, count);
    EXPECT_EQ(w.dropped_rounds, 3);
    EXPECT_EQ(w.messages.size(), 6u);
    EXPECT_EQ(w.messages[1]["content"], "q3");
    EXPECT_EQ(w.messages[2]["content"], "a3");
}

TEST(ContextWindow, ZeroRoundsKeepsOnlyTheQuestion) {
    const auto w = fit_context(conversation(2), 0, 100, count);
    EXPECT_EQ(w.messages, json::array({msg("system", "sys"), msg("user", "now")}));
    EXPECT_EQ(w.dropped_rounds, 2);
}

TEST(ContextWindow, ToolTrafficStaysWithItsRound) {
    json m = json::array({msg("user", "weather?"), msg("assistant", ""), msg("tool", "sunny"),
                          msg("assistant", "it is sunny"), msg("user", "thanks")});
    const auto w = fit_context(m, 1, 100, count);
    EXPECT_EQ(w.messages, m);
    const auto none = fit_context(m, 0, 100, count);
    EXPECT_EQ(none.messages, json::array({msg("user", "thanks")}));
    EXPECT_EQ(none.dropped_rounds, 1);
}

TEST(ContextWindow, TooLongEvenAloneIsAnError) {
    try {
        fit_context(conversation(1), std::nullopt, 1, count);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("at most 1"), std::string::npos);
    }
}

TEST(ContextWindow, NoUserMessageAtAll) {
    const json m = json::array({msg("system", "sys"), msg("assistant", "hello")});
    const auto w = fit_context(m, 0, 100, count);
    EXPECT_EQ(w.messages, m);
}

}  // namespace
}  // namespace qe
