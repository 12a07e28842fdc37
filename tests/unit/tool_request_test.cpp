// The tool fields of a chat request: what is accepted, and a 400 naming the field for the rest.
#include "server/tool_request.h"

#include <gtest/gtest.h>

#include "server/api_error.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

json weather_tool() {
    return json::parse(R"({"type": "function", "function": {"name": "get_weather",
        "description": "today's weather", "parameters": {"type": "object",
        "properties": {"city": {"type": "string"}}, "required": ["city"]}}})");
}

ApiError error_of(const json& body) {
    try {
        parse_tool_request(body);
    } catch (const ApiException& e) {
        return e.error;
    }
    ADD_FAILURE() << "no error for " << body.dump();
    return {};
}

TEST(ToolRequest, Defaults) {
    const ToolRequest r = parse_tool_request(json::object());
    EXPECT_EQ(r.tools, json::array());
    EXPECT_TRUE(r.may_call);
    EXPECT_TRUE(r.parallel_tool_calls);
}

TEST(ToolRequest, AcceptsToolsAutoNoneAndParallel) {
    json no_params = {{"type", "function"}, {"function", {{"name", "now"}}}};
    const ToolRequest r = parse_tool_request({{"tools", {weather_tool(), no_params}},
                                              {"tool_choice", "auto"},
                                              {"parallel_tool_calls", false}});
    EXPECT_EQ(r.tools.size(), 2u);
    EXPECT_TRUE(r.may_call);
    EXPECT_FALSE(r.parallel_tool_calls);
    EXPECT_FALSE(
        parse_tool_request({{"tools", {weather_tool()}}, {"tool_choice", "none"}}).may_call);
    EXPECT_FALSE(parse_tool_request({{"tool_choice", "none"}}).may_call);
}

TEST(ToolRequest, BadToolsNameTheirField) {
    const std::pair<json, const char*> cases[] = {
        {json{{"tools", "get_weather"}}, "tools"},
        {json{{"tools", {weather_tool(), 3}}}, "tools[1]"},
        {json{{"tools", {{{"function", {{"name", "f"}}}}}}}, "tools[0].type"},
        {json{{"tools", {{{"type", "retrieval"}, {"function", {{"name", "f"}}}}}}},
         "tools[0].type"},
        {json{{"tools", {{{"type", "function"}}}}}, "tools[0].function"},
        {json{{"tools", {{{"type", "function"}, {"function", {{"description", "x"}}}}}}},
         "tools[0].function.name"},
        {json{{"tools", {{{"type", "function"}, {"function", {{"name", ""}}}}}}},
         "tools[0].function.name"},
        {json{{"tools",
               {{{"type", "function"}, {"function", {{"name", "f"}, {"parameters", "x"}}}}}}},
         "tools[0].function.parameters"},
        {json{{"tools",
               {{{"type", "function"},
                 {"function", {{"name", "f"}, {"parameters", {{"type", "string"}}}}}}}}},
         "tools[0].function.parameters"},
        {json{{"tools", {weather_tool(), weather_tool()}}}, "tools[1].function.name"},
    };
    for (const auto& [body, param] : cases) {
        const ApiError e = error_of(body);
        EXPECT_EQ(e.status, 400);
        EXPECT_EQ(e.param, param) << body.dump();
        EXPECT_NE(e.message.find(param), std::string::npos) << e.message;
    }
}

TEST(ToolRequest, ToolChoiceNamingAnUnknownFunction) {
    const ApiError e =
        error_of({{"tools", {weather_tool()}},
                  {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_time"}}}}}});
    EXPECT_EQ(e.param, "tool_choice.function.name");
    EXPECT_NE(e.message.find("get_time"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("get_weather"), std::string::npos) << e.message;
}

TEST(ToolRequest, RequiredAndNamedCalls) {
    const ToolRequest required =
        parse_tool_request({{"tools", {weather_tool()}}, {"tool_choice", "required"}});
    EXPECT_EQ(required.choice, ToolRequest::Choice::kRequired);
    EXPECT_TRUE(required.may_call);
    const ToolRequest named = parse_tool_request(
        {{"tools", {weather_tool()}},
         {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}}});
    EXPECT_EQ(named.choice, ToolRequest::Choice::kFunction);
    EXPECT_EQ(named.function, "get_weather");
    // Nothing to call.
    const ApiError e = error_of({{"tool_choice", "required"}});
    EXPECT_EQ(e.param, "tool_choice");
    EXPECT_NE(e.message.find("needs functions in 'tools'"), std::string::npos) << e.message;
}

TEST(ToolRequest, BadToolChoiceAndParallel) {
    EXPECT_EQ(error_of({{"tool_choice", "sometimes"}}).code, "invalid_value");
    EXPECT_EQ(error_of({{"tool_choice", 1}}).code, "invalid_type");
    EXPECT_EQ(error_of({{"tool_choice", {{"type", "function"}}}}).param, "tool_choice");
    const ApiError e = error_of({{"parallel_tool_calls", "yes"}});
    EXPECT_EQ(e.param, "parallel_tool_calls");
    EXPECT_EQ(e.code, "invalid_type");
}

}  // namespace
}  // namespace qe
