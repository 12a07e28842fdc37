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
    std::string answer;                                  // the text sent
    std::vector<int> answer_ids;                         // the tokens generated
    std::function<void(const TurnStream&)> on_finished;  // with the whole answer

    JobReply on_job_event(const JobEvent& ev) {
        if (!ev.done) {
            const auto r = stops.push(decoder.push(ev.token));
            TurnEvent piece;
            piece.text = r.emit;
            piece.token = ev.token;
            answer += r.emit;
            answer_ids.push_back(ev.token);
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
            if (r.stopped)
                stopped_by_string = true;
            else
                last.text += stops.flush();
        }
        last.done = true;
        last.finish_reason = stopped_by_string ? "stop" : ev.finish_reason;
        last.job = ev;
        answer += last.text;
        if (on_finished) on_finished(*this);
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
            encoded = encode_conversation(model_.formatter(has_tools), model_.tokenizer(), m, tools,
                                          true);
            return int(encoded.ids.size());
        });
    prompt.ids = reuse_spoken_ids(encoded.text, {encoded.ids.begin(), encoded.ids.end()});
    prompt.text = std::move(encoded.text);
    prompt.warning = std::move(encoded.warning);
    prompt.dropped_rounds = window.dropped_rounds;
    return prompt;
}

std::shared_ptr<JobHandle> ChatTurns::start(TurnPrompt prompt, TurnOptions options,
                                            TurnCallback on_event) {
    auto stream = std::make_shared<TurnStream>(model_.tokenizer(), options, std::move(on_event));
    if (!prompt.text.empty()) {
        // Remembered only when the text sent is exactly what the generated ids decode to (no
        // stop string cut it) and the answer ended at a stop token or its length limit.
        stream->on_finished = [this, text = prompt.text, ids = prompt.ids](const TurnStream& s) {
            if (s.stopped_by_string || s.answer_ids.empty()) return;
            Spoken spoken{text + s.answer, ids};
            spoken.ids.insert(spoken.ids.end(), s.answer_ids.begin(), s.answer_ids.end());
            remember(std::move(spoken));
        };
    }
    JobRequest job;
    job.prompt = std::move(prompt.ids);
    job.options = std::move(options.generate);
    // The callback holds the stream until the job ends.
    job.on_event = [stream](const JobEvent& ev) { return stream->on_job_event(ev); };
    return scheduler_.submit(std::move(job));
}

void ChatTurns::remember(Spoken spoken) {
    std::lock_guard lock(memory_mutex_);
    memory_.push_front(std::make_shared<const Spoken>(std::move(spoken)));
    if (memory_.size() > kRemembered) memory_.pop_back();
}

std::vector<int> ChatTurns::reuse_spoken_ids(const std::string& text, std::vector<int> ids) const {
    std::shared_ptr<const Spoken> best;
    {
        std::lock_guard lock(memory_mutex_);
        for (const auto& m : memory_)
            if (text.starts_with(m->text) && (!best || m->text.size() > best->text.size()))
                best = m;
    }
    if (!best) return ids;
    // The fresh ids decode to `text` token by token: find the one where the spoken text ends.
    // The template closes an answer with a control token, so the split falls between tokens.
    const Tokenizer& tokenizer = model_.tokenizer();
    size_t bytes = 0, split = 0;
    while (split < ids.size() && bytes < best->text.size())
        bytes += tokenizer.token_bytes(ids[split++]).size();
    if (bytes != best->text.size()) return ids;
    std::vector<int> reused = best->ids;
    reused.insert(reused.end(), ids.begin() + std::ptrdiff_t(split), ids.end());
    return reused;
}

}  // namespace qe
