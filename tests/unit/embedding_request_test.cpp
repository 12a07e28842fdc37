// POST /v1/embeddings bodies: every input form OpenAI's schema has, and each bad field or value
// refused by name.
#include "server/embedding_request.h"

#include <gtest/gtest.h>

namespace qe {
namespace {

using json = nlohmann::ordered_json;

ApiError error_of(const json& body) {
    try {
        parse_embedding_request(body);
    } catch (const ApiException& e) {
        return e.error;
    }
    ADD_FAILURE() << "no error for " << body.dump();
    return {};
}

TEST(EmbeddingRequest, EveryInputForm) {
    auto one = parse_embedding_request({{"input", "hello"}});
    ASSERT_EQ(one.inputs.size(), 1u);
    EXPECT_EQ(one.inputs[0].text, "hello");
    EXPECT_EQ(one.dimensions, 0);
    EXPECT_FALSE(one.base64);
    EXPECT_FALSE(one.instruction);

    auto texts = parse_embedding_request({{"input", {"a", "b", "c"}}});
    ASSERT_EQ(texts.inputs.size(), 3u);
    EXPECT_EQ(texts.inputs[2].text, "c");

    auto ids = parse_embedding_request({{"input", {1, 2, 3}}});
    ASSERT_EQ(ids.inputs.size(), 1u);
    EXPECT_FALSE(ids.inputs[0].text);
    EXPECT_EQ(ids.inputs[0].ids, (std::vector<int>{1, 2, 3}));

    auto many = parse_embedding_request({{"input", {{1, 2}, {3}}}});
    ASSERT_EQ(many.inputs.size(), 2u);
    EXPECT_EQ(many.inputs[1].ids, (std::vector<int>{3}));

    auto mixed = parse_embedding_request({{"input", json::array({"text", json::array({4, 5})})}});
    ASSERT_EQ(mixed.inputs.size(), 2u);
    EXPECT_EQ(mixed.inputs[0].text, "text");
    EXPECT_EQ(mixed.inputs[1].ids, (std::vector<int>{4, 5}));
}

TEST(EmbeddingRequest, EveryField) {
    const auto r = parse_embedding_request({{"input", "q"},
                                            {"model", "Qwen3-Embedding-0.6B"},
                                            {"dimensions", 128},
                                            {"encoding_format", "base64"},
                                            {"user", "someone"},
                                            {"instruction", "Find the answer"}});
    EXPECT_EQ(r.model, "Qwen3-Embedding-0.6B");
    EXPECT_EQ(r.dimensions, 128);
    EXPECT_TRUE(r.base64);
    EXPECT_EQ(r.instruction, "Find the answer");
    EXPECT_FALSE(parse_embedding_request({{"input", "q"}, {"encoding_format", "float"}}).base64);
    EXPECT_EQ(instructed_query("Find the answer", "what?"),
              "Instruct: Find the answer\nQuery:what?");
}

TEST(EmbeddingRequest, BadFieldsAndValuesNameTheField) {
    struct Case {
        json body;
        std::string param, code;
    };
    const std::vector<Case> cases = {
        {json::array(), "", "invalid_type"},
        {json::object(), "input", "missing_required_parameter"},
        {{{"input", nullptr}}, "input", "missing_required_parameter"},
        {{{"input", ""}}, "input", "invalid_value"},
        {{{"input", json::array()}}, "input", "invalid_value"},
        {{{"input", {json::array()}}}, "input", "invalid_value"},
        {{{"input", {"a", ""}}}, "input", "invalid_value"},
        {{{"input", 5}}, "input", "invalid_type"},
        {{{"input", {1, -2}}}, "input", "invalid_type"},
        {{{"input", {1, 2.5}}}, "input", "invalid_type"},
        {{{"input", {1, "a"}}}, "input", "invalid_type"},
        {{{"input", {"a", 1}}}, "input", "invalid_type"},
        {{{"input", {{1}, {"a"}}}}, "input", "invalid_type"},
        {{{"input", "a"}, {"model", 3}}, "model", "invalid_type"},
        {{{"input", "a"}, {"dimensions", 0}}, "dimensions", "invalid_value"},
        {{{"input", "a"}, {"dimensions", -4}}, "dimensions", "invalid_value"},
        {{{"input", "a"}, {"dimensions", 1.5}}, "dimensions", "invalid_type"},
        {{{"input", "a"}, {"dimensions", "64"}}, "dimensions", "invalid_type"},
        {{{"input", "a"}, {"encoding_format", "int8"}}, "encoding_format", "invalid_value"},
        {{{"input", "a"}, {"encoding_format", 1}}, "encoding_format", "invalid_type"},
        {{{"input", "a"}, {"user", 1}}, "user", "invalid_type"},
        {{{"input", "a"}, {"instruction", {"x"}}}, "instruction", "invalid_type"},
        {{{"input", "a"}, {"temperature", 0.5}}, "temperature", "unknown_parameter"},
        {{{"input", "a"}, {"dimension", 64}}, "dimension", "unknown_parameter"},
    };
    for (const auto& c : cases) {
        const ApiError e = error_of(c.body);
        EXPECT_EQ(e.status, 400) << c.body.dump();
        EXPECT_EQ(e.param, c.param) << c.body.dump();
        EXPECT_EQ(e.code, c.code) << c.body.dump() << ": " << e.message;
        if (!c.param.empty()) EXPECT_NE(e.message.find(c.param), std::string::npos) << e.message;
    }
    // An input in a list is named by its index.
    EXPECT_NE(error_of({{"input", {"a", "b", ""}}}).message.find("input[2]"), std::string::npos);
    EXPECT_NE(error_of({{"input", {{1}, json::array()}}}).message.find("input[1]"),
              std::string::npos);
    EXPECT_EQ(error_of({{"input", std::vector<std::string>(kMaxEmbeddingInputs + 1, "a")}}).param,
              "input");
}

}  // namespace
}  // namespace qe
