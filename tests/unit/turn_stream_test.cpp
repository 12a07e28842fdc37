// One answer's decoding fed fixed token ids (the golden model's real Qwen tokenizer): tool calls
// come out of the content whether their tags are added tokens or spelled in pieces, stop strings
// apply to the content before them, and the final event releases what was held.
#include "chat/turn_stream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/loaded_model.h"

namespace qe {
namespace {

struct Heard {
    std::string text;
    std::vector<ToolCall> calls;
    std::string finish_reason;
    bool text_after_calls = false;
};

class TurnStreamTest : public testing::Test {
  protected:
    static void SetUpTestSuite() { model_ = LoadedModel::open(kModel); }
    static void TearDownTestSuite() { model_.reset(); }

    // Feeds `answer`'s tokens (added tokens as themselves) and a final event ending at a stop id.
    static Heard feed(const std::string& answer, TurnOptions options) {
        Heard heard;
        TurnStream stream(model_->tokenizer(), options, false, [&](const TurnEvent& ev) {
            if (!ev.text.empty() && !heard.calls.empty()) heard.text_after_calls = true;
            heard.text += ev.text;
            heard.calls.insert(heard.calls.end(), ev.tool_calls.begin(), ev.tool_calls.end());
            if (ev.done) heard.finish_reason = ev.finish_reason;
            return true;
        });
        for (const int id : model_->tokenizer().encode(answer, SpecialTokens::kParse)) {
            JobEvent ev;
            ev.token = id;
            if (stream.on_job_event(ev).kind != JobReply::kContinue) break;
        }
        JobEvent last;
        last.done = true;
        last.finish_reason = "stop";
        stream.on_job_event(last);
        return heard;
    }

    static TurnOptions with_tools() {
        TurnOptions o;
        o.split_tool_calls = true;
        return o;
    }

    static constexpr const char* kModel = QE_GOLDEN_DIR "/g448-q8_0.gguf";
    static std::unique_ptr<LoadedModel> model_;
};

std::unique_ptr<LoadedModel> TurnStreamTest::model_;

const std::string kAnswer =
    "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
    "\"北京\"}}\n</tool_call>";

TEST_F(TurnStreamTest, TheToolCallTagIsOneAddedToken) {
    const auto ids = model_->tokenizer().encode("<tool_call>", SpecialTokens::kParse);
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(model_->tokenizer().find_added("<tool_call>"), ids[0]);
}

TEST_F(TurnStreamTest, ToolCallsLeaveTheContent) {
    const Heard h = feed(kAnswer, with_tools());
    EXPECT_EQ(h.text, "Let me look.");
    ASSERT_EQ(h.calls.size(), 1u);
    EXPECT_EQ(h.calls[0].name, "get_weather");
    EXPECT_EQ(h.calls[0].arguments, R"({"city":"北京"})");
    EXPECT_FALSE(h.text_after_calls);
    EXPECT_EQ(h.finish_reason, "stop");
}

TEST_F(TurnStreamTest, OneCallOnlyEndsTheAnswerAtTheFirstCall) {
    TurnOptions o = with_tools();
    o.stop_at_first_tool_call = true;
    const std::string two = kAnswer + "\n<tool_call>\n{\"name\": \"f\"}\n</tool_call>";
    const Heard h = feed(two, o);
    ASSERT_EQ(h.calls.size(), 1u);
    EXPECT_EQ(h.calls[0].name, "get_weather");
    EXPECT_EQ(h.finish_reason, "stop");
    EXPECT_EQ(feed(two, with_tools()).calls.size(), 2u);
}

TEST_F(TurnStreamTest, WithoutTheSplitTheCallIsText) {
    const Heard h = feed(kAnswer, TurnOptions{});
    EXPECT_EQ(h.text, kAnswer);
    EXPECT_TRUE(h.calls.empty());
}

TEST_F(TurnStreamTest, AStopStringBeforeTheCallDropsIt) {
    TurnOptions o = with_tools();
    o.stop = {"look"};
    const Heard h = feed(kAnswer, o);
    EXPECT_EQ(h.text, "Let me ");
    EXPECT_TRUE(h.calls.empty());
    EXPECT_EQ(h.finish_reason, "stop");
}

TEST_F(TurnStreamTest, AHeldBackStopPrefixIsReleasedBeforeTheCall) {
    TurnOptions o = with_tools();
    o.stop = {".x"};  // the "." is held back until the call shows it is not a stop string
    const Heard h = feed(kAnswer, o);
    EXPECT_EQ(h.text, "Let me look.");
    EXPECT_EQ(h.calls.size(), 1u);
    EXPECT_FALSE(h.text_after_calls);
}

TEST_F(TurnStreamTest, AnUnfinishedCallIsContent) {
    const Heard h = feed("<tool_call>\n{\"name\": \"f\"", with_tools());
    EXPECT_EQ(h.text, "<tool_call>\n{\"name\": \"f\"");
    EXPECT_TRUE(h.calls.empty());
}

TEST_F(TurnStreamTest, EachTokenCarriesItsLogprobFromTheRawLogits) {
    TurnOptions o;
    o.top_logprobs = 2;
    o.generate.banned_ids = {7};
    std::vector<std::optional<AnswerLogprob>> heard;
    TurnStream stream(model_->tokenizer(), o, false, [&](const TurnEvent& ev) {
        if (!ev.done) heard.push_back(ev.logprob);
        return true;
    });
    std::vector<float> logits(size_t(model_->tokenizer().size()), -10.0f);
    logits[7] = 5;  // banned: never among the top
    logits[3] = 2;
    logits[4] = 1;
    logits[5] = 0;
    double sum = 0;
    for (const float l : logits) sum += std::exp(double(l));
    stream.on_logits(logits);
    JobEvent ev;
    ev.token = 4;
    stream.on_job_event(ev);
    ASSERT_EQ(heard.size(), 1u);
    ASSERT_TRUE(heard[0]);
    EXPECT_EQ(heard[0]->token.id, 4);
    EXPECT_NEAR(heard[0]->token.logprob, 1.0 - std::log(sum), 1e-5);
    ASSERT_EQ(heard[0]->top.size(), 2u);
    EXPECT_EQ(heard[0]->top[0].id, 3);
    EXPECT_EQ(heard[0]->top[1].id, 4);
    EXPECT_NEAR(heard[0]->top[0].logprob, 2.0 - std::log(sum), 1e-5);
}

}  // namespace
}  // namespace qe
