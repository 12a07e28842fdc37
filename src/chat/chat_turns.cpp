#include "chat/chat_turns.h"

#include "chat/context_window.h"
#include "chat/prompt_encoder.h"
#include "chat/reasoning_splitter.h"
#include "chat/turn_stream.h"

namespace qe {

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
    // A template may render this turn's answer differently in the next turn's history: that
    // prompt can resume only from here (JobRequest::keep_at).
    prompt.conversation_end = conversation_end(formatter, model_.tokenizer(), window.messages,
                                               tools, prompt.ids, template_variables);
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
    job.keep_at = prompt.conversation_end;
    job.options = std::move(options.generate);
    job.constraint = std::move(options.constraint);
    // The callback holds the stream until the job ends.
    job.on_event = [stream](const JobEvent& ev) { return stream->on_job_event(ev); };
    if (stream->top_logprobs)
        job.on_logits = [stream](std::span<const float> logits) { stream->on_logits(logits); };
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
