// One chat or completion request's journey: built on the HTTP thread, fed the turn's events on
// the engine thread, read back on the HTTP thread as server-sent events or a whole body, in
// OpenAI's shapes (text, thinking, tool calls, log-probabilities, usage).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/chat_turns.h"
#include "server/logprobs_json.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct Generation {
    using json = nlohmann::ordered_json;
    using Clock = std::chrono::steady_clock;

    bool chat = true;
    bool stream = false;
    bool include_usage = false;
    bool parallel_tool_calls = true;       // false: the answer's first call only
    const Tokenizer* tokenizer = nullptr;  // for the log-probabilities' token texts
    bool top_logprobs = false;             // log-probabilities asked for
    std::string id, model;
    int64_t created = 0;
    int dropped_rounds = 0;
    json citations;  // the knowledge passages the prompt holds (null: no knowledge asked)
    TurnPrompt prompt;
    TurnOptions turn;
    Clock::time_point arrived = Clock::now(), first_token;
    bool got_token = false;

    // Shared, under m.
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::string> chunks;   // SSE events ready to send
    std::string text;                 // the whole answer (non-streaming)
    std::string reasoning;            // its thinking (non-streaming)
    json tool_calls = json::array();  // its calls, as message.tool_calls
    // Tokens' log-probabilities not yet sent (streaming) or all of them: chat entries, or the
    // completion's legacy columns.
    json chat_logprobs = json::array();
    LegacyLogprobs legacy_logprobs;
    bool done = false;
    JobEvent final;
    std::string finish_reason;
    std::atomic<bool> client_gone{false};
    std::shared_ptr<JobHandle> handle;

    json chunk(json choice) const;
    json text_choice(const std::string& piece, const json& finish) const;
    void push_event(const json& j);
    bool has_logprobs() const;
    // The log-probabilities gathered so far, in the choice's shape; taken (streaming sends each
    // token's once).
    json take_logprobs();
    // Sends a chunk's choices, the tokens' log-probabilities gathered so far on the last.
    void push_choices(std::vector<json> choices);
    void emit(const TurnEvent& ev);
    json usage() const;
    json timings() const;
    // The engine thread's callback.
    bool on_event(const TurnEvent& ev);
    // The whole answer (non-streaming), once done.
    json response_body();
};

}  // namespace qe
