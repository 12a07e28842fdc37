// `qwen-edge serve` end to end: the real binary on a small golden model, driven over loopback
// sockets by curl and by a raw client that decides every byte (streams, errors, limits, many
// clients at once, clients that vanish mid-stream). No timing assertions: only outcomes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/live_server.h"
#include "support/run_command.h"

namespace qe {
namespace {

using json = nlohmann::json;
using test::http;
using test::RawResponse;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
constexpr int kMaxTokens = 4000;  // --max-tokens
constexpr int kMaxBody = 262144;  // --max-body

std::string log_path(const std::string& name) {
    return (std::filesystem::path(QE_TEST_TMP_DIR) / (name + ".log")).string();
}

std::string chat_body(const std::string& content, int max_tokens, bool stream,
                      const std::string& extra = "") {
    json body = {{"messages", {{{"role", "user"}, {"content", content}}}},
                 {"max_tokens", max_tokens},
                 {"stream", stream}};
    if (!extra.empty()) body.update(json::parse(extra));
    return body.dump();
}

// The OpenAI error object of a response, or a failure naming what came instead.
json error_of(const RawResponse& r) {
    const json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.contains("error")) return json{{"not_an_error", r.body}};
    return body["error"];
}

class ServeE2E : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new test::LiveServer;
        setup_error_ =
            server_->start(kBinary,
                           {"--model", kModel, "--threads", "1", "--parallel", "4", "--queue", "2",
                            "--ctx", "4096", "--max-tokens", std::to_string(kMaxTokens),
                            "--max-body", std::to_string(kMaxBody), "--request-timeout", "3"},
                           log_path("serve_e2e"));
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override {
        ASSERT_EQ(setup_error_, "");
        port_ = server_->port();
    }
    void TearDown() override {
        ASSERT_TRUE(server_->running()) << "the server died:\n" << server_->output();
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    // Waits (generously) for every slot and queue place to be free again.
    bool idle() const {
        return test::wait_until(
            [&] {
                return server_->metric("qwen_edge_active_slots") == 0 &&
                       server_->metric("qwen_edge_queue_depth") == 0;
            },
            120);
    }

    static inline test::LiveServer* server_ = nullptr;
    static inline std::string setup_error_;
    int port_ = 0;
};

// A stream's events: framed as SSE, each a JSON chunk, ended by [DONE].
struct Stream {
    std::vector<json> chunks;
    std::vector<std::string> contents;  // each chunk's delta content (or text)
    std::string finish_reason;
    bool framing_ok = false, done = false;
};

Stream parse_stream(const std::string& body) {
    Stream s;
    const auto events = test::sse_events(body, s.framing_ok);
    for (const auto& e : events) {
        if (e == "[DONE]") {
            s.done = true;
            continue;
        }
        EXPECT_FALSE(s.done) << "an event after [DONE]: " << e;
        const json j = json::parse(e, nullptr, false);  // throws on nothing; discards bad UTF-8 too
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << e;
        if (j.is_discarded()) continue;
        s.chunks.push_back(j);
        if (!j.contains("choices") || j["choices"].empty()) continue;
        const json& c = j["choices"][0];
        if (c.contains("delta") && c["delta"].contains("content"))
            s.contents.push_back(c["delta"]["content"]);
        if (c.contains("text")) s.contents.push_back(c["text"]);
        if (!c["finish_reason"].is_null()) s.finish_reason = c["finish_reason"];
    }
    return s;
}

TEST_F(ServeE2E, NonStreamingChatOverCurl) {
    const auto out = test::run_command(
        "curl -sS --max-time 120 -H 'Content-Type: application/json' -d " +
        test::shell_quote(chat_body("Hello! 你好", 12, false)) + " " + url("/v1/chat/completions"));
    ASSERT_EQ(out.exit_code, 0) << out.output;
    const json j = json::parse(out.output);
    EXPECT_EQ(j["object"], "chat.completion");
    ASSERT_EQ(j["choices"].size(), 1u);
    EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
    EXPECT_TRUE(j["choices"][0]["message"]["content"].is_string());
    const std::string finish = j["choices"][0]["finish_reason"];
    EXPECT_TRUE(finish == "length" || finish == "stop") << finish;
    EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
    EXPECT_LE(j["usage"]["completion_tokens"].get<int>(), 12);
    EXPECT_EQ(j["usage"]["total_tokens"].get<int>(),
              j["usage"]["prompt_tokens"].get<int>() + j["usage"]["completion_tokens"].get<int>());
}

TEST_F(ServeE2E, StreamingChatOverCurl) {
    const auto out =
        test::run_command("curl -sS -N --max-time 120 -H 'Content-Type: application/json' -d " +
                          test::shell_quote(chat_body(
                              "Hello!", 10, true, R"({"stream_options":{"include_usage":true}})")) +
                          " " + url("/v1/chat/completions"));
    ASSERT_EQ(out.exit_code, 0) << out.output;
    const Stream s = parse_stream(out.output);
    EXPECT_TRUE(s.framing_ok) << out.output;
    EXPECT_TRUE(s.done) << "no data: [DONE]\n" << out.output;
    ASSERT_GE(s.chunks.size(), 3u);
    EXPECT_EQ(s.chunks.front()["object"], "chat.completion.chunk");
    EXPECT_EQ(s.chunks.front()["choices"][0]["delta"]["role"], "assistant");
    EXPECT_TRUE(s.finish_reason == "length" || s.finish_reason == "stop");
    // include_usage: a last chunk with no choices and the counts.
    const json& last = s.chunks.back();
    EXPECT_TRUE(last["choices"].empty());
    EXPECT_LE(last["usage"]["completion_tokens"].get<int>(), 10);
    EXPECT_GT(last["usage"]["completion_tokens"].get<int>(), 0);
}

// Over a raw socket: the headers a proxy needs, chunked SSE, and whole UTF-8 in every chunk even
// where a character is split over several tokens (sampled freely from a vocabulary with byte
// tokens and Chinese, many characters cross token boundaries).
TEST_F(ServeE2E, StreamingOverRawSocketSendsWholeUtf8InEveryChunk) {
    std::string all_text;
    for (int seed = 1; seed <= 4; ++seed) {
        const RawResponse r = http(port_, "POST", "/v1/chat/completions",
                                   chat_body("请写一首关于春天的诗。你好，世界！", 120, true,
                                             R"({"temperature":1.5,"top_p":1.0,"top_k":0,"seed":)" +
                                                 std::to_string(seed) + "}"));
        ASSERT_EQ(r.status, 200) << r.headers << r.body;
        EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
        EXPECT_NE(r.header("Cache-Control").find("no-cache"), std::string::npos);
        EXPECT_EQ(r.header("X-Accel-Buffering"), "no");
        EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
        const Stream s = parse_stream(r.body);
        EXPECT_TRUE(s.framing_ok);
        EXPECT_TRUE(s.done);
        for (const auto& c : s.contents) {
            EXPECT_TRUE(test::whole_utf8(c)) << "a chunk with a partial character: " << json(c);
            all_text += c;
        }
    }
    // The check above meant something only if characters beyond ASCII came out.
    EXPECT_TRUE(std::any_of(all_text.begin(), all_text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80;
    })) << all_text;
}

TEST_F(ServeE2E, RawCompletionStreamsAndAnswers) {
    const RawResponse whole =
        http(port_, "POST", "/v1/completions", R"({"prompt":"Once upon a time","max_tokens":6})");
    ASSERT_EQ(whole.status, 200) << whole.body;
    const json j = json::parse(whole.body);
    EXPECT_EQ(j["object"], "text_completion");
    EXPECT_EQ(j["usage"]["completion_tokens"].get<int>(), 6);

    const RawResponse streamed =
        http(port_, "POST", "/v1/completions",
             R"({"prompt":"Once upon a time","max_tokens":6,"stream":true})");
    ASSERT_EQ(streamed.status, 200);
    const Stream s = parse_stream(streamed.body);
    EXPECT_TRUE(s.framing_ok && s.done);
    EXPECT_EQ(s.finish_reason, "length");
}

TEST_F(ServeE2E, ModelsHealthTokenizeDetokenize) {
    const RawResponse models = http(port_, "GET", "/v1/models");
    ASSERT_EQ(models.status, 200);
    EXPECT_EQ(json::parse(models.body)["data"][0]["id"], "g448-q8_0");
    EXPECT_EQ(json::parse(http(port_, "GET", "/health").body)["status"], "ok");

    const RawResponse tok = http(port_, "POST", "/tokenize", R"({"content":"Hello 你好"})");
    ASSERT_EQ(tok.status, 200) << tok.body;
    const json ids = json::parse(tok.body)["tokens"];
    ASSERT_FALSE(ids.empty());
    const RawResponse detok = http(port_, "POST", "/detokenize", json{{"tokens", ids}}.dump());
    ASSERT_EQ(detok.status, 200);
    EXPECT_EQ(json::parse(detok.body)["content"], "Hello 你好");

    // The model may be named; an unknown one is not found, an unknown field is refused.
    const RawResponse named = http(port_, "POST", "/tokenize",
                                   R"({"content":"Hello 你好","model":"g448-q8_0"})");
    ASSERT_EQ(named.status, 200) << named.body;
    EXPECT_EQ(json::parse(named.body)["tokens"], ids);
    const RawResponse unknown_model =
        http(port_, "POST", "/detokenize", json{{"tokens", ids}, {"model", "no-such"}}.dump());
    EXPECT_EQ(unknown_model.status, 404) << unknown_model.body;
    const RawResponse unknown_field =
        http(port_, "POST", "/tokenize", R"({"content":"x","with_pieces":true})");
    EXPECT_EQ(unknown_field.status, 400);
    EXPECT_NE(unknown_field.body.find("with_pieces"), std::string::npos) << unknown_field.body;
}

// Speculative decoding's counters: an answer's timings carry what was proposed and kept, and
// /metrics adds them up.
TEST_F(ServeE2E, SpeculativeCountersInTimingsAndMetrics) {
    ASSERT_TRUE(idle());
    const double drafted_before = server_->metric("qwen_edge_draft_tokens_total");
    const double accepted_before = server_->metric("qwen_edge_draft_accepted_tokens_total");
    const RawResponse r = http(port_, "POST", "/v1/chat/completions",
                               chat_body("one two three four one two three four one two three four",
                                         40, false, R"({"temperature":0})"));
    ASSERT_EQ(r.status, 200);
    const json t = json::parse(r.body)["timings"];
    const int drafted = t.at("draft_tokens"), accepted = t.at("draft_accepted");
    EXPECT_LE(accepted, drafted);
    EXPECT_GE(t.at("tokens_per_pass").get<double>(), 1.0);
    EXPECT_TRUE(idle());
    EXPECT_EQ(server_->metric("qwen_edge_draft_tokens_total") - drafted_before, drafted);
    EXPECT_EQ(server_->metric("qwen_edge_draft_accepted_tokens_total") - accepted_before, accepted);
}

// A client that hangs up mid-stream: its request is cancelled and its slot freed, long before
// the answer's 4000 tokens would have been made.
TEST_F(ServeE2E, ClientThatDisconnectsMidStreamFreesItsSlot) {
    ASSERT_TRUE(idle());
    const double generated_before = server_->metric("qwen_edge_generated_tokens_total");
    {
        test::Connection c(port_);
        ASSERT_TRUE(c.send(test::request_text("POST", "/v1/chat/completions",
                                              chat_body("Tell me a long story.", kMaxTokens, true,
                                                        R"({"temperature":1.0,"seed":3})"))));
        // Read until the first token arrives, then vanish.
        const RawResponse r = test::read_response(c, 120, [](const std::string& body) {
            return body.find("\"delta\":{\"content\"") == std::string::npos;
        });
        ASSERT_EQ(r.status, 200);
    }
    EXPECT_TRUE(idle()) << "the slot was not freed";
    const double generated = server_->metric("qwen_edge_generated_tokens_total") - generated_before;
    EXPECT_LT(generated, kMaxTokens) << "the request ran to its end instead of being cancelled";
    // The server goes on serving.
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions", chat_body("Hi", 3, false)).status, 200);
}

// 16 clients at once against 4 slots and a queue of 2: each is answered in full or refused
// clearly (429/503 with Retry-After); none hangs, and no slot stays taken.
TEST_F(ServeE2E, SixteenConcurrentClientsAreAnsweredOrRefusedClearly) {
    ASSERT_TRUE(idle());
    constexpr int kClients = 16;
    std::vector<RawResponse> results(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            results[size_t(i)] = http(port_, "POST", "/v1/chat/completions",
                                      chat_body("Client " + std::to_string(i) + " says hello.", 40,
                                                i % 2 == 0, R"({"temperature":0.8,"seed":5})"));
        });
    }
    for (auto& t : threads) t.join();
    int answered = 0, refused = 0;
    for (int i = 0; i < kClients; ++i) {
        const RawResponse& r = results[size_t(i)];
        if (r.status == 200) {
            ++answered;
            if (i % 2 == 0) {
                const Stream s = parse_stream(r.body);
                EXPECT_TRUE(s.framing_ok && s.done) << "client " << i << ": " << r.body;
            } else {
                EXPECT_EQ(json::parse(r.body)["object"], "chat.completion");
            }
        } else {
            ++refused;
            EXPECT_TRUE(r.status == 429 || r.status == 503)
                << "client " << i << ": " << r.status << " " << r.body;
            EXPECT_FALSE(r.header("Retry-After").empty()) << r.headers;
            EXPECT_TRUE(error_of(r).contains("message"));
        }
    }
    EXPECT_EQ(answered + refused, kClients);
    EXPECT_GE(answered, 1);
    EXPECT_TRUE(idle()) << "slots or queue places leaked";
}

TEST_F(ServeE2E, MalformedJsonIs400SayingWhere) {
    const RawResponse r = http(port_, "POST", "/v1/chat/completions", R"({"messages": [)");
    EXPECT_EQ(r.status, 400);
    EXPECT_FALSE(error_of(r)["message"].get<std::string>().empty());
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions", "\xff\xfe{}").status, 400);
}

TEST_F(ServeE2E, WrongTypesAre400NamingTheField) {
    const RawResponse r =
        http(port_, "POST", "/v1/chat/completions",
             R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_of(r)["param"], "max_tokens");
    const RawResponse m = http(port_, "POST", "/v1/chat/completions", R"({"messages":"hi"})");
    EXPECT_EQ(m.status, 400);
    EXPECT_EQ(error_of(m)["param"], "messages");
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions", "[1,2,3]").status, 400);
}

TEST_F(ServeE2E, MaxTokensAboveTheLimitIs400NamingTheLimit) {
    const RawResponse r =
        http(port_, "POST", "/v1/chat/completions", chat_body("hi", kMaxTokens + 1, false));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(error_of(r)["param"], "max_tokens");
    EXPECT_NE(error_of(r)["message"].get<std::string>().find(std::to_string(kMaxTokens)),
              std::string::npos)
        << r.body;
}

TEST_F(ServeE2E, BodyTooLargeIs413) {
    const std::string big = chat_body(std::string(kMaxBody, 'a'), 4, false);
    const RawResponse r = http(port_, "POST", "/v1/chat/completions", big);
    EXPECT_EQ(r.status, 413) << r.headers;
    EXPECT_TRUE(error_of(r).contains("message")) << r.body;
}

TEST_F(ServeE2E, PromptLongerThanTheContextIs400NamingTheLimit) {
    std::string words;
    for (int i = 0; i < 6000; ++i) words += "apple ";
    const RawResponse chat =
        http(port_, "POST", "/v1/chat/completions", chat_body(words, 16, false));
    EXPECT_EQ(chat.status, 400);
    EXPECT_EQ(error_of(chat)["code"], "context_length_exceeded");
    EXPECT_NE(error_of(chat)["message"].get<std::string>().find("at most"), std::string::npos)
        << chat.body;

    const RawResponse raw =
        http(port_, "POST", "/v1/completions", json{{"prompt", words}, {"max_tokens", 4}}.dump());
    EXPECT_EQ(raw.status, 400);
    EXPECT_EQ(error_of(raw)["code"], "context_length_exceeded");
    EXPECT_NE(error_of(raw)["message"].get<std::string>().find("4096"), std::string::npos)
        << raw.body;
}

TEST_F(ServeE2E, UnknownModelIs404AndNAboveOneIs400) {
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions",
                   chat_body("hi", 4, false, R"({"model":"gpt-9"})"))
                  .status,
              404);
    EXPECT_EQ(
        http(port_, "POST", "/v1/chat/completions", chat_body("hi", 4, false, R"({"n":2})")).status,
        400);
}

TEST_F(ServeE2E, MalformedHttpIs400AndTheServerGoesOn) {
    for (const std::string& bad :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET\r\n\r\n"),
          std::string("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
          std::string("POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\nxx\r\n0\r\n\r\n"),
          std::string("GET / HTTP/1.1\r\n") + std::string(20000, 'X') + "\r\n\r\n",
          std::string("\0\0\0\0\r\n\r\n", 8)}) {
        test::Connection c(port_);
        ASSERT_TRUE(c.connected());
        c.send(bad);
        const RawResponse r = test::read_response(c, 60);
        // Refused (4xx) or dropped (no answer), never served as if valid.
        EXPECT_TRUE(r.status == 0 || (r.status >= 400 && r.status < 500)) << r.status;
    }
    EXPECT_EQ(http(port_, "GET", "/health").status, 200);
}

// Static files: only the embedded web chat; no spelling of ".." reaches the file system.
TEST_F(ServeE2E, StaticFilesCannotEscapeTheirAssets) {
    EXPECT_EQ(http(port_, "GET", "/").status, 200);
    for (const std::string& path : std::vector<std::string>{
             "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
             "/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
             "/assets/../../../etc/passwd", "/index.html/../../etc/passwd", "//etc/passwd",
             "/..\\..\\..\\etc\\passwd", "/%252e%252e/etc/passwd", "/.%00./etc/passwd",
             "/assets/..%252f..%252fetc%252fpasswd", "/proc/self/environ", "/../CMakeLists.txt"}) {
        const RawResponse r = http(port_, "GET", path);
        EXPECT_TRUE(r.status == 404 || r.status == 400) << path << ": " << r.status;
        EXPECT_EQ(r.body.find("root:"), std::string::npos) << path;
        EXPECT_EQ(r.body.find("PATH="), std::string::npos) << path;
        EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << path;
    }
}

// Slowloris: a client trickling its headers, or never finishing its body, is dropped by the
// request deadline (--request-timeout 3) while another client is served meanwhile.
TEST_F(ServeE2E, SlowClientsAreCutOffWhileOthersAreServed) {
    std::atomic<bool> headers_cut{false}, body_cut{false};
    std::thread trickler([&] {
        test::Connection c(port_);
        // 600 bytes at 5 a second: two minutes if it were let through.
        const std::string req =
            "GET /health HTTP/1.1\r\nX-Pad: " + std::string(600, 'a') + "\r\n\r\n";
        for (char ch : req) {
            if (!c.send(std::string(1, ch))) break;
            bool closed = false;
            c.receive(0.2, closed);
            if (closed) {
                headers_cut = true;
                break;
            }
        }
    });
    std::thread unfinished([&] {
        test::Connection c(port_);
        c.send("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{\"mess");
        const RawResponse r = test::read_response(c, 120);
        body_cut = r.status == 0 || r.status == 400 || r.status == 408;
    });
    // Meanwhile, others are served.
    EXPECT_EQ(http(port_, "GET", "/health").status, 200);
    EXPECT_EQ(http(port_, "POST", "/v1/chat/completions", chat_body("Hi", 3, false)).status, 200);
    trickler.join();
    unfinished.join();
    EXPECT_TRUE(headers_cut) << "a client sending its headers a byte at a time was never dropped";
    EXPECT_TRUE(body_cut);
}

// The model file is only ever mapped for reading, and serving writes no file: not in its working
// folder, not in its home or cache. A SIGTERM ends it cleanly (exit code 0).
TEST(ServeFilesE2E, ModelIsMappedReadOnlyAndNothingIsWritten) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "serve_writes_nothing";
    fs::remove_all(dir);
    fs::create_directories(dir / "home");
    test::LiveServer server;
    server.workdir = (dir / "home").string();
    ASSERT_EQ(
        server.start(kBinary, {"--model", kModel, "--threads", "1"}, (dir / "serve.log").string()),
        "");
    ASSERT_EQ(http(server.port(), "POST", "/v1/chat/completions", chat_body("Hi", 4, true)).status,
              200);
    ASSERT_EQ(http(server.port(), "GET", "/").status, 200);

    std::ifstream maps("/proc/" + std::to_string(server.pid()) + "/maps");
    const std::string model_name = fs::path(kModel).filename().string();
    int mappings = 0;
    for (std::string line; std::getline(maps, line);) {
        if (line.find(model_name) == std::string::npos) continue;
        ++mappings;
        const std::string perms = line.substr(line.find(' ') + 1, 4);
        EXPECT_EQ(perms.find('w'), std::string::npos) << line;
    }
    EXPECT_GE(mappings, 1) << "the model file is not mapped";

    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
    std::vector<std::string> written;
    for (const auto& e : fs::recursive_directory_iterator(dir / "home"))
        written.push_back(e.path().string());
    EXPECT_TRUE(written.empty()) << "serve wrote " << written.front();
}

// The same request gives the same text on a fresh server (its matrices still being repacked in
// the background) as later on a warm one (answers continuing a cached prefix), and on another
// fresh server.
TEST(ServeDeterminismE2E, FirstAnswerOfAFreshServerEqualsLaterOnes) {
    const std::string body =
        chat_body("请写一首关于春天的诗。", 48, false, R"({"seed":11,"loop_guard":false})");
    auto answer = [&](int port) {
        const RawResponse r = http(port, "POST", "/v1/chat/completions", body);
        EXPECT_EQ(r.status, 200) << r.body;
        const json j = json::parse(r.body, nullptr, false);
        return j.is_discarded() ? std::string("(not JSON)")
                                : j["choices"][0]["message"]["content"].get<std::string>();
    };
    std::vector<std::string> texts;
    for (int run = 0; run < 2; ++run) {
        test::LiveServer server;
        ASSERT_EQ(server.start(kBinary, {"--model", kModel, "--threads", "2"},
                               log_path("serve_determinism_" + std::to_string(run))),
                  "");
        for (int i = 0; i < 3; ++i) texts.push_back(answer(server.port()));
        EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
    }
    ASSERT_FALSE(texts[0].empty());
    for (size_t i = 1; i < texts.size(); ++i) EXPECT_EQ(texts[i], texts[0]) << "answer " << i;
}

// SIGTERM while an answer streams: that answer is finished (well-formed, [DONE]) and the server
// exits 0.
TEST(ServeShutdownE2E, SigtermFinishesRunningStreams) {
    test::LiveServer server;
    ASSERT_EQ(server.start(kBinary, {"--model", kModel, "--threads", "1"},
                           log_path("serve_e2e_shutdown")),
              "");
    test::Connection c(server.port());
    ASSERT_TRUE(c.send(test::request_text(
        "POST", "/v1/chat/completions",
        chat_body("A story.", 300, true, R"({"temperature":1.0,"seed":9,"loop_guard":false})"))));
    bool signalled = false;
    const RawResponse r = test::read_response(c, 120, [&](const std::string& body) {
        if (!signalled && body.find("\"delta\":{\"content\"") != std::string::npos) {
            ::kill(server.pid(), SIGTERM);
            signalled = true;
        }
        return true;
    });
    ASSERT_TRUE(signalled);
    EXPECT_EQ(r.status, 200);
    const Stream s = parse_stream(r.body);
    EXPECT_TRUE(s.framing_ok);
    EXPECT_TRUE(s.done) << "the stream was cut by the shutdown";
    EXPECT_EQ(s.finish_reason, "length");
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

// --api-key: the API needs the key; /health and the web page do not.
class ServeApiKeyE2E : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new test::LiveServer;
        setup_error_ = server_->start(
            kBinary,
            {"--model", kModel, "--threads", "1", "--parallel", "1", "--api-key", "s3cret-key"},
            log_path("serve_e2e_api_key"));
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override { ASSERT_EQ(setup_error_, ""); }
    static inline test::LiveServer* server_ = nullptr;
    static inline std::string setup_error_;
};

TEST_F(ServeApiKeyE2E, UnauthorizedIs401) {
    const int port = server_->port();
    const std::string body = chat_body("hi", 2, false);
    const RawResponse none = http(port, "POST", "/v1/chat/completions", body);
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(error_of(none)["code"], "invalid_api_key");
    EXPECT_EQ(
        http(port, "POST", "/v1/chat/completions", body, "Authorization: Bearer wrong\r\n").status,
        401);
    EXPECT_EQ(
        http(port, "POST", "/v1/chat/completions", body, "Authorization: s3cret-key\r\n").status,
        401);
    EXPECT_EQ(http(port, "GET", "/metrics").status, 401);
    EXPECT_EQ(http(port, "GET", "/v1/models").status, 401);
    EXPECT_EQ(
        http(port, "POST", "/v1/chat/completions", body, "Authorization: Bearer s3cret-key\r\n")
            .status,
        200);
    EXPECT_EQ(http(port, "GET", "/health").status, 200);
    EXPECT_EQ(http(port, "GET", "/").status, 200);
}

}  // namespace
}  // namespace qe
