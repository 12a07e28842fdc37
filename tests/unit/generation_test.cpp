// A request's answer in OpenAI's shapes, fed fixed turn events: tool calls whole and streamed
// (finish_reason tool_calls, null content, one call only when asked), and log-probabilities
// carried by the chunk that sends their tokens.
#include "server/generation.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "model/loaded_model.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

TurnEvent text(const std::string& t) {
    TurnEvent ev;
    ev.text = t;
    ev.token = 1;
    return ev;
}

TurnEvent calls(std::vector<ToolCall> c) {
    TurnEvent ev;
    ev.tool_calls = std::move(c);
    ev.token = 2;
    return ev;
}

TurnEvent end(const std::string& reason) {
    TurnEvent ev;
    ev.done = true;
    ev.finish_reason = reason;
    return ev;
}

// The SSE payloads, [DONE] left out.
std::vector<json> events(const Generation& g) {
    std::vector<json> out;
    for (const std::string& c : g.chunks) {
        const std::string payload = c.substr(6, c.size() - 8);  // "data: " ... "\n\n"
        if (payload != "[DONE]") out.push_back(json::parse(payload));
    }
    return out;
}

const ToolCall kWeather{"get_weather", R"({"city":"北京"})"};
const ToolCall kTime{"get_time", "{}"};

TEST(Generation, ToolCallsStreamAsOpenAIStreamsThem) {
    Generation g;
    g.stream = true;
    g.on_event(text("Let me check."));
    g.on_event(calls({kWeather, kTime}));
    g.on_event(end("stop"));
    ASSERT_EQ(g.chunks.back(), "data: [DONE]\n\n");
    const auto e = events(g);
    ASSERT_EQ(e.size(), 6u);
    EXPECT_EQ(e[0]["choices"][0]["delta"], json({{"content", "Let me check."}}));
    const json first = e[1]["choices"][0]["delta"]["tool_calls"][0];
    EXPECT_EQ(first["index"], 0);
    EXPECT_TRUE(first["id"].get<std::string>().starts_with("call_"));
    EXPECT_EQ(first["type"], "function");
    EXPECT_EQ(first["function"], json({{"name", "get_weather"}, {"arguments", ""}}));
    EXPECT_EQ(e[2]["choices"][0]["delta"]["tool_calls"][0],
              json({{"index", 0}, {"function", {{"arguments", R"({"city":"北京"})"}}}}));
    EXPECT_EQ(e[3]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
    EXPECT_NE(e[3]["choices"][0]["delta"]["tool_calls"][0]["id"], first["id"]);
    EXPECT_EQ(e[4]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"], "{}");
    EXPECT_EQ(e[5]["choices"][0]["finish_reason"], "tool_calls");
}

TEST(Generation, ToolCallsInTheWholeAnswer) {
    Generation g;
    g.on_event(calls({kWeather}));
    g.on_event(end("stop"));
    const json body = g.response_body();
    const json& choice = body["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "tool_calls");
    EXPECT_TRUE(choice["message"]["content"].is_null());  // only calls
    ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u);
    EXPECT_EQ(choice["message"]["tool_calls"][0]["function"],
              json({{"name", "get_weather"}, {"arguments", R"({"city":"北京"})"}}));
    EXPECT_FALSE(choice.contains("logprobs"));  // not asked
}

TEST(Generation, OneCallOnlyAndCutOffCalls) {
    Generation g;
    g.parallel_tool_calls = false;
    g.on_event(text("Sure."));
    g.on_event(calls({kWeather, kTime}));
    g.on_event(end("length"));
    const json body = g.response_body();
    EXPECT_EQ(body["choices"][0]["message"]["content"], "Sure.");
    EXPECT_EQ(body["choices"][0]["message"]["tool_calls"].size(), 1u);
    // Cut off by max_tokens: the reason says so, even after a call.
    EXPECT_EQ(body["choices"][0]["finish_reason"], "length");

    Generation plain;
    plain.on_event(text("Hi"));
    plain.on_event(end("stop"));
    EXPECT_EQ(plain.response_body()["choices"][0]["message"]["content"], "Hi");
    EXPECT_FALSE(plain.response_body()["choices"][0]["message"].contains("tool_calls"));
    EXPECT_EQ(plain.finish_reason, "stop");
}

TEST(Generation, LogprobsRideWithTheChunkThatSendsTheirTokens) {
    const auto model = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    const Tokenizer& tokenizer = model->tokenizer();
    const int hello = tokenizer.encode("Hello", SpecialTokens::kAsText).at(0);
    Generation g;
    g.stream = true;
    g.tokenizer = &tokenizer;
    g.top_logprobs = true;
    TurnEvent held;  // a token whose text is held back (e.g. a possible stop string)
    held.token = hello;
    held.logprob = AnswerLogprob{{hello, -0.5f}, {{hello, -0.5f}}};
    g.on_event(held);
    EXPECT_TRUE(g.chunks.empty());
    TurnEvent sent = text("Hello!");
    sent.logprob = AnswerLogprob{{hello, -1.0f}, {}};
    g.on_event(sent);
    g.on_event(end("stop"));
    const auto e = events(g);
    ASSERT_EQ(e.size(), 2u);
    const json& content = e[0]["choices"][0]["logprobs"]["content"];
    ASSERT_EQ(content.size(), 2u);
    EXPECT_EQ(content[0]["token"], tokenizer.token_bytes(hello));
    EXPECT_EQ(content[0]["logprob"], -0.5);
    EXPECT_EQ(content[0]["top_logprobs"].size(), 1u);
    EXPECT_EQ(content[1]["logprob"], -1.0);
    EXPECT_FALSE(e[1]["choices"][0].contains("logprobs"));  // nothing left for the last chunk
}

}  // namespace
}  // namespace qe
