// A tool call in OpenAI's shapes, whole and streamed.
#include "server/tool_call_json.h"

#include <gtest/gtest.h>

#include <set>

namespace qe {
namespace {

using json = nlohmann::ordered_json;

TEST(ToolCallJson, MessageEntry) {
    const json j = tool_call_json({"get_weather", R"({"city":"北京"})"}, "call_1");
    EXPECT_EQ(j, json::parse(R"({"id": "call_1", "type": "function", "function":
        {"name": "get_weather", "arguments": "{\"city\":\"北京\"}"}})"));
}

TEST(ToolCallJson, StreamedAsTwoDeltas) {
    const auto d = tool_call_deltas({"f", R"({"a":1})"}, "call_2", 1);
    EXPECT_EQ(d[0], json::parse(R"({"index": 1, "id": "call_2", "type": "function",
        "function": {"name": "f", "arguments": ""}})"));
    EXPECT_EQ(d[1], json::parse(R"({"index": 1, "function": {"arguments": "{\"a\":1}"}})"));
}

TEST(ToolCallJson, IdsAreDistinct) {
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = new_tool_call_id();
        EXPECT_EQ(id.size(), 29u);
        EXPECT_TRUE(id.starts_with("call_"));
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace qe
