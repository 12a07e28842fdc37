// The HTTP API without sockets: requests in, OpenAI-shaped responses and SSE streams out, on a
// small golden model (../shared/golden/g448-q8_0.gguf: the real chat template and tokenizer).
#include "server/api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "support/thinking_model.h"

namespace qe {
namespace {

using json = nlohmann::ordered_json;

std::unique_ptr<Api> make_api(ApiOptions o = {}, int slots = 2, int queue = 4) {
    auto api = std::make_unique<Api>(o);
    auto model = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    SchedulerOptions so;
    so.slots = slots;
    so.max_queue = queue;
    so.n_ctx = 512;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

// A small model whose answer is all thinking, or all content (support/thinking_model.h).
std::unique_ptr<Api> make_thinking_api() {
    auto model = LoadedModel::open(thinking_model_folder("api_thinking_model"));
    SchedulerOptions so;
    so.slots = 1;
    so.n_ctx = 256;
    so.n_threads = 1;
    auto scheduler = std::make_unique<Scheduler>(model->config(), model->weights(), so);
    auto api = std::make_unique<Api>(ApiOptions{});
    api->set_ready(std::move(model), std::move(scheduler));
    return api;
}

// A job submitted straight to an Api's scheduler that keeps its slot: the engine thread waits in
// the job's first token until release(), so a test decides when the slot frees, not the speed of
// the machine. Released and finished when it goes (declare it after the Api).
class SlotHolder {
  public:
    explicit SlotHolder(Scheduler& scheduler) {
        JobRequest job;
        job.prompt = {1, 2, 3};
        job.options.max_tokens = 2;
        job.options.sampling.temperature = 0;
        job.options.loop_guard.enabled = false;
        job.on_event = [this](const JobEvent& ev) {
            std::unique_lock lock(m_);
            if (ev.done) {
                done_ = true;
                cv_.notify_all();
                return true;
            }
            cv_.wait(lock, [&] { return released_; });
            return true;
        };
        handle_ = scheduler.submit(std::move(job));
    }
    ~SlotHolder() {
        if (!handle_) return;
        release();
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return done_; });
    }
    SlotHolder(const SlotHolder&) = delete;
    SlotHolder& operator=(const SlotHolder&) = delete;

    bool submitted() const { return handle_ != nullptr; }
    void release() {
        std::lock_guard lock(m_);
        released_ = true;
        cv_.notify_all();
    }

  private:
    std::mutex m_;
    std::condition_variable cv_;
    bool released_ = false, done_ = false;
    std::shared_ptr<JobHandle> handle_;
};

HttpRequest post(const std::string& path, const json& body) {
    return {"POST", path, {{"content-type", "application/json"}}, body.dump()};
}

json chat_body(json extra = json::object()) {
    json b = {{"model", "g448-q8_0"},
              {"messages", {{{"role", "user"}, {"content", "你好，请介绍一下你自己。"}}}},
              {"temperature", 0},
              {"max_tokens", 12}};
    b.update(extra);
    return b;
}

// Runs a streamed response to the end; returns the SSE data payloads.
std::vector<std::string> read_stream(const HttpResponse& r, int stop_after = -1) {
    std::vector<std::string> events;
    std::string buffer;
    int writes = 0;
    r.stream([&](std::string_view piece) {
        buffer.append(piece);
        size_t end;
        while ((end = buffer.find("\n\n")) != std::string::npos) {
            const std::string event = buffer.substr(0, end);
            buffer.erase(0, end + 2);
            if (event.starts_with("data: ")) events.push_back(event.substr(6));
        }
        return stop_after < 0 || ++writes < stop_after;
    });
    return events;
}

TEST(Api, HealthAndModels) {
    Api loading({});
    auto h = loading.handle({"GET", "/health", {}, ""});
    EXPECT_EQ(h.status, 503);
    EXPECT_EQ(json::parse(h.body)["status"], "loading");
    EXPECT_EQ(loading.handle(post("/v1/chat/completions", chat_body())).status, 503);

    auto api = make_api();
    auto ready = api->handle({"GET", "/health", {}, ""});
    EXPECT_EQ(ready.status, 200);
    const auto health = json::parse(ready.body);
    EXPECT_EQ(health["status"], "ok");
    EXPECT_EQ(health["slots"], 2);  // make_api's
    EXPECT_EQ(health["active"], 0);
    EXPECT_EQ(health["queued"], 0);
    const auto models = json::parse(api->handle({"GET", "/v1/models", {}, ""}).body);
    EXPECT_EQ(models["data"][0]["id"], "g448-q8_0");
    // Qwen2.5's template has no thinking switch.
    EXPECT_EQ(models["data"][0]["thinking"], json({{"supported", false}, {"default", false}}));

    // A template that reads enable_thinking can think; a tiny model does not by default.
    const auto thinking = json::parse(make_thinking_api()->handle({"GET", "/v1/models", {}, ""}).body);
    EXPECT_EQ(thinking["data"][0]["thinking"], json({{"supported", true}, {"default", false}}));
}

TEST(Api, ChatCompletionAndItsStreamAgree) {
    auto api = make_api();
    const auto r = api->handle(post("/v1/chat/completions", chat_body()));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["object"], "chat.completion");
    EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
    EXPECT_EQ(j["usage"]["completion_tokens"].get<int>() <= 12, true);
    EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 10);
    const std::string text = j["choices"][0]["message"]["content"];
    EXPECT_FALSE(j["choices"][0]["message"].contains("reasoning_content"));  // it doesn't think

    auto s = api->handle(post("/v1/chat/completions",
                              chat_body({{"stream", true}, {"stream_options", {{"include_usage", true}}}})));
    ASSERT_EQ(s.status, 200);
    EXPECT_EQ(s.content_type.find("text/event-stream"), 0u);
    const auto events = read_stream(s);
    ASSERT_GE(events.size(), 4u);
    EXPECT_EQ(events.back(), "[DONE]");
    EXPECT_EQ(json::parse(events[0])["choices"][0]["delta"]["role"], "assistant");
    std::string streamed;
    std::string finish;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
        const auto e = json::parse(events[i]);
        if (e.contains("usage")) {
            // Same counts; this time the prompt came from the prefix cache.
            EXPECT_EQ(e["usage"]["prompt_tokens"], j["usage"]["prompt_tokens"]);
            EXPECT_EQ(e["usage"]["completion_tokens"], j["usage"]["completion_tokens"]);
            EXPECT_GT(e["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(), 0);
            continue;
        }
        const auto& c = e["choices"][0];
        if (c["delta"].contains("content")) streamed += c["delta"]["content"].get<std::string>();
        if (!c["finish_reason"].is_null()) {
            finish = c["finish_reason"];
            EXPECT_TRUE(e.contains("timings"));
            EXPECT_EQ(e["context"]["dropped_rounds"], 0);
        }
    }
    EXPECT_EQ(streamed, text);
    EXPECT_EQ(finish, j["choices"][0]["finish_reason"]);
}

TEST(Api, SecondTurnReusesTheCache) {
    auto api = make_api({}, 1);
    const auto first = json::parse(api->handle(post("/v1/chat/completions", chat_body())).body);
    json body = chat_body();
    body["messages"].push_back({{"role", "assistant"}, {"content", first["choices"][0]["message"]["content"]}});
    body["messages"].push_back({{"role", "user"}, {"content", "再说一遍"}});
    const auto second = json::parse(api->handle(post("/v1/chat/completions", body)).body);
    EXPECT_GT(second["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(),
              first["usage"]["prompt_tokens"].get<int>() / 2);
}

TEST(Api, MaxRoundsDropsOldRoundsAndSaysSo) {
    auto api = make_api();
    json body = chat_body({{"max_rounds", 1}});
    body["messages"] = json::array();
    for (int i = 0; i < 3; ++i) {
        body["messages"].push_back({{"role", "user"}, {"content", "问题" + std::to_string(i)}});
        body["messages"].push_back({{"role", "assistant"}, {"content", "回答" + std::to_string(i)}});
    }
    body["messages"].push_back({{"role", "user"}, {"content", "最后"}});
    const auto j = json::parse(api->handle(post("/v1/chat/completions", body)).body);
    EXPECT_EQ(j["context"]["dropped_rounds"], 2);
}

TEST(Api, ErrorsAreOpenAIShaped) {
    auto api = make_api();
    auto check = [&](const HttpRequest& req, int status, const std::string& code) {
        const auto r = api->handle(req);
        EXPECT_EQ(r.status, status) << req.path << " " << r.body;
        const auto j = json::parse(r.body);
        EXPECT_TRUE(j["error"]["message"].is_string());
        EXPECT_EQ(j["error"]["code"], code) << r.body;
    };
    check({"POST", "/v1/chat/completions", {}, "{not json"}, 400, "invalid_json");
    check(post("/v1/chat/completions", chat_body({{"model", "gpt-4"}})), 404, "model_not_found");
    check(post("/v1/chat/completions", chat_body({{"temperature", "hot"}})), 400, "invalid_type");
    check(post("/v1/chat/completions", chat_body({{"messages", {{{"role", "user"}, {"content", std::string(6000, 'x') + " 长"}}}}})),
          400, "context_length_exceeded");
    check({"GET", "/v1/nothing", {}, ""}, 404, "not_found");
    check({"GET", "/../../etc/passwd", {}, ""}, 404, "not_found");
}

json weather_tools() {
    return json::parse(R"([{"type": "function", "function": {"name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}])");
}

TEST(Api, ToolsReachThePromptAndToolChoiceNoneIsAccepted) {
    auto api = make_api();
    const auto plain = json::parse(api->handle(post("/v1/chat/completions", chat_body())).body);
    for (const char* choice : {"auto", "none"}) {
        const auto r =
            api->handle(post("/v1/chat/completions", chat_body({{"tools", weather_tools()},
                                                                {"tool_choice", choice},
                                                                {"parallel_tool_calls", false}})));
        ASSERT_EQ(r.status, 200) << r.body;
        const auto j = json::parse(r.body);
        // Qwen2.5's template lists the tools in the system prompt.
        EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(),
                  plain["usage"]["prompt_tokens"].get<int>() + 20);
        EXPECT_FALSE(j["choices"][0]["message"].contains("tool_calls")) << choice;  // noise
    }
    // A second round with the call and its result goes back through the template.
    json body = chat_body({{"tools", weather_tools()}});
    body["messages"].push_back(
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls",
          {{{"id", "call_1"},
            {"type", "function"},
            {"function", {{"name", "get_weather"}, {"arguments", "{\"city\":\"北京\"}"}}}}}}});
    body["messages"].push_back(
        {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "晴, 25°C"}});
    const auto second = api->handle(post("/v1/chat/completions", body));
    EXPECT_EQ(second.status, 200) << second.body;
}

TEST(Api, BadToolFieldsAre400sNamingTheField) {
    auto api = make_api();
    auto param_of = [&](const json& extra) {
        const auto r = api->handle(post("/v1/chat/completions", chat_body(extra)));
        EXPECT_EQ(r.status, 400) << r.body;
        return json::parse(r.body)["error"]["param"];
    };
    EXPECT_EQ(
        param_of({{"tools",
                   {{{"type", "function"}, {"function", {{"name", "f"}, {"parameters", 1}}}}}}}),
        "tools[0].function.parameters");
    EXPECT_EQ(param_of({{"tools", weather_tools()},
                        {"tool_choice", {{"type", "function"}, {"function", {{"name", "nope"}}}}}}),
              "tool_choice.function.name");
    EXPECT_EQ(param_of({{"tool_choice", "required"}}), "tool_choice");  // no tools
}

TEST(Api, ChatLogprobsWholeAndStreamed) {
    auto api = make_api();
    const json body =
        chat_body({{"logprobs", true}, {"top_logprobs", 3}, {"repetition_penalty", 1}});
    const auto r = api->handle(post("/v1/chat/completions", body));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = json::parse(r.body);
    const json& content = j["choices"][0]["logprobs"]["content"];
    ASSERT_EQ(int(content.size()), j["usage"]["completion_tokens"].get<int>());
    std::string bytes;
    for (const auto& e : content) {
        // Greedy on unpenalised logits: the token is the most likely one.
        ASSERT_EQ(e["top_logprobs"].size(), 3u);
        EXPECT_EQ(e["top_logprobs"][0]["token"], e["token"]);
        EXPECT_NEAR(e["top_logprobs"][0]["logprob"].get<double>(), e["logprob"].get<double>(),
                    1e-6);
        EXPECT_LE(e["logprob"].get<double>(), 0.0);
        EXPECT_GE(e["top_logprobs"][1]["logprob"].get<double>(),
                  e["top_logprobs"][2]["logprob"].get<double>());
        for (const auto& b : e["bytes"]) bytes += char(b.get<int>());
    }
    EXPECT_EQ(bytes, j["choices"][0]["message"]["content"].get<std::string>());

    json streamed = json::array();
    json sbody = body;
    sbody["stream"] = true;
    for (const auto& event : read_stream(api->handle(post("/v1/chat/completions", sbody)))) {
        if (event == "[DONE]") continue;
        const auto e = json::parse(event);
        if (e["choices"].empty() || !e["choices"][0].contains("logprobs")) continue;
        for (const auto& entry : e["choices"][0]["logprobs"]["content"]) streamed.push_back(entry);
    }
    EXPECT_EQ(streamed, content);
}

TEST(Api, CompletionLogprobsInTheLegacyShape) {
    auto api = make_api();
    const auto r = api->handle(post("/v1/completions", {{"prompt", "Once upon a time"},
                                                        {"max_tokens", 6},
                                                        {"temperature", 0},
                                                        {"repetition_penalty", 1},
                                                        {"logprobs", 2}}));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = json::parse(r.body);
    const json& lp = j["choices"][0]["logprobs"];
    const size_t n = lp["tokens"].size();
    ASSERT_EQ(int(n), j["usage"]["completion_tokens"].get<int>());
    ASSERT_EQ(lp["token_logprobs"].size(), n);
    ASSERT_EQ(lp["top_logprobs"].size(), n);
    ASSERT_EQ(lp["text_offset"].size(), n);
    size_t offset = 0;
    for (size_t i = 0; i < n; ++i) {
        EXPECT_EQ(lp["text_offset"][i], offset);
        offset += lp["tokens"][i].get<std::string>().size();
        EXPECT_EQ(lp["top_logprobs"][i].size(), 2u);
        EXPECT_LE(lp["token_logprobs"][i].get<double>(), 0.0);
    }
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(api->handle(post("/v1/completions", {{"prompt", "a"}, {"logprobs", 9}})).status, 400);
}

TEST(Api, ApiKeyIsRequiredWhenSet) {
    ApiOptions o;
    o.api_key = "s3cret";
    auto api = make_api(o);
    auto req = post("/v1/chat/completions", chat_body());
    EXPECT_EQ(api->handle(req).status, 401);
    req.headers["authorization"] = "Bearer wrong!";
    EXPECT_EQ(api->handle(req).status, 401);
    req.headers["authorization"] = "Bearer s3cret";
    EXPECT_EQ(api->handle(req).status, 200);
    EXPECT_EQ(api->handle({"GET", "/health", {}, ""}).status, 200);  // health stays open
}

TEST(Api, ClientThatLeavesFreesItsSlot) {
    auto api = make_api({}, 1, 1);
    auto s = api->handle(post("/v1/chat/completions", chat_body({{"stream", true}, {"max_tokens", 400}, {"loop_guard", false}})));
    const auto events = read_stream(s, 3);  // the client hangs up after three writes
    EXPECT_LE(events.size(), 3u);
    // A job queued behind it runs once the only slot is given back: when it has finished, so has
    // the job of the client that left (no polling of the stats, whose active count lags a step).
    {
        SlotHolder after(*api->scheduler());
        ASSERT_TRUE(after.submitted());
    }
    EXPECT_EQ(api->scheduler()->stats().jobs_finished, 2u);
    // The slot serves the next request.
    EXPECT_EQ(api->handle(post("/v1/chat/completions", chat_body())).status, 200);
}

TEST(Api, StopStringsEndTheAnswer) {
    auto api = make_api();
    const auto free_run = json::parse(api->handle(post("/v1/chat/completions", chat_body({{"max_tokens", 20}}))).body);
    const std::string text = free_run["choices"][0]["message"]["content"];
    ASSERT_GE(text.size(), 4u);
    const std::string stop = text.substr(text.size() / 2, 2);
    const auto r = json::parse(
        api->handle(post("/v1/chat/completions", chat_body({{"max_tokens", 20}, {"stop", stop}}))).body);
    EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
    EXPECT_EQ(r["choices"][0]["message"]["content"], text.substr(0, text.find(stop)));
}

TEST(Api, RawCompletionTokenizeDetokenizeMetrics) {
    auto api = make_api();
    const auto c = api->handle(post("/v1/completions", {{"prompt", "Once upon a time"}, {"max_tokens", 4}, {"temperature", 0}}));
    ASSERT_EQ(c.status, 200) << c.body;
    EXPECT_EQ(json::parse(c.body)["object"], "text_completion");

    const auto t = json::parse(api->handle(post("/tokenize", {{"content", "你好<|im_end|>"}})).body);
    const auto d = json::parse(api->handle(post("/detokenize", {{"tokens", t["tokens"]}})).body);
    EXPECT_EQ(d["content"], "你好<|im_end|>");
    const auto special = json::parse(api->handle(post("/tokenize", {{"content", "<|im_end|>"}, {"parse_special", true}})).body);
    EXPECT_EQ(special["tokens"].size(), 1u);
    EXPECT_EQ(api->handle(post("/detokenize", {{"tokens", {999999}}})).status, 400);

    const auto m = api->handle({"GET", "/metrics", {}, ""});
    EXPECT_NE(m.body.find("qwen_edge_requests_total{endpoint=\"/v1/completions\",status=\"200\"} 1"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("qwen_edge_time_to_first_token_seconds_count"), std::string::npos);
}

TEST(Api, QueueFullGetsRetryAfter) {
    auto api = make_api({}, 1, 0);
    // A held job keeps the only slot (a long answer could end before the next request comes).
    SlotHolder holder(*api->scheduler());
    ASSERT_TRUE(holder.submitted());
    const auto r = api->handle(post("/v1/chat/completions", chat_body()));
    EXPECT_EQ(r.status, 503);
    bool retry_after = false;
    for (const auto& [k, v] : r.headers) retry_after |= k == "Retry-After";
    EXPECT_TRUE(retry_after);
}

// A stream with nothing to say (waiting in the queue) sends an SSE comment each ping interval, so
// proxies and browsers do not time it out; the answer then follows as usual.
TEST(Api, SilentStreamsGetCommentPings) {
    ApiOptions o;
    o.ping_interval = std::chrono::milliseconds(5);
    auto api = make_api(o, 1, 4);
    // A held job keeps the only slot until the waiting stream has been pinged.
    SlotHolder holder(*api->scheduler());
    ASSERT_TRUE(holder.submitted());
    auto second = api->handle(post("/v1/chat/completions", chat_body({{"stream", true}})));
    std::string raw;
    second.stream([&](std::string_view piece) {
        raw.append(piece);
        if (piece.starts_with(": ping")) holder.release();
        return true;
    });
    const size_t ping = raw.find(": ping\n\n"), content = raw.find("\"content\":\"", raw.find("\"content\":\"") + 1);
    ASSERT_NE(ping, std::string::npos) << raw.substr(0, 400);
    EXPECT_LT(ping, content) << "the ping comes while the request waits, before its answer";
    EXPECT_NE(raw.find("data: [DONE]\n\n"), std::string::npos);
}

// The server's max_tokens limit also caps a request that does not say how much it wants.
TEST(Api, MaxTokensLimitCapsRequestsThatAskNothing) {
    ApiOptions o;
    o.limits.max_tokens = 7;
    auto api = make_api(o);
    json body = chat_body({{"temperature", 1.0}, {"seed", 4}, {"loop_guard", false}});
    body.erase("max_tokens");
    const auto r = api->handle(post("/v1/chat/completions", body));
    ASSERT_EQ(r.status, 200) << r.body;
    const json j = json::parse(r.body);
    EXPECT_EQ(j["usage"]["completion_tokens"], 7);
    EXPECT_EQ(j["choices"][0]["finish_reason"], "length");

    const auto raw = api->handle(post("/v1/completions", {{"prompt", "Once upon a time"}}));
    ASSERT_EQ(raw.status, 200) << raw.body;
    EXPECT_EQ(json::parse(raw.body)["usage"]["completion_tokens"], 7);
}

// Unknown paths share one metrics label, so requests for made-up paths cannot grow /metrics.
TEST(Api, UnknownPathsDoNotAddMetricsLabels) {
    Api api({});
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(api.handle({"GET", "/v1/made-up-" + std::to_string(i), {}, ""}).status, 503);
        EXPECT_EQ(api.handle({"GET", "/no-such-page-" + std::to_string(i), {}, ""}).status, 404);
    }
    const std::string text = api.handle({"GET", "/metrics", {}, ""}).body;
    EXPECT_EQ(text.find("made-up"), std::string::npos);
    EXPECT_EQ(text.find("no-such-page"), std::string::npos);
    EXPECT_NE(text.find("endpoint=\"other\",status=\"503\"} 50"), std::string::npos) << text;
    EXPECT_NE(text.find("endpoint=\"static\",status=\"404\"} 50"), std::string::npos) << text;
}

}  // namespace
}  // namespace qe

namespace qe {
namespace {

json thinking_body(json extra = json::object()) {
    json b = {{"messages", {{{"role", "user"}, {"content", "hello"}}}},
              {"temperature", 0},
              {"max_tokens", 10},
              {"loop_guard", false}};
    b.update(extra);
    return b;
}

json message_of(Api& api, const json& body) {
    const auto r = api.handle(post("/v1/chat/completions", body));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["choices"][0]["message"];
}

TEST(Api, ThinkingIsReturnedApartFromTheContent) {
    auto api = make_thinking_api();
    const json thought = message_of(*api, thinking_body());
    ASSERT_TRUE(thought.contains("reasoning_content")) << thought.dump();
    const std::string reasoning = thought["reasoning_content"];
    EXPECT_FALSE(reasoning.empty());
    EXPECT_EQ(thought["content"], "");  // cut off while still thinking

    // "none": the same answer, all in content.
    const json inline_ = message_of(*api, thinking_body({{"reasoning_format", "none"}}));
    EXPECT_FALSE(inline_.contains("reasoning_content"));
    EXPECT_NE(inline_["content"].get<std::string>().find(reasoning), std::string::npos);

    // Streamed: reasoning_content deltas, no content.
    const auto s = api->handle(post("/v1/chat/completions", thinking_body({{"stream", true}})));
    ASSERT_EQ(s.status, 200);
    std::string streamed, content;
    for (const auto& event : read_stream(s)) {
        if (event == "[DONE]") break;
        const json e = json::parse(event);
        const json& delta = e["choices"][0]["delta"];
        if (delta.contains("reasoning_content"))
            streamed += delta["reasoning_content"].get<std::string>();
        if (delta.contains("content")) content += delta["content"].get<std::string>();
    }
    EXPECT_EQ(streamed, reasoning);
    EXPECT_EQ(content, "");
}

TEST(Api, EnableThinkingFalseReachesTheTemplate) {
    auto api = make_thinking_api();
    for (const json& off : {json{{"enable_thinking", false}},
                            json{{"chat_template_kwargs", {{"enable_thinking", false}}}}}) {
        const json answer = message_of(*api, thinking_body(off));
        EXPECT_FALSE(answer.contains("reasoning_content")) << answer.dump();
        EXPECT_FALSE(answer["content"].get<std::string>().empty());
    }
}

TEST(Api, BadThinkingFieldsAre400s) {
    auto api = make_thinking_api();
    const auto r =
        api->handle(post("/v1/chat/completions", thinking_body({{"reasoning_format", "raw"}})));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json::parse(r.body)["error"]["param"], "reasoning_format");
}

}  // namespace
}  // namespace qe
