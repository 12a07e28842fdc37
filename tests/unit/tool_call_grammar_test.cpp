// The grammar of tool_choice "required" and named calls: what it accepts in both of Qwen's forms,
// what it refuses, the tags as the added tokens only, and its errors.
#include "grammar/tool_call_grammar.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "chat/tool_call_parser.h"
#include "grammar/document_constraint.h"
#include "grammar/token_mask.h"
#include "grammar_test_util.h"
#include "grammar_vocab.h"
#include "tokenizer_fixture.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;
using grammar::ToolCallForm;
using grammar::ToolSignature;
using qe::testing::matches;
using qe::testing::prefix;

const std::string kOpen(grammar::kToolCallOpenMark), kClose(grammar::kToolCallCloseMark);

std::vector<ToolSignature> tools() {
    return {
        {"get_weather",
         {{"type", "object"},
          {"properties",
           {{"city", {{"type", "string"}, {"maxLength", 8}}},
            {"days", {{"type", "integer"}, {"minimum", 1}, {"maximum", 7}}}}},
          {"required", {"city"}}}},
        {"ping", nullptr},  // no parameters: {}
    };
}

std::shared_ptr<const grammar::Grammar> compiled(ToolCallForm form, bool several,
                                                 std::vector<ToolSignature> t = tools()) {
    return std::make_shared<const grammar::Grammar>(grammar::compile_tool_calls(t, form, several));
}

std::string json_call(const std::string& name, const std::string& args) {
    return kOpen + "\n{\"name\": \"" + name + "\", \"arguments\": " + args + "}\n" + kClose;
}

TEST(ToolCallGrammar, JsonFormAcceptsCallsOfTheToolsOnly) {
    const auto g = compiled(ToolCallForm::kJson, false);
    EXPECT_TRUE(matches(g, json_call("get_weather", "{\"city\": \"Paris\"}")));
    EXPECT_TRUE(matches(g, json_call("get_weather", "{\"city\":\"北京\",\"days\":3}")));
    EXPECT_TRUE(matches(g, "\n\n" + json_call("ping", "{}")));
    EXPECT_FALSE(prefix(g, kOpen + "\n{\"name\": \"get_time\""));  // unknown
    EXPECT_FALSE(matches(g, json_call("get_weather", "{}")));      // required
    EXPECT_FALSE(matches(g, json_call("get_weather", "{\"city\": \"Paris\", \"days\": 9}")));
    EXPECT_FALSE(matches(g, json_call("get_weather", "{\"city\": \"Copenhagen\"}")));  // > 8
    EXPECT_FALSE(matches(g, json_call("ping", "{\"x\": 1}")));
    // The tag is the added token's mark, never its text.
    EXPECT_FALSE(prefix(g, "<tool_call>"));
    EXPECT_FALSE(prefix(g, "Sure! " + kOpen));
    // One call, unless several are allowed.
    const std::string two = json_call("ping", "{}") + "\n" + json_call("ping", "{}");
    EXPECT_FALSE(matches(g, two));
    EXPECT_TRUE(matches(compiled(ToolCallForm::kJson, true), two));
    EXPECT_FALSE(matches(compiled(ToolCallForm::kJson, true), ""));
}

TEST(ToolCallGrammar, XmlFormWritesTextAndJsonValuesTheParserReadsBack) {
    const auto g = compiled(ToolCallForm::kXml, false);
    const std::string call = kOpen +
                             "\n<function=get_weather>\n<parameter=city>\nSan José\n</parameter>\n"
                             "<parameter=days>\n3\n</parameter>\n</function>\n" +
                             kClose;
    EXPECT_TRUE(matches(g, call));
    EXPECT_TRUE(matches(g, kOpen + "\n<function=ping>\n</function>\n" + kClose));
    EXPECT_FALSE(matches(g, kOpen + "\n<function=get_weather>\n</function>\n" + kClose));
    EXPECT_FALSE(prefix(g, kOpen + "\n<function=get_weather>\n<parameter=city>\na<"));
    EXPECT_FALSE(prefix(g, kOpen + "\n<function=get_weather>\n<parameter=days>\n8"));

    // What the parser makes of it (the tags as the text of the added tokens).
    const std::string body = call.substr(kOpen.size(), call.size() - kOpen.size() - kClose.size());
    json t = json::array();
    for (const auto& s : tools())
        t.push_back(
            {{"type", "function"}, {"function", {{"name", s.name}, {"parameters", s.parameters}}}});
    const auto parsed = parse_tool_call(body, t);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->name, "get_weather");
    EXPECT_EQ(parsed->arguments, R"({"city":"San José","days":3})");
}

TEST(ToolCallGrammar, EnumsAndConstsOfTextInTheXmlForm) {
    const std::vector<ToolSignature> t = {
        {"set",
         {{"type", "object"},
          {"properties", {{"unit", {{"enum", {"C", "F"}}}}, {"mode", {{"const", "fast"}}}}},
          {"required", {"unit", "mode"}}}}};
    const auto g = compiled(ToolCallForm::kXml, false, t);
    const auto call = [](const std::string& unit) {
        return kOpen + "\n<function=set>\n<parameter=unit>\n" + unit +
               "\n</parameter>\n<parameter=mode>\nfast\n</parameter>\n</function>\n" + kClose;
    };
    EXPECT_TRUE(matches(g, call("C")));
    EXPECT_FALSE(matches(g, call("K")));
    EXPECT_FALSE(matches(g, call("\"C\"")));
}

TEST(ToolCallGrammar, BadSchemasNameTheToolAndThePlace) {
    std::vector<ToolSignature> t = tools();
    t[1].parameters = {{"type", "object"},
                       {"properties", {{"q", {{"type", "string"}, {"pattern", "a"}}}}}};
    try {
        (void)grammar::compile_tool_calls(t, ToolCallForm::kJson, false);
        FAIL() << "no error";
    } catch (const grammar::ToolSchemaError& e) {
        EXPECT_EQ(e.tool, 1u);
        EXPECT_STREQ(e.what(), "json_schema: unsupported keyword 'pattern' at /properties/q");
    }
    t[1].parameters = {{"type", "object"},
                       {"properties", {{"d", {{"type", "string"}, {"format", "date"}}}}}};
    EXPECT_NO_THROW((void)grammar::compile_tool_calls(t, ToolCallForm::kJson, false));
    try {
        (void)grammar::compile_tool_calls(t, ToolCallForm::kXml, false);
        FAIL() << "no error";
    } catch (const grammar::ToolSchemaError& e) {
        EXPECT_EQ(e.tool, 1u);
        EXPECT_NE(std::string(e.what()).find("'format' is not supported"), std::string::npos)
            << e.what();
    }
    t[1].parameters = {{"anyOf", {{{"type", "object"}}}}};
    EXPECT_THROW((void)grammar::compile_tool_calls(t, ToolCallForm::kXml, false),
                 grammar::ToolSchemaError);
    // Texts the parser would read back as JSON, or a mix of texts and JSON values, need a type.
    for (const json& values : {json{"1", "a"}, json{"a", 2}}) {
        t[1].parameters = {{"type", "object"}, {"properties", {{"v", {{"enum", values}}}}}};
        EXPECT_THROW((void)grammar::compile_tool_calls(t, ToolCallForm::kXml, false),
                     grammar::ToolSchemaError)
            << values;
        EXPECT_NO_THROW((void)grammar::compile_tool_calls(t, ToolCallForm::kJson, false));
    }
}

// On the Qwen2.5 vocabulary: the tags can only be the added tokens, and a whole call can be
// sampled token by token.
TEST(ToolCallGrammar, TheTagsAreTheAddedTokens) {
    const Tokenizer& tok = qe::testing::qwen25();
    const int32_t open = tok.find_added("<tool_call>"), close = tok.find_added("</tool_call>");
    ASSERT_GE(open, 0);
    std::vector<std::string_view> bytes(size_t(tok.size()));
    for (int32_t id = 0; id < tok.size(); ++id)
        if (tok.kind(id) == TokenKind::kNormal) bytes[size_t(id)] = tok.token_bytes(id);
    grammar::mark_tool_call_tags(bytes, open, close);
    auto trie = std::make_shared<const grammar::TokenTrie>(bytes);
    auto masker =
        std::make_shared<grammar::TokenMasker>(compiled(ToolCallForm::kJson, false), trie);
    grammar::DocumentConstraint c(masker, qe::testing::qwen25_end_ids(), 200);

    const auto first = qe::testing::allowed_ids(c.allowed());
    EXPECT_NE(std::find(first.begin(), first.end(), open), first.end());
    for (int32_t id : first) {
        const std::string_view b = trie->token_bytes(id);
        EXPECT_TRUE(id == open || b.find_first_not_of('\n') == std::string_view::npos)
            << id << " " << b;
    }
    // The call written with the tag tokens goes through; the closing tag is the added token.
    ASSERT_TRUE(c.accept(open));
    for (int32_t id : tok.encode("\n{\"name\": \"ping\", \"arguments\": {}}\n"))
        ASSERT_TRUE(c.accept(id)) << id;
    const auto last = qe::testing::allowed_ids(c.allowed());
    ASSERT_EQ(last, std::vector<int32_t>{close});
    ASSERT_TRUE(c.accept(close));
    EXPECT_TRUE(c.complete());
}

}  // namespace
}  // namespace qe
