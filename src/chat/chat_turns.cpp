#include "chat/chat_turns.h"

#include "chat/context_window.h"
#include "chat/prompt_encoder.h"
#include "chat/reasoning_splitter.h"
#include "chat/stop_matcher.h"
#include "tokenizer/stream_decoder.h"

namespace qe {
namespace {

// One answer's decoding on the engine thread: tokens -> text, its thinking split off when asked,
// the content held back while it may still be the start of a stop string.
struct TurnStream {
    TurnStream(const Tokenizer& tokenizer, const TurnOptions& options, bool in_thinking,
               TurnCallback cb)
        : tokenizer(tokenizer),
          skip_control(options.skip_control),
          decoder(tokenizer, options.skip_control),
          stops(options.stop),
          on_event(std::move(cb)) {
        if (options.split_reasoning) splitter.emplace(in_thinking);
    }

    const Tokenizer& tokenizer;
    bool skip_control;
    StreamDecoder decoder;
    std::optional<ReasoningSplitter> splitter;
    StopMatcher stops;
    TurnCallback on_event;
    bool stopped_by_string = false;
    std::string decoded;                                 // all the text the tokens decode to
    std::vector<int> answer_ids;                         // the tokens generated
    std::function<void(const TurnStream&)> on_finished;  // with the whole answer

    // A token's text. A model whose file marks <think> and </think> as control tokens still
    // gets its thinking split: the tags are kept for the splitter.
    std::string decode(int token) {
        std::string text = decoder.push(token);
        if (splitter && skip_control && tokenizer.kind(token) == TokenKind::kControl) {
            const std::string_view tag = tokenizer.token_bytes(token);
            if (tag == ReasoningSplitter::kOpen || tag == ReasoningSplitter::kClose) text += tag;
        }
        return text;
    }

    // Splits new text into the event's reasoning and the content that goes to the stop matcher.
    StopMatcher::Result split(TurnEvent& event, const std::string& text, bool end) {
        decoded += text;
        if (!splitter) return stops.push(text);
        ReasoningSplitter::Pieces p = splitter->push(text);
        if (end) {
            ReasoningSplitter::Pieces rest = splitter->finish();
            p.reasoning += rest.reasoning;
            p.content += rest.content;
        }
        event.reasoning = std::move(p.reasoning);
        return stops.push(p.content);
    }

    JobReply on_job_event(const JobEvent& ev) {
        if (!ev.done) {
            TurnEvent piece;
            const auto r = split(piece, decode(ev.token), false);
            piece.text = r.emit;
            piece.token = ev.token;
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
            const auto r = split(last, decoder.finish(), true);
            last.text = r.emit;
            if (r.stopped)
                stopped_by_string = true;
            else
                last.text += stops.flush();
        }
        last.done = true;
        last.finish_reason = stopped_by_string ? "stop" : ev.finish_reason;
        last.job = ev;
        if (on_finished) on_finished(*this);
        on_event(last);
        return true;
    }
};

}  // namespace

TurnPrompt ChatTurns::encode(const nlohmann::ordered_json& messages,
                             const nlohmann::ordered_json& tools, std::optional<int> max_rounds,
                             int answer_room,
                             const nlohmann::ordered_json& template_variables) const {
    const PromptFormatter& formatter = model_.formatter(tools.is_array());
    TurnPrompt prompt;
    EncodedPrompt encoded;
    const ContextWindow window = fit_context(
        messages, max_rounds, n_ctx() - answer_room, [&](const nlohmann::ordered_json& m) {
            encoded = encode_conversation(formatter, model_.tokenizer(), m, tools, true,
                                          template_variables);
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
    auto stream = std::make_shared<TurnStream>(
        model_.tokenizer(), options, prompt_opens_thinking(prompt.text), std::move(on_event));
    if (!prompt.text.empty()) {
        // Remembered only when the text sent is exactly what the generated ids decode to (no
        // stop string cut it) and the answer ended at a stop token or its length limit.
        stream->on_finished = [memory = memory_, text = prompt.text,
                               ids = prompt.ids](const TurnStream& s) {
            if (s.stopped_by_string || s.answer_ids.empty()) return;
            Spoken spoken{text + s.decoded, ids};
            spoken.ids.insert(spoken.ids.end(), s.answer_ids.begin(), s.answer_ids.end());
            memory->remember(std::move(spoken));
        };
    }
    JobRequest job;
    job.prompt = std::move(prompt.ids);
    job.options = std::move(options.generate);
    job.constraint = std::move(options.constraint);
    // The callback holds the stream until the job ends.
    job.on_event = [stream](const JobEvent& ev) { return stream->on_job_event(ev); };
    return scheduler_.submit(std::move(job));
}

void ChatTurns::Memory::remember(Spoken s) {
    std::lock_guard lock(mutex);
    spoken.push_front(std::make_shared<const Spoken>(std::move(s)));
    if (spoken.size() > kRemembered) spoken.pop_back();
}

std::vector<int> ChatTurns::reuse_spoken_ids(const std::string& text, std::vector<int> ids) const {
    std::shared_ptr<const Spoken> best;
    {
        std::lock_guard lock(memory_->mutex);
        for (const auto& m : memory_->spoken)
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
