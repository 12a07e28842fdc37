// response_format and the grammar extra answered through the real server API on the small golden
// model (its answers are noise, so what comes out is what the constraint alone made of it). Their
// parsing: openai_request_test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "model/loaded_model.h"
#include "server/api.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

json chat(json extra) {
    json body = {{"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return body;
}

std::unique_ptr<Api> make_api() {
    auto api = std::make_unique<Api>(ApiOptions{});
    auto model = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    SchedulerOptions so;
    so.slots = 2;
    so.n_ctx = 512;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

json post(Api& api, const json& body, int* status = nullptr) {
    HttpRequest req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = body.dump();
    const HttpResponse r = api.handle(req);
    if (status) *status = r.status;
    return json::parse(r.body);
}

TEST(OutputFormat, AnswersKeepToTheSchema) {
    auto api = make_api();
    const json schema = {{"type", "object"},
                         {"properties",
                          {{"name", {{"type", "string"}, {"maxLength", 12}}},
                           {"n", {{"type", "integer"}, {"minimum", 0}, {"maximum", 99}}},
                           {"ok", {{"type", "boolean"}}}}},
                         {"required", {"name", "n", "ok"}},
                         {"additionalProperties", false}};
    const auto grammar =
        std::make_shared<const grammar::Grammar>(grammar::compile_json_schema(schema));
    // The shortest document, {"name":"","n":0,"ok":true}, is 27 bytes: any budget from 27 on
    // ends with a whole one.
    for (int max_tokens : {27, 40, 100}) {
        for (int seed = 0; seed < 3; ++seed) {
            const json answer =
                post(*api, chat({{"max_tokens", max_tokens},
                                 {"seed", seed},
                                 {"temperature", 1.0},
                                 {"response_format",
                                  {{"type", "json_schema"},
                                   {"json_schema", {{"name", "t"}, {"schema", schema}}}}}}));
            const std::string content = answer["choices"][0]["message"]["content"];
            grammar::Matcher m(grammar);
            EXPECT_TRUE(m.accept(content) && m.accepting())
                << answer["choices"][0]["finish_reason"] << ": " << content;
            EXPECT_NO_THROW((void)json::parse(content)) << content;
        }
    }
}

TEST(OutputFormat, AGrammarAndAnUnsupportedSchemaKeyword) {
    auto api = make_api();
    const json answer =
        post(*api, chat({{"max_tokens", 10}, {"grammar", "root ::= \"yes\" | \"no\""}}));
    const std::string content = answer["choices"][0]["message"]["content"];
    EXPECT_TRUE(content == "yes" || content == "no") << content;
    int status = 0;
    const json error =
        post(*api,
             chat({{"response_format",
                    {{"type", "json_schema"},
                     {"json_schema", {{"schema", {{"type", "string"}, {"pattern", "a+"}}}}}}}}),
             &status);
    EXPECT_EQ(status, 400);
    EXPECT_EQ(error["error"]["message"], "json_schema: unsupported keyword 'pattern' at /");
    EXPECT_EQ(error["error"]["param"], "response_format");
}

}  // namespace
}  // namespace qe
