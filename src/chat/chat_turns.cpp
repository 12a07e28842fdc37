#include "chat/chat_turns.h"

#include "chat/context_window.h"
#include "chat/prompt_encoder.h"
#include "chat/stop_matcher.h"
#include "tokenizer/stream_decoder.h"

namespace qe {
namespace {

// One answer's decoding on the engine thread: tokens -> text, held back while it may still be
// the start of a stop string.
struct TurnStream {
    TurnStream(const Tokenizer& tokenizer, const TurnOptions& options, TurnCallback cb)
        : decoder(tokenizer, options.skip_control), stops(options.stop), on_event(std::move(cb)) {}

    StreamDecoder decoder;
    StopMatcher stops;
    TurnCallback on_event;
    bool stopped_by_string = false;

    JobReply on_job_event(const JobEvent& ev) {
        if (!ev.done) {
            const auto r = stops.push(decoder.push(ev.token));
            TurnEvent piece;
            piece.text = r.emit;
            piece.token = ev.token;
            const bool go_on = on_event(piece);
            if (r.stopped) {
                stopped_by_string = true;
                return JobReply::stop();
            }
            return go_on;
        }
        TurnEvent last;
        if (!stopped_by_string) {
            // The held-back bytes may still complete a stop string.
            const auto r = stops.push(decoder.finish());
            last.text = r.emit;
            if (r.stopped) stopped_by_string = true;
            else last.text += stops.flush();
        }
        last.done = true;
        last.finish_reason = stopped_by_string ? "stop" : ev.finish_reason;
        last.job = ev;
        on_event(last);
        return true;
    }
};

}  // namespace

TurnPrompt ChatTurns::encode(const nlohmann::ordered_json& messages,
                             const nlohmann::ordered_json& tools, std::optional<int> max_rounds,
                             int answer_room) const {
    const bool has_tools = tools.is_array();
    TurnPrompt prompt;
    EncodedPrompt encoded;
    const ContextWindow window = fit_context(
        messages, max_rounds, n_ctx() - answer_room, [&](const nlohmann::ordered_json& m) {
            encoded = encode_conversation(model_.formatter(has_tools), model_.tokenizer(), m,
                                          tools, true);
            return int(encoded.ids.size());
        });
    prompt.ids.assign(encoded.ids.begin(), encoded.ids.end());
    prompt.text = std::move(encoded.text);
    prompt.warning = std::move(encoded.warning);
    prompt.dropped_rounds = window.dropped_rounds;
    return prompt;
}

std::shared_ptr<JobHandle> ChatTurns::start(std::vector<int> prompt, TurnOptions options,
                                            TurnCallback on_event) {
    auto stream = std::make_shared<TurnStream>(model_.tokenizer(), options, std::move(on_event));
    JobRequest job;
    job.prompt = std::move(prompt);
    job.options = std::move(options.generate);
    // The callback holds the stream until the job ends.
    job.on_event = [stream](const JobEvent& ev) { return stream->on_job_event(ev); };
    return scheduler_.submit(std::move(job));
}

}  // namespace qe
