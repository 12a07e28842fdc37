#include "server/openai_request.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

using json = nlohmann::ordered_json;

ApiError error_of(const json& body) {
    try {
        parse_chat_request(body, SamplingParams{}, RequestLimits{});
    } catch (const ApiException& e) {
        return e.error;
    }
    ADD_FAILURE() << "no error for " << body.dump();
    return {};
}

json chat(json extra = json::object()) {
    json body = {{"model", "qwen"}, {"messages", {{{"role", "user"}, {"content", "你好"}}}}};
    body.update(extra);
    return body;
}

TEST(OpenAIRequest, ParsesAFullRequest) {
    const json body = chat({{"temperature", 0.2},
                            {"top_p", 0.5},
                            {"top_k", 5},
                            {"min_p", 0.05},
                            {"repetition_penalty", 1.2},
                            {"presence_penalty", 0.5},
                            {"frequency_penalty", -0.5},
                            {"seed", 7},
                            {"max_tokens", 64},
                            {"stop", {"\n\n", "END"}},
                            {"stream", true},
                            {"stream_options", {{"include_usage", true}}},
                            {"max_rounds", 3},
                            {"user", "ignored extra field"}});
    const auto r = parse_chat_request(body, SamplingParams{}, RequestLimits{});
    EXPECT_FLOAT_EQ(r.options.sampling.temperature, 0.2f);
    EXPECT_FLOAT_EQ(r.options.sampling.top_p, 0.5f);
    EXPECT_EQ(r.options.sampling.top_k, 5);
    EXPECT_FLOAT_EQ(r.options.sampling.min_p, 0.05f);
    EXPECT_FLOAT_EQ(r.options.sampling.repetition_penalty, 1.2f);
    EXPECT_FLOAT_EQ(r.options.sampling.frequency_penalty, -0.5f);
    EXPECT_EQ(r.options.sampling.seed, 7u);
    EXPECT_EQ(r.options.max_tokens, 64);
    EXPECT_EQ(r.options.stop, (std::vector<std::string>{"\n\n", "END"}));
    EXPECT_TRUE(r.options.stream);
    EXPECT_TRUE(r.options.include_usage);
    EXPECT_EQ(r.max_rounds, 3);
    EXPECT_EQ(r.options.model, "qwen");
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0]["content"], "你好");
}

TEST(OpenAIRequest, FieldsThisServerDoesNotDoAreRefusedNotIgnored) {
    for (const char* name :
         {"functions", "reasoning_effort", "logit_bias", "temprature"}) {
        const json value = std::string(name) == "logit_bias" ? json{{"15", 10}} : json(1);
        const ApiError e = error_of(chat({{name, value}}));
        EXPECT_EQ(e.status, 400) << name;
        EXPECT_EQ(e.param, name);
        // Known with another value than the default, or not known at all.
        const bool known = value.is_object() || value.is_string();
        EXPECT_EQ(e.code, known ? "unsupported_value" : "unknown_parameter") << name;
        EXPECT_NE(e.message.find(name), std::string::npos) << e.message;
    }
    // Values that ask for nothing beyond the default, and nulls, are accepted.
    EXPECT_NO_THROW(parse_chat_request(chat({{"response_format", {{"type", "text"}}},
                                             {"tool_choice", "auto"},
                                             {"parallel_tool_calls", true},
                                             {"logprobs", false},
                                             {"logit_bias", json::object()},
                                             {"store", false},
                                             {"top_k", nullptr}}),
                                       SamplingParams{}, RequestLimits{}));
    // Raw completions too, with their own fields.
    for (const auto& [bad, code] :
         {std::pair{json{{"prompt", "a"}, {"echo", true}}, "unsupported_value"},
          std::pair{json{{"prompt", "a"}, {"messages", json::array()}}, "unknown_parameter"},
          std::pair{json{{"prompt", "a"}, {"best_of", 3}}, "unsupported_value"}}) {
        try {
            parse_completion_request(bad, SamplingParams{}, RequestLimits{});
            ADD_FAILURE() << "no error for " << bad.dump();
        } catch (const ApiException& e) {
            EXPECT_EQ(e.error.code, code) << bad.dump();
        }
    }
    EXPECT_NO_THROW(parse_completion_request({{"prompt", "a"}, {"logprobs", 0}, {"echo", false}},
                                             SamplingParams{}, RequestLimits{}));
}

TEST(OpenAIRequest, MessagesAsOpenAIReturnsThemAreAcceptedOthersNot) {
    const json echoed = {{"role", "assistant"}, {"content", "好"}, {"refusal", nullptr},
                         {"annotations", json::array()}};
    EXPECT_NO_THROW(parse_chat_request(
        {{"messages", {{{"role", "user"}, {"content", "你好"}}, echoed,
                       {{"role", "user"}, {"content", "再见"}}}}},
        SamplingParams{}, RequestLimits{}));
    const ApiError e = error_of({{"messages", {{{"role", "user"}, {"content", "hi"},
                                                {"image_url", "x"}}}}});
    EXPECT_EQ(e.param, "messages[0].image_url");
    EXPECT_EQ(e.code, "unknown_parameter");
    EXPECT_EQ(error_of({{"messages", {{{"role", "assistant"}, {"content", ""},
                                       {"refusal", "I cannot"}}}}})
                  .param,
              "messages[0].refusal");
}

TEST(OpenAIRequest, ModelDefaultsApplyWhenAbsent) {
    SamplingParams defaults;
    defaults.temperature = 0.7f;
    defaults.top_k = 20;
    const auto r = parse_chat_request(chat(), defaults, RequestLimits{});
    EXPECT_FLOAT_EQ(r.options.sampling.temperature, 0.7f);
    EXPECT_EQ(r.options.sampling.top_k, 20);
    EXPECT_FALSE(r.options.max_tokens.has_value());
    EXPECT_FALSE(r.options.stream);
}

TEST(OpenAIRequest, MaxCompletionTokensWinsOverMaxTokens) {
    const auto r = parse_chat_request(chat({{"max_tokens", 10}, {"max_completion_tokens", 20}}),
                                      SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.options.max_tokens, 20);
}

TEST(OpenAIRequest, TextPartsAreJoinedAndDeveloperIsSystem) {
    json body = chat();
    body["messages"] = {
        {{"role", "developer"}, {"content", "be brief"}},
        {{"role", "user"},
         {"content", {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}}};
    const auto r = parse_chat_request(body, SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.messages[0]["role"], "system");
    EXPECT_EQ(r.messages[1]["content"], "ab");
}

TEST(OpenAIRequest, ToolCallArgumentsAreDecoded) {
    json body = chat();
    body["messages"].push_back(
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "c1"},
            {"type", "function"},
            {"function", {{"name", "get_weather"}, {"arguments", "{\"city\": \"北京\"}"}}}}}}});
    body["messages"].push_back({{"role", "tool"}, {"tool_call_id", "c1"}, {"content", "晴"}});
    const auto r = parse_chat_request(body, SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.messages[1]["content"], "");
    EXPECT_EQ(r.messages[1]["tool_calls"][0]["function"]["arguments"]["city"], "北京");
    EXPECT_EQ(r.messages[2]["tool_call_id"], "c1");
}

TEST(OpenAIRequest, ErrorsNameTheField) {
    EXPECT_EQ(error_of(json::array()).code, "invalid_type");
    EXPECT_EQ(error_of({{"model", "x"}}).param, "messages");
    EXPECT_EQ(error_of(chat({{"messages", json::array()}})).param, "messages");
    EXPECT_EQ(error_of(chat({{"temperature", "hot"}})).code, "invalid_type");
    EXPECT_EQ(error_of(chat({{"temperature", 3}})).param, "temperature");
    EXPECT_EQ(error_of(chat({{"max_tokens", 0}})).param, "max_tokens");
    EXPECT_EQ(error_of(chat({{"max_tokens", 1e12}})).param, "max_tokens");
    EXPECT_EQ(error_of(chat({{"max_tokens", 2.5}})).code, "invalid_type");
    EXPECT_EQ(error_of(chat({{"n", 2}})).code, "unsupported_value");
    EXPECT_EQ(error_of(chat({{"stop", {"a", "b", "c", "d", "e"}}})).param, "stop");
    EXPECT_EQ(error_of(chat({{"stop", {1}}})).param, "stop");
    EXPECT_EQ(error_of(chat({{"stop", ""}})).param, "stop");
    EXPECT_EQ(error_of(chat({{"stream", "yes"}})).param, "stream");
    EXPECT_EQ(error_of(chat({{"messages", {{{"role", "wizard"}, {"content", "x"}}}}})).param,
              "messages[0].role");
    EXPECT_EQ(error_of(chat({{"messages", {{{"role", "user"}, {"content", 5}}}}})).param,
              "messages[0].content");
    EXPECT_EQ(
        error_of(chat({{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}}}))
            .code,
        "unsupported_value");
    EXPECT_EQ(error_of(chat({{"logprobs", "yes"}})).param, "logprobs");
    EXPECT_EQ(error_of(chat({{"logprobs", true}, {"top_logprobs", 21}})).param, "top_logprobs");
    EXPECT_EQ(error_of(chat({{"top_logprobs", 2}})).param, "top_logprobs");  // without logprobs
}

TEST(OpenAIRequest, LogprobsOfChatAndCompletions) {
    const auto limits = RequestLimits{};
    EXPECT_FALSE(parse_chat_request(chat(), SamplingParams{}, limits).options.top_logprobs);
    EXPECT_EQ(parse_chat_request(chat({{"logprobs", true}}), SamplingParams{}, limits)
                  .options.top_logprobs,
              0);
    EXPECT_EQ(parse_chat_request(chat({{"logprobs", true}, {"top_logprobs", 20}}), SamplingParams{},
                                 limits)
                  .options.top_logprobs,
              20);
    EXPECT_EQ(parse_completion_request({{"prompt", "a"}, {"logprobs", 5}}, SamplingParams{}, limits)
                  .options.top_logprobs,
              5);
    EXPECT_FALSE(
        parse_completion_request({{"prompt", "a"}}, SamplingParams{}, limits).options.top_logprobs);
    try {
        parse_completion_request({{"prompt", "a"}, {"logprobs", 6}}, SamplingParams{}, limits);
        ADD_FAILURE() << "logprobs 6 accepted";
    } catch (const ApiException& e) {
        EXPECT_EQ(e.error.param, "logprobs");
    }
}

TEST(OpenAIRequest, MessageCountIsLimited) {
    RequestLimits limits;
    limits.max_messages = 2;
    json body = chat();
    for (int i = 0; i < 3; ++i) body["messages"].push_back({{"role", "user"}, {"content", "x"}});
    EXPECT_THROW(parse_chat_request(body, SamplingParams{}, limits), ApiException);
}

// parse_json_body refuses `body` with a 400 invalid_json whose message holds `part`.
::testing::AssertionResult refused_as_invalid_json(const std::string& body,
                                                   const std::string& part) {
    try {
        parse_json_body(body);
    } catch (const ApiException& e) {
        if (e.error.status == 400 && e.error.code == "invalid_json" &&
            e.error.message.find(part) != std::string::npos)
            return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << e.error.status << " " << e.error.code << ": " << e.error.message;
    }
    return ::testing::AssertionFailure() << "accepted: " << body;
}

TEST(OpenAIRequest, MalformedJsonSaysWhere) {
    EXPECT_TRUE(refused_as_invalid_json("{\"model\": ", "byte"));
}

TEST(OpenAIRequest, ANumberTooLargeIsABadRequest) {
    // Found by the fuzzer: valid JSON syntax whose number overflows a double.
    EXPECT_TRUE(refused_as_invalid_json("{\"temperature\": 33333300000E333300000}", "overflow"));
}

TEST(OpenAIRequest, ThinkingSwitchesAndTemplateVariables) {
    ChatCompletionRequest r = parse_chat_request(chat(), SamplingParams{}, RequestLimits{});
    EXPECT_FALSE(r.enable_thinking.has_value());
    EXPECT_TRUE(r.split_reasoning);
    EXPECT_EQ(r.template_variables, json::object());

    // As vLLM and llama.cpp take it; the other keys reach the template too.
    r = parse_chat_request(
        chat({{"chat_template_kwargs", {{"enable_thinking", false}, {"persona", "terse"}}}}),
        SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.enable_thinking, false);
    EXPECT_EQ(r.template_variables, (json{{"enable_thinking", false}, {"persona", "terse"}}));

    r = parse_chat_request(chat({{"enable_thinking", true}, {"reasoning_format", "none"}}),
                           SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.enable_thinking, true);
    EXPECT_EQ(r.template_variables, (json{{"enable_thinking", true}}));
    EXPECT_FALSE(r.split_reasoning);
    for (const char* format : {"auto", "deepseek"})
        EXPECT_TRUE(parse_chat_request(chat({{"reasoning_format", format}}), SamplingParams{},
                                       RequestLimits{})
                        .split_reasoning);
}

TEST(OpenAIRequest, SamplingDefaultsFollowTheThinkingMode) {
    SamplingDefaults defaults;
    defaults.thinking.temperature = 0.6f;
    defaults.non_thinking.temperature = 0.7f;
    auto temperature = [&](const json& body) {
        return parse_chat_request(body, defaults, RequestLimits{}).options.sampling.temperature;
    };
    EXPECT_FLOAT_EQ(temperature(chat()), 0.6f);
    EXPECT_FLOAT_EQ(temperature(chat({{"enable_thinking", true}})), 0.6f);
    EXPECT_FLOAT_EQ(temperature(chat({{"enable_thinking", false}})), 0.7f);
    EXPECT_FLOAT_EQ(temperature(chat({{"chat_template_kwargs", {{"enable_thinking", false}}}})),
                    0.7f);
    EXPECT_FLOAT_EQ(temperature(chat({{"enable_thinking", false}, {"temperature", 0.1}})), 0.1f);
}

TEST(OpenAIRequest, AssistantReasoningContentIsPassedOn) {
    const json body =
        chat({{"messages",
               {{{"role", "user"}, {"content", "2+2?"}},
                {{"role", "assistant"}, {"content", "4"}, {"reasoning_content", "Two and two."}},
                {{"role", "user"}, {"content", "3+3?"}}}}});
    const auto r = parse_chat_request(body, SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.messages[1]["reasoning_content"], "Two and two.");
    EXPECT_FALSE(r.messages[0].contains("reasoning_content"));
}

TEST(OpenAIRequest, BadThinkingFieldsAreRefusedByName) {
    EXPECT_EQ(error_of(chat({{"enable_thinking", "no"}})).param, "enable_thinking");
    EXPECT_EQ(error_of(chat({{"chat_template_kwargs", "x"}})).param, "chat_template_kwargs");
    EXPECT_EQ(error_of(chat({{"chat_template_kwargs", {{"enable_thinking", 0}}}})).param,
              "chat_template_kwargs.enable_thinking");
    EXPECT_EQ(error_of(chat({{"chat_template_kwargs", {{"messages", json::array()}}}})).param,
              "chat_template_kwargs.messages");
    EXPECT_EQ(error_of(chat({{"enable_thinking", true},
                             {"chat_template_kwargs", {{"enable_thinking", false}}}}))
                  .param,
              "enable_thinking");
    const ApiError format = error_of(chat({{"reasoning_format", "hidden"}}));
    EXPECT_EQ(format.param, "reasoning_format");
    EXPECT_EQ(format.status, 400);
    EXPECT_EQ(error_of(chat({{"reasoning_format", 1}})).param, "reasoning_format");
    EXPECT_EQ(
        error_of(chat({{"messages",
                        {{{"role", "assistant"}, {"content", "a"}, {"reasoning_content", 5}}}}}))
            .param,
        "messages[0].reasoning_content");
    EXPECT_EQ(error_of(chat({{"messages",
                              {{{"role", "user"}, {"content", "a"}, {"reasoning_content", "b"}}}}}))
                  .param,
              "messages[0].reasoning_content");
}

TEST(CompletionRequest, TakesOnePrompt) {
    const auto r = parse_completion_request({{"prompt", {"once upon"}}, {"max_tokens", 5}},
                                            SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.prompt, "once upon");
    EXPECT_THROW(
        parse_completion_request({{"prompt", {"a", "b"}}}, SamplingParams{}, RequestLimits{}),
        ApiException);
    EXPECT_THROW(parse_completion_request(json::object(), SamplingParams{}, RequestLimits{}),
                 ApiException);
}

TEST(OpenAIRequest, OutputFormatsAreParsed) {
    const auto r = parse_chat_request(
        chat({{"response_format",
               {{"type", "json_schema"},
                {"json_schema",
                 {{"name", "x"}, {"strict", true}, {"schema", {{"type", "null"}}}}}}}}),
        SamplingParams{}, RequestLimits{});
    EXPECT_EQ(r.options.format.kind, OutputFormat::Kind::kJsonSchema);
    EXPECT_EQ(r.options.format.schema, (json{{"type", "null"}}));
    EXPECT_EQ(parse_chat_request(chat({{"response_format", {{"type", "json_object"}}}}),
                                 SamplingParams{}, RequestLimits{})
                  .options.format.kind,
              OutputFormat::Kind::kJsonObject);
    EXPECT_EQ(
        parse_chat_request(chat({{"grammar", "root ::= \"a\""}}), SamplingParams{}, RequestLimits{})
            .options.format.grammar,
        "root ::= \"a\"");
}

TEST(OpenAIRequest, BadOutputFormatsAreRefusedNamingTheField) {
    EXPECT_EQ(error_of(chat({{"response_format", {{"type", "xml"}}}})).param,
              "response_format.type");
    EXPECT_EQ(error_of(chat({{"response_format", {{"type", "json_schema"}}}})).param,
              "response_format.json_schema");
    EXPECT_EQ(error_of(chat({{"grammar", 3}})).param, "grammar");
    EXPECT_EQ(error_of(chat({{"grammar", "root ::= \"a\""},
                             {"response_format", {{"type", "json_object"}}}}))
                  .param,
              "grammar");
}


}  // namespace
}  // namespace qe
