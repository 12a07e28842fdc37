// tool_choice "required" and a named function through the real server API on the small golden
// model: its answers are noise, so every call that comes back is the constraint's doing. Each
// must name a tool that may be called and carry arguments valid under that tool's schema.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "model/loaded_model.h"
#include "server/api.h"
#include "support/small_hf_model.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

const json kWeather = json::parse(R"({"type": "object",
    "properties": {"city": {"type": "string", "maxLength": 10},
                   "unit": {"enum": ["celsius", "fahrenheit"]},
                   "days": {"type": "integer", "minimum": 1, "maximum": 7}},
    "required": ["city", "unit"], "additionalProperties": false})");
const json kOrder = json::parse(R"({"type": "object",
    "properties": {"order_id": {"type": "string", "minLength": 4, "maxLength": 8}},
    "required": ["order_id"]})");

json tools() {
    return {
        {{"type", "function"}, {"function", {{"name", "get_weather"}, {"parameters", kWeather}}}},
        {{"type", "function"}, {"function", {{"name", "order_status"}, {"parameters", kOrder}}}},
        {{"type", "function"}, {"function", {{"name", "ping"}}}}};
}

json chat(json extra) {
    json body = {{"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"tools", tools()}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return body;
}

// The golden model (Qwen2.5's template: JSON calls), or the model at `path`.
std::unique_ptr<Api> make_api(const std::string& path = std::string(QE_GOLDEN_DIR) +
                                                        "/g448-q8_0.gguf") {
    auto api = std::make_unique<Api>(ApiOptions{});
    auto model = LoadedModel::open(path);
    SchedulerOptions so;
    so.slots = 2;
    so.n_ctx = 1024;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

HttpRequest post(const json& body) {
    HttpRequest req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = body.dump();
    return req;
}

// `arguments` (a JSON string) is a document of the named tool's schema.
void expect_valid_call(const json& call, const std::set<std::string>& names) {
    const std::string name = call["function"]["name"];
    ASSERT_TRUE(names.count(name)) << call.dump();
    const json schema = name == "get_weather" ? kWeather
                        : name == "order_status"
                            ? kOrder
                            : json{{"type", "object"}, {"additionalProperties", false}};
    grammar::Matcher m(
        std::make_shared<const grammar::Grammar>(grammar::compile_json_schema(schema)));
    const std::string args = call["function"]["arguments"];
    EXPECT_TRUE(m.accept(args) && m.accepting()) << name << ": " << args;
    EXPECT_NO_THROW((void)json::parse(args)) << args;
    EXPECT_EQ(call["type"], "function");
    EXPECT_FALSE(call["id"].get<std::string>().empty());
}

TEST(ApiToolChoice, ANamedFunctionIsAlwaysCalledWithValidArguments) {
    auto api = make_api();
    for (int seed = 0; seed < 4; ++seed) {
        const auto r = api->handle(post(chat(
            {{"max_tokens", 200},
             {"seed", seed},
             {"temperature", 1.0},
             {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}}})));
        ASSERT_EQ(r.status, 200) << r.body;
        const json choice = json::parse(r.body)["choices"][0];
        EXPECT_EQ(choice["finish_reason"], "tool_calls") << choice.dump();
        ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u) << choice.dump();
        expect_valid_call(choice["message"]["tool_calls"][0], {"get_weather"});
        EXPECT_TRUE(choice["message"]["content"].is_null()) << choice.dump();
    }
}

TEST(ApiToolChoice, Qwen35WritesItsCallsInTheXmlForm) {
    // A small model with Qwen3.5's chat template.
    std::ifstream in(std::string(QE_GOLDEN_DIR) + "/qwen3.5-chat-template.jinja");
    std::stringstream source;
    source << in.rdbuf();
    const auto dir = std::filesystem::path(QE_TEST_TMP_DIR) / "tool_choice_qwen35_template";
    test::write_small_hf_model(dir, source.str());
    EXPECT_TRUE(LoadedModel::open(dir.string())->template_writes_xml_tool_calls());
    EXPECT_FALSE(LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf")
                     ->template_writes_xml_tool_calls());
    auto api = make_api(dir.string());
    for (int seed = 0; seed < 3; ++seed) {
        const auto r = api->handle(post(chat(
            {{"max_tokens", 300},
             {"chat_template_kwargs", {{"enable_thinking", false}}},
             {"seed", seed},
             {"temperature", 1.0},
             {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}}})));
        ASSERT_EQ(r.status, 200) << r.body;
        const json choice = json::parse(r.body)["choices"][0];
        EXPECT_EQ(choice["finish_reason"], "tool_calls") << choice.dump();
        ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u) << choice.dump();
        expect_valid_call(choice["message"]["tool_calls"][0], {"get_weather"});
    }
}

TEST(ApiToolChoice, RequiredCallsOneOrSeveralOfTheTools) {
    auto api = make_api();
    for (bool parallel : {false, true}) {
        for (int seed = 0; seed < 4; ++seed) {
            const auto r = api->handle(post(chat({{"max_tokens", 300},
                                                  {"seed", seed},
                                                  {"temperature", 1.0},
                                                  {"parallel_tool_calls", parallel},
                                                  {"tool_choice", "required"}})));
            ASSERT_EQ(r.status, 200) << r.body;
            const json choice = json::parse(r.body)["choices"][0];
            const json& calls = choice["message"]["tool_calls"];
            ASSERT_GE(calls.size(), 1u) << choice.dump();
            if (!parallel) EXPECT_EQ(calls.size(), 1u);
            for (const json& call : calls)
                expect_valid_call(call, {"get_weather", "order_status", "ping"});
            // Several calls may run into the budget; one always fits.
            if (!parallel) EXPECT_EQ(choice["finish_reason"], "tool_calls");
        }
    }
}

TEST(ApiToolChoice, StreamedCallsArriveAsToolCallDeltas) {
    auto api = make_api();
    const auto r = api->handle(post(
        chat({{"max_tokens", 200},
              {"seed", 7},
              {"temperature", 1.0},
              {"stream", true},
              {"tool_choice", {{"type", "function"}, {"function", {{"name", "order_status"}}}}}})));
    ASSERT_EQ(r.status, 200) << r.body;
    std::string buffer, finish;
    json call = {{"type", "function"}, {"function", {{"name", ""}, {"arguments", ""}}}};
    r.stream([&](std::string_view piece) {
        buffer.append(piece);
        size_t end;
        while ((end = buffer.find("\n\n")) != std::string::npos) {
            const std::string event = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            if (!event.starts_with("data: {")) continue;
            const json c = json::parse(event.substr(6))["choices"][0];
            if (c["finish_reason"].is_string()) finish = c["finish_reason"];
            if (!c["delta"].contains("tool_calls")) continue;
            const json& d = c["delta"]["tool_calls"][0];
            if (d.contains("id")) call["id"] = d["id"];
            if (d["function"].contains("name"))
                call["function"]["name"] = call["function"]["name"].get<std::string>() +
                                           d["function"]["name"].get<std::string>();
            if (d["function"].contains("arguments"))
                call["function"]["arguments"] = call["function"]["arguments"].get<std::string>() +
                                                d["function"]["arguments"].get<std::string>();
        }
        return true;
    });
    EXPECT_EQ(finish, "tool_calls");
    ASSERT_TRUE(call.contains("id"));
    expect_valid_call(call, {"order_status"});
}

TEST(ApiToolChoice, ErrorsNameWhatAndWhere) {
    auto api = make_api();
    auto error_of = [&](const json& body) {
        const auto r = api->handle(post(body));
        EXPECT_EQ(r.status, 400) << r.body;
        return json::parse(r.body)["error"];
    };
    json bad = tools();
    bad[1]["function"]["parameters"]["properties"]["order_id"]["pattern"] = "[0-9]+";
    const json e = error_of(chat({{"tools", bad}, {"tool_choice", "required"}}));
    EXPECT_EQ(e["param"], "tools[1].function.parameters");
    EXPECT_NE(e["message"].get<std::string>().find(
                  "unsupported keyword 'pattern' at /properties/order_id"),
              std::string::npos)
        << e.dump();
    // The same tool is fine when it is not the one forced, or nothing is forced.
    const auto ok = api->handle(
        post(chat({{"tools", bad},
                   {"max_tokens", 60},
                   {"tool_choice", {{"type", "function"}, {"function", {{"name", "ping"}}}}}})));
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(
        error_of(chat({{"tool_choice",
                        {{"type", "function"}, {"function", {{"name", "get_time"}}}}}}))["param"],
        "tool_choice.function.name");
    EXPECT_EQ(error_of(chat({{"tool_choice", "required"},
                             {"response_format", {{"type", "json_object"}}}}))["param"],
              "response_format");
}

}  // namespace
}  // namespace qe
