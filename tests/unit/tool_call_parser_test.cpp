// Tool calls as Qwen writes them: the JSON form (Qwen2.5, Qwen3) and the XML-like form (Qwen3.5's
// template), read into a name and OpenAI's arguments string.
#include "chat/tool_call_parser.h"

#include <gtest/gtest.h>

#include "jinja/chat_template.h"
#include "model/chat_template_load.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

const json kTools = json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
   "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
                  "units": {"type": ["string", "null"]}, "detail": {"type": "object"}}}}}])");

TEST(ToolCallParser, ReadsTheJsonForm) {
    auto call = parse_tool_call(
        "\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n", kTools);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->name, "get_weather");
    EXPECT_EQ(call->arguments, R"({"city":"北京"})");
}

TEST(ToolCallParser, JsonFormArgumentsMissingOrAsAString) {
    auto bare = parse_tool_call(R"({"name": "now"})", nullptr);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->arguments, "{}");
    // A string is passed on as written, even when it is not valid JSON: the client checks it.
    auto text = parse_tool_call(R"({"name": "f", "arguments": "{\"a\": 1"})", nullptr);
    ASSERT_TRUE(text);
    EXPECT_EQ(text->arguments, "{\"a\": 1");
    auto spelled = parse_tool_call(R"({"name": "f", "parameters": {"a": [1, 2]}})", nullptr);
    ASSERT_TRUE(spelled);
    EXPECT_EQ(spelled->arguments, R"({"a":[1,2]})");
}

TEST(ToolCallParser, ReadsTheXmlForm) {
    auto call = parse_tool_call(
        "\n<function=get_weather>\n<parameter=city>\n北京\n</parameter>\n"
        "<parameter=days>\n3\n</parameter>\n</function>\n",
        kTools);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->name, "get_weather");
    EXPECT_EQ(call->arguments, R"({"city":"北京","days":3})");
}

TEST(ToolCallParser, XmlValuesFollowTheSchemaTypes) {
    // A string parameter stays text even when it reads as a number; multi-line text keeps its
    // inner newlines.
    auto call = parse_tool_call(
        "<function=get_weather>\n<parameter=city>\n42\n</parameter>\n<parameter=units>\ntrue\n"
        "</parameter>\n<parameter=detail>\n{\"x\": [1]}\n</parameter>\n</function>",
        kTools);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->arguments, R"({"city":"42","units":"true","detail":{"x":[1]}})");
    // Without a schema: JSON that is not a string is taken as JSON, the rest is text.
    auto loose = parse_tool_call(
        "<function=other>\n<parameter=n>\n2.5\n</parameter>\n<parameter=s>\n\"q\"\n</parameter>\n"
        "<parameter=t>\nline one\nline two\n</parameter>\n</function>",
        kTools);
    ASSERT_TRUE(loose);
    EXPECT_EQ(loose->arguments, R"({"n":2.5,"s":"\"q\"","t":"line one\nline two"})");
    // A number parameter that is not a number stays the text written.
    auto odd = parse_tool_call(
        "<function=get_weather>\n<parameter=days>\nthree\n</parameter>\n</function>", kTools);
    ASSERT_TRUE(odd);
    EXPECT_EQ(odd->arguments, R"({"days":"three"})");
}

TEST(ToolCallParser, NoParametersAndAMissingFunctionClose) {
    auto call = parse_tool_call("<function=now>\n</function>", nullptr);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->name, "now");
    EXPECT_EQ(call->arguments, "{}");
    auto open = parse_tool_call("<function=now>\n<parameter=a>\n1\n</parameter>\n", nullptr);
    ASSERT_TRUE(open);
    EXPECT_EQ(open->arguments, R"({"a":1})");
}

TEST(ToolCallParser, WhatIsNotACall) {
    for (const char* body :
         {"", "hello", "{\"arguments\": {}}", "{\"name\": \"\"}", "{\"name\": 3}", "{broken",
          "[1, 2]", "<function=>\n</function>", "<function=f\n", "<function=f>\n<parameter=a>\n1",
          "<function=f>\nstray text\n</function>", "<function=a\nb>\n</function>"})
        EXPECT_FALSE(parse_tool_call(body, kTools)) << body;
}

TEST(ToolCallParser, BrokenUtf8DoesNotThrow) {
    auto call = parse_tool_call("<function=f>\n<parameter=a>\n\xff\xfe\n</parameter>\n</function>",
                                nullptr);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->arguments, "{\"a\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

// What a model's own template writes for a call (an earlier answer in the conversation) reads
// back as that call: the JSON form of Qwen2.5's template (g448), the XML-like form of Qwen3.5's
// (q35).
TEST(ToolCallParser, ReadsWhatTheModelsTemplatesWrite) {
    const json messages = json::parse(R"([
      {"role": "user", "content": "Weather in 北京 for 3 days?"},
      {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "北京", "days": 3,
                                                          "detail": {"x": [1]}}}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "晴"}])");
    for (const auto& [file, form] : {std::pair{"g448-q8_0.gguf", "{\"name\": \"get_weather\""},
                                     std::pair{"q35-q8_0.gguf", "<function=get_weather>"}}) {
        const ModelChatTemplate t = load_chat_template(std::string(QE_GOLDEN_DIR) + "/" + file);
        const std::string text =
            PromptFormatter(t.for_request(true)).format(messages, kTools, true).text;
        // The call in the answer (the system prompt shows the format too).
        const size_t answer = text.find("<|im_start|>assistant");
        const size_t open = text.find("<tool_call>", answer);
        const size_t close = text.find("</tool_call>", answer);
        ASSERT_NE(close, std::string::npos) << file << ":\n" << text;
        EXPECT_NE(text.find(form, open), std::string::npos) << file << ":\n" << text.substr(open);
        const auto call =
            parse_tool_call(std::string_view(text).substr(open + 11, close - open - 11), kTools);
        ASSERT_TRUE(call) << file;
        EXPECT_EQ(call->name, "get_weather");
        EXPECT_EQ(json::parse(call->arguments),
                  json::parse(R"({"city": "北京", "days": 3, "detail": {"x": [1]}})"))
            << file;
    }
}

}  // namespace
}  // namespace qe
