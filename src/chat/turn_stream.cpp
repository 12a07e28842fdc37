#include "chat/turn_stream.h"

namespace qe {

TurnStream::TurnStream(const Tokenizer& tokenizer, const TurnOptions& options, bool in_thinking,
                       TurnCallback cb)
    : tokenizer(tokenizer),
      skip_control(options.skip_control),
      decoder(tokenizer, options.skip_control),
      stops(options.stop),
      on_event(std::move(cb)) {
    if (options.split_reasoning) splitter.emplace(in_thinking);
    if (options.split_tool_calls) tool_calls.emplace(options.tools);
    top_logprobs = options.top_logprobs;
    stop_at_first_tool_call = options.stop_at_first_tool_call;
    banned_ids = options.generate.banned_ids;
}

void TurnStream::on_logits(std::span<const float> l) {
    position = position_logprobs(l, top_logprobs.value_or(0), banned_ids);
    logits.assign(l.begin(), l.end());
}

std::string TurnStream::decode(int token) {
    std::string text = decoder.push(token);
    if (skip_control && tokenizer.kind(token) == TokenKind::kControl) {
        const std::string_view tag = tokenizer.token_bytes(token);
        if (splitter && (tag == ReasoningSplitter::kOpen || tag == ReasoningSplitter::kClose))
            text += tag;
        if (tool_calls && (tag == ToolCallSplitter::kOpen || tag == ToolCallSplitter::kClose))
            text += tag;
    }
    return text;
}

StopMatcher::Result TurnStream::split(TurnEvent& event, const std::string& text, bool end) {
    decoded += text;
    std::string content = text;
    if (splitter) {
        ReasoningSplitter::Pieces p = splitter->push(text);
        if (end) {
            ReasoningSplitter::Pieces rest = splitter->finish();
            p.reasoning += rest.reasoning;
            p.content += rest.content;
        }
        event.reasoning = std::move(p.reasoning);
        content = std::move(p.content);
    }
    if (!tool_calls) return stops.push(content);
    ToolCallSplitter::Pieces p = tool_calls->push(content);
    if (end) {
        ToolCallSplitter::Pieces rest = tool_calls->finish();
        p.content += rest.content;
        for (auto& call : rest.calls) p.calls.push_back(std::move(call));
    }
    StopMatcher::Result r = stops.push(p.content);
    // No stop string spans a call; one that ended the content drops the calls after it.
    if (!p.calls.empty() && !r.stopped) {
        r.emit += stops.flush();
        event.tool_calls = std::move(p.calls);
    }
    return r;
}

JobReply TurnStream::on_job_event(const JobEvent& ev) {
    if (!ev.done) {
        TurnEvent piece;
        const auto r = split(piece, decode(ev.token), false);
        piece.text = r.emit;
        piece.token = ev.token;
        if (top_logprobs && size_t(ev.token) < logits.size())
            piece.logprob = AnswerLogprob{
                {ev.token, float(double(logits[size_t(ev.token)]) - position.log_norm)},
                position.top};
        answer_ids.push_back(ev.token);
        const bool go_on = on_event(piece);
        if (r.stopped) {
            stopped_by_string = true;
            return JobReply::stop();
        }
        if (stop_at_first_tool_call && !piece.tool_calls.empty()) {
            stopped_at_call = true;  // what follows a call is dropped anyway
            return JobReply::stop();
        }
        return go_on;
    }
    TurnEvent last;
    if (!stopped_by_string && !stopped_at_call) {
        // The held-back bytes may still complete a stop string.
        const auto r = split(last, decoder.finish(), true);
        last.text = r.emit;
        if (r.stopped)
            stopped_by_string = true;
        else
            last.text += stops.flush();
    }
    last.done = true;
    last.finish_reason = stopped_by_string || stopped_at_call ? "stop" : ev.finish_reason;
    last.job = ev;
    if (on_finished) on_finished(*this);
    on_event(last);
    return true;
}

}  // namespace qe
