// The chat-turn API: one model answer from a conversation (or prompt ids) to decoded text, with
// stop strings, cancellation and one finish reason. The HTTP API and the terminal chat are thin
// adapters over it; both run the scheduler's single generation loop.
//
// An answer's thinking (`<think>…</think>`, as Qwen3 writes it) can be split from its content:
// TurnOptions::split_reasoning, TurnEvent::reasoning (chat/reasoning_splitter.h); its tool calls
// from its content: TurnOptions::split_tool_calls, TurnEvent::tool_calls
// (chat/tool_call_splitter.h).
// Each token's log-probability: TurnOptions::top_logprobs, TurnEvent::logprob.
//
// Kept open for what comes next: citations.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chat/tool_call_parser.h"
#include "engine/job.h"
#include "engine/scheduler.h"
#include "model/loaded_model.h"
#include "sampling/logprobs.h"

namespace qe {

// A conversation rendered and encoded for the model.
struct TurnPrompt {
    std::vector<int> ids;
    std::string text;        // the rendered prompt
    std::string warning;     // set when the model's template could not be used (ChatML instead)
    int dropped_rounds = 0;  // earlier rounds left out to fit the context
    // Where the conversation before the generation prompt ends in ids (0: unknown): a next
    // turn's prompt repeats the ids up to here, whatever the template makes of this answer.
    int conversation_end = 0;
};

struct TurnOptions {
    GenerateOptions generate;       // max_tokens, sampling, stop ids, loop guard
    std::vector<std::string> stop;  // stop strings: the answer ends just before the first one
    bool skip_control = true;       // control tokens decode to nothing
    // Thinking goes to TurnEvent::reasoning instead of text. The answer starts inside the
    // thinking when the prompt's text ends with an open `<think>`. Stop strings apply to the
    // content only: a model thinking about a stop string does not end its answer.
    bool split_reasoning = false;
    // Tool calls in the content (`<tool_call>` blocks) go to TurnEvent::tool_calls instead of
    // text (chat/tool_call_splitter.h); `tools` (the request's, or null) gives the parameters'
    // types. Stop strings apply to the content before the calls.
    bool split_tool_calls = false;
    nlohmann::ordered_json tools;
    bool stop_at_first_tool_call = false;  // the answer ends once a call is read (finish "stop")
    // Each answer token's log-probability, with this many of the most likely alternatives
    // (sampling/logprobs.h); none: off.
    std::optional<int> top_logprobs;
    // Optional: the tokens the answer may use (a JSON schema, a grammar).
    std::shared_ptr<TokenConstraint> constraint;
};

// An answer token's log-probability and the most likely alternatives at its position.
struct AnswerLogprob {
    TokenLogprob token;
    std::vector<TokenLogprob> top;  // best first; tokens the request banned left out
};

// One piece of an answer, or its end.
struct TurnEvent {
    std::string text;       // the next piece of the answer (may be empty)
    std::string reasoning;  // the next piece of the thinking, with split_reasoning (comes
                            // before `text`; no reasoning follows once there is text)
    std::vector<ToolCall> tool_calls;      // calls completed by this piece, with split_tool_calls
                                           // (after `text`; no text follows the first call)
    int token = -1;                        // the token that completed it (-1 on the final event)
    std::optional<AnswerLogprob> logprob;  // the token's, with TurnOptions::top_logprobs
    bool done = false;
    std::string finish_reason;  // on the final event: "stop", "length", "context", "repetition",
                                // "cancelled" or "error"
    JobEvent job;               // on the final event: counts and timings
};

// Called on the engine thread; return false to cancel (a client that went away).
using TurnCallback = std::function<bool(const TurnEvent&)>;

class ChatTurns {
  public:
    // Both must outlive this object, and the model the jobs it started: a job may end after
    // this object is gone (its answer is then remembered by nobody).
    ChatTurns(const LoadedModel& model, Scheduler& scheduler)
        : model_(model), scheduler_(scheduler), memory_(std::make_shared<Memory>()) {}

    // Renders `messages` (and `tools`: null or an array) with the model's chat template, given
    // `template_variables` (an object: enable_thinking and the like, as transformers'
    // apply_chat_template takes them), and
    // encodes them, keeping the system prompt and as many recent rounds (at most max_rounds) as
    // fit in the context with `answer_room` tokens left for the answer. Throws qe::Error when
    // not even the last round fits, or for messages that are not a conversation.
    //
    // When the conversation continues an answer this model gave (the client sends it back as
    // text), the ids of that prompt and answer are the ones generated, not a new tokenization of
    // the text (which may split differently, or not round-trip at all where the answer held
    // broken UTF-8): so the scheduler finds them in its prefix cache.
    TurnPrompt encode(
        const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
        std::optional<int> max_rounds, int answer_room,
        const nlohmann::ordered_json& template_variables = nlohmann::ordered_json::object()) const;

    // Starts an answer. Returns nullptr when the scheduler's queue is full. Throws qe::Error for
    // a prompt that can never run (empty, longer than the context, ids out of range). A prompt
    // with its rendered text (from encode) is remembered with its answer for the next turn.
    std::shared_ptr<JobHandle> start(TurnPrompt prompt, TurnOptions options, TurnCallback on_event);

    const LoadedModel& model() const { return model_; }
    int n_ctx() const { return scheduler_.n_ctx(); }

  private:
    // A prompt's text and the answer's text as sent, with the ids that produced them.
    struct Spoken {
        std::string text;
        std::vector<int> ids;
    };
    // Recent answers, newest first. Shared with the jobs' callbacks, which may run after this
    // object is gone.
    struct Memory {
        static constexpr size_t kRemembered = 64;  // a few MB at most
        std::mutex mutex;
        std::deque<std::shared_ptr<const Spoken>> spoken;
        void remember(Spoken s);
    };

    // encoded's ids with the longest remembered prefix of its text swapped for the spoken ids.
    std::vector<int> reuse_spoken_ids(const std::string& text, std::vector<int> ids) const;

    const LoadedModel& model_;
    Scheduler& scheduler_;
    std::shared_ptr<Memory> memory_;
};

}  // namespace qe
