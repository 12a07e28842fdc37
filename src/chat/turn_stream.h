// One answer's decoding on the engine thread: tokens -> text, its thinking split off when asked,
// its tool calls taken out when asked, the content held back while it may still be the start of a
// stop string. ChatTurns feeds it a job's events; tests may feed it fixed token ids.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chat/chat_turns.h"
#include "chat/reasoning_splitter.h"
#include "chat/stop_matcher.h"
#include "chat/tool_call_splitter.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct TurnStream {
    TurnStream(const Tokenizer& tokenizer, const TurnOptions& options, bool in_thinking,
               TurnCallback cb);

    const Tokenizer& tokenizer;
    bool skip_control;
    StreamDecoder decoder;
    std::optional<ReasoningSplitter> splitter;
    std::optional<ToolCallSplitter> tool_calls;
    StopMatcher stops;
    TurnCallback on_event;
    bool stopped_by_string = false;
    bool stop_at_first_tool_call = false;
    bool stopped_at_call = false;
    std::string decoded;                                 // all the text the tokens decode to
    std::vector<int> answer_ids;                         // the tokens generated
    std::function<void(const TurnStream&)> on_finished;  // with the whole answer

    // A token's text. A model whose file marks <think> and </think> (or the tool-call tags) as
    // control tokens still gets its thinking (and calls) split: the tags are kept for the
    // splitters.
    std::string decode(int token);
    // Splits new text into the event's reasoning, the content that goes to the stop matcher and
    // the event's tool calls.
    StopMatcher::Result split(TurnEvent& event, const std::string& text, bool end);
    // A job's event -> the turn's event; the answer to give the job.
    JobReply on_job_event(const JobEvent& ev);
    // The logits the next token is sampled from (JobRequest::on_logits), with top_logprobs.
    void on_logits(std::span<const float> logits);

    std::optional<int> top_logprobs;
    std::vector<int> banned_ids;  // left out of the top log-probabilities
    PositionLogprobs position;    // of the position being sampled
    std::vector<float> logits;    // its logits, for the sampled token's log-probability
};

}  // namespace qe
