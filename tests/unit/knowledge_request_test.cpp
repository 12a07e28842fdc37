// The knowledge endpoints' bodies: good ones read, every bad field refused naming it.
#include "server/knowledge_request.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

using json = nlohmann::ordered_json;

std::string param_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ApiException& e) {
        return e.error.param + "/" + e.error.code;
    }
    return "(accepted)";
}

TEST(KnowledgeRequest, CreateAndSearch) {
    EXPECT_EQ(parse_create_base(json{{"name", "公司制度"}}), "公司制度");
    EXPECT_EQ(param_of([] { parse_create_base(json{{"name", "../x"}}); }), "name/invalid_value");
    EXPECT_EQ(param_of([] { parse_create_base(json{{"name", 3}}); }), "name/invalid_type");
    EXPECT_EQ(param_of([] {
                  parse_create_base(json{{"name", "a"}, {"x", 1}});
              }),
              "x/unknown_parameter");
    EXPECT_EQ(param_of([] { parse_create_base(json::array()); }), "/invalid_type");

    const auto s = parse_knowledge_search(json{{"query", "报销"}, {"top_k", 7}});
    EXPECT_EQ(s.query, "报销");
    EXPECT_EQ(s.top_k, 7);
    EXPECT_EQ(parse_knowledge_search(json{{"query", "q"}}).top_k, kDefaultKnowledgeTopK);
    EXPECT_EQ(param_of([] { parse_knowledge_search(json{{"query", ""}}); }), "query/invalid_value");
    EXPECT_EQ(param_of([] {
                  parse_knowledge_search(json{{"query", "q"}, {"top_k", 0}});
              }),
              "top_k/invalid_value");
    EXPECT_EQ(param_of([] {
                  parse_knowledge_search(json{{"query", "q"}, {"top_k", 21}});
              }),
              "top_k/invalid_value");
    EXPECT_EQ(param_of([] {
                  parse_knowledge_search(json{{"query", "q"}, {"top_k", 2.5}});
              }),
              "top_k/invalid_type");
    EXPECT_EQ(param_of([] {
                  parse_knowledge_search(json{{"query", std::string(kMaxQuestionBytes + 1, 'a')}});
              }),
              "query/invalid_value");
}

TEST(KnowledgeRequest, ChatField) {
    EXPECT_FALSE(parse_chat_knowledge(json{{"messages", 1}}, "d"));
    EXPECT_FALSE(parse_chat_knowledge(json{{"knowledge", false}}, "d"));
    EXPECT_FALSE(parse_chat_knowledge(json{{"knowledge", nullptr}}, "d"));
    const auto on = parse_chat_knowledge(json{{"knowledge", true}}, "默认");
    ASSERT_TRUE(on);
    EXPECT_EQ(on->base, "默认");
    EXPECT_EQ(on->top_k, 5);
    const auto named =
        parse_chat_knowledge(json{{"knowledge", {{"base", "公司制度"}, {"top_k", 3}}}}, "");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->base, "公司制度");
    EXPECT_EQ(named->top_k, 3);
    EXPECT_EQ(param_of([] {
                  parse_chat_knowledge(json{{"knowledge", true}}, "");
              }),
              "knowledge/invalid_value");
    EXPECT_EQ(param_of([] {
                  parse_chat_knowledge(json{{"knowledge", "x"}}, "d");
              }),
              "knowledge/invalid_type");
    EXPECT_EQ(param_of([] {
                  parse_chat_knowledge(json{{"knowledge", {{"bse", "x"}}}}, "d");
              }),
              "knowledge.bse/unknown_parameter");
    EXPECT_EQ(param_of([] {
                  parse_chat_knowledge(json{{"knowledge", {{"base", "x"}, {"top_k", 99}}}}, "");
              }),
              "knowledge.top_k/invalid_value");
    EXPECT_EQ(param_of([] {
                  parse_chat_knowledge(json{{"knowledge", {{"base", "/etc"}}}}, "");
              }),
              "knowledge.base/invalid_value");
}

}  // namespace
}  // namespace qe
