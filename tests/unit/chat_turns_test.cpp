// The chat-turn API: text pieces, stop strings and one finish reason; and the next turn of a
// conversation reuses the ids the model generated (and their cached state), even where the
// answer's text would not tokenize back into them.
#include "chat/chat_turns.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "support/thinking_model.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

struct Reply {
    std::string text, reasoning;
    std::vector<int> tokens;
    TurnEvent final;
};

Reply ask(ChatTurns& turns, TurnPrompt prompt, TurnOptions options) {
    auto reply = std::make_shared<Reply>();
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    auto handle =
        turns.start(std::move(prompt), std::move(options), [reply, done](const TurnEvent& ev) {
            if (!ev.reasoning.empty()) {
                EXPECT_TRUE(reply->text.empty()) << "thinking after the content";
            }
            reply->text += ev.text;
            reply->reasoning += ev.reasoning;
            if (ev.done) {
                reply->final = ev;
                done->set_value();
            } else {
                reply->tokens.push_back(ev.token);
            }
            return true;
        });
    if (!handle) throw Error("the scheduler refused the turn");
    finished.wait();
    return *reply;
}

// A model, a one-slot scheduler over it and the chat-turn API.
class TurnsFixture : public testing::Test {
  protected:
    TurnsFixture(const std::string& model, int n_ctx)
        : model_(LoadedModel::open(model)),
          scheduler_(model_->config(), model_->weights(), options(n_ctx)),
          turns_(*model_, scheduler_) {}

    static SchedulerOptions options(int n_ctx) {
        SchedulerOptions o;
        o.slots = 1;
        o.n_ctx = n_ctx;
        o.n_threads = 2;
        return o;
    }

    std::unique_ptr<LoadedModel> model_;
    Scheduler scheduler_;
    ChatTurns turns_;
};

class ChatTurnsTest : public TurnsFixture {
  protected:
    ChatTurnsTest() : TurnsFixture(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", 512) {}

    TurnOptions sampled(int max_tokens) const {
        TurnOptions o;
        o.generate.max_tokens = max_tokens;
        o.generate.sampling = model_->sampling_defaults();
        o.generate.sampling.seed = 5;
        o.generate.stop_ids = model_->stop_ids();
        return o;
    }
};

TEST_F(ChatTurnsTest, AStopStringEndsTheAnswerBeforeIt) {
    const json messages = {{{"role", "user"}, {"content", "你好"}}};
    const Reply whole = ask(turns_, turns_.encode(messages, nullptr, {}, 64), sampled(24));
    ASSERT_GE(whole.text.size(), 6u);
    const std::string stop = whole.text.substr(3, 3);
    TurnOptions o = sampled(24);
    o.stop = {stop};
    const Reply cut = ask(turns_, turns_.encode(messages, nullptr, {}, 64), o);
    EXPECT_EQ(cut.final.finish_reason, "stop");
    EXPECT_EQ(cut.text, whole.text.substr(0, whole.text.find(stop)));
    EXPECT_LT(cut.tokens.size(), whole.tokens.size());
}

TEST_F(ChatTurnsTest, TheNextTurnReusesTheGeneratedIds) {
    json messages = {{{"role", "user"}, {"content", "请介绍一下你自己。"}}};
    const TurnPrompt first = turns_.encode(messages, nullptr, {}, 64);
    const std::vector<int> first_ids = first.ids;
    const Reply answer = ask(turns_, first, sampled(40));
    ASSERT_FALSE(answer.tokens.empty());

    messages.push_back({{"role", "assistant"}, {"content", answer.text}});
    messages.push_back({{"role", "user"}, {"content", "再说一遍。"}});
    const TurnPrompt second = turns_.encode(messages, nullptr, {}, 64);
    // The second prompt starts with the first prompt and the very tokens generated.
    std::vector<int> spoken = first_ids;
    spoken.insert(spoken.end(), answer.tokens.begin(), answer.tokens.end());
    ASSERT_GE(second.ids.size(), spoken.size());
    EXPECT_TRUE(std::equal(spoken.begin(), spoken.end(), second.ids.begin()));
    // Its text is what the template renders of the conversation, as without the reuse.
    ChatTurns forgetful(*model_, scheduler_);
    const TurnPrompt fresh = forgetful.encode(messages, nullptr, {}, 64);
    EXPECT_EQ(second.text, fresh.text);
    // This model's noise answers hold bytes that are not UTF-8: their text (with U+FFFD) does not
    // tokenize back into the generated ids, the case this reuse exists for.
    EXPECT_FALSE(fresh.ids.size() >= spoken.size() &&
                 std::equal(spoken.begin(), spoken.end(), fresh.ids.begin()));

    const Reply next = ask(turns_, second, sampled(4));
    // All of the first turn came from the cache but the last answer token, which was sampled
    // and never evaluated (when the answer ran to its length).
    EXPECT_GE(next.final.job.cached_tokens, int(spoken.size()) - 1);
}

// A job may end after the ChatTurns that started it is gone (a server shutting down while a
// client's answer runs): its answer is remembered by nobody, and nothing touches freed memory.
TEST_F(ChatTurnsTest, AJobMayOutliveItsChatTurns) {
    auto turns = std::make_unique<ChatTurns>(*model_, scheduler_);
    std::promise<void> first_token, go_on, finished;
    bool first = true;
    auto handle = turns->start(
        turns->encode(json::array({{{"role", "user"}, {"content", "你好"}}}), nullptr, {}, 16),
        sampled(3), [&](const TurnEvent& ev) {
            if (ev.done) {
                finished.set_value();
            } else if (first) {
                first = false;
                first_token.set_value();
                go_on.get_future().wait();
            }
            return true;
        });
    ASSERT_NE(handle, nullptr);
    first_token.get_future().wait();
    turns.reset();
    go_on.set_value();
    finished.get_future().wait();
}

}  // namespace
}  // namespace qe

namespace qe {
namespace {

class ThinkingTurnsTest : public TurnsFixture {
  protected:
    ThinkingTurnsTest() : TurnsFixture(thinking_model_folder("chat_turns_thinking_model"), 256) {}

    TurnOptions greedy(int max_tokens) const {
        TurnOptions o;
        o.generate.max_tokens = max_tokens;
        o.generate.sampling.temperature = 0;
        o.generate.loop_guard.enabled = false;
        o.generate.stop_ids = model_->stop_ids();
        o.split_reasoning = true;
        return o;
    }

    TurnPrompt prompt(const json& variables = json::object()) const {
        return turns_.encode(json{{{"role", "user"}, {"content", "hello"}}}, nullptr, {}, 32,
                             variables);
    }
};

TEST_F(ThinkingTurnsTest, APromptEndingInsideThinkingMakesTheAnswerReasoning) {
    const Reply r = ask(turns_, prompt(), greedy(10));
    EXPECT_FALSE(r.reasoning.empty());
    EXPECT_EQ(r.text, "");
    TurnOptions whole = greedy(10);
    whole.split_reasoning = false;
    const Reply raw = ask(turns_, prompt(), whole);
    EXPECT_EQ(raw.reasoning, "");
    EXPECT_NE(raw.text.find(r.reasoning), std::string::npos);
}

TEST_F(ThinkingTurnsTest, EnableThinkingFalseMakesItContent) {
    const TurnPrompt p = prompt({{"enable_thinking", false}});
    EXPECT_TRUE(p.text.ends_with("<think>\n\n</think>\n\n"));
    const Reply r = ask(turns_, p, greedy(10));
    EXPECT_EQ(r.reasoning, "");
    EXPECT_FALSE(r.text.empty());
}

TEST_F(ThinkingTurnsTest, StopStringsDoNotApplyToTheThinking) {
    const Reply whole = ask(turns_, prompt(), greedy(10));
    ASSERT_GE(whole.reasoning.size(), 4u);
    TurnOptions o = greedy(10);
    o.stop = {whole.reasoning.substr(1, 3)};
    const Reply r = ask(turns_, prompt(), o);
    EXPECT_EQ(r.reasoning, whole.reasoning);
    EXPECT_EQ(r.final.finish_reason, whole.final.finish_reason);
}

}  // namespace
}  // namespace qe
