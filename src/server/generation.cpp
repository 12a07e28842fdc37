#include "server/generation.h"

#include "server/api_json.h"
#include "server/tool_call_json.h"

namespace qe {
namespace {

// The scheduler's reasons, as OpenAI's clients know them.
std::string openai_finish_reason(const std::string& reason) {
    if (reason == "context") return "length";
    return reason;
}

}  // namespace

using json = nlohmann::ordered_json;

json Generation::chunk(json choice) const {
    return {{"id", id},
            {"object", chat ? "chat.completion.chunk" : "text_completion"},
            {"created", created},
            {"model", model},
            {"choices", json::array({std::move(choice)})}};
}

json Generation::text_choice(const std::string& piece, const json& finish) const {
    if (chat) return {{"index", 0}, {"delta", {{"content", piece}}}, {"finish_reason", finish}};
    return {{"index", 0}, {"text", piece}, {"finish_reason", finish}};
}

void Generation::push_event(const json& j) {
    chunks.push_back("data: " + dump_json(j) + "\n\n");
}

bool Generation::has_logprobs() const {
    return !chat_logprobs.empty() || !legacy_logprobs.empty();
}

json Generation::take_logprobs() {
    if (!chat) return legacy_logprobs.take();
    json content = std::move(chat_logprobs);
    chat_logprobs = json::array();
    return {{"content", std::move(content)}};
}

void Generation::push_choices(std::vector<json> choices) {
    if (!choices.empty() && has_logprobs()) choices.back()["logprobs"] = take_logprobs();
    for (json& c : choices) push_event(chunk(std::move(c)));
}

void Generation::emit(const TurnEvent& ev) {
    std::lock_guard lock(m);
    if (ev.logprob) {
        if (chat)
            chat_logprobs.push_back(chat_logprob_json(*ev.logprob, *tokenizer));
        else
            legacy_logprobs.add(*ev.logprob, *tokenizer);
    }
    if (ev.text.empty() && ev.reasoning.empty() && ev.tool_calls.empty()) return;
    reasoning += ev.reasoning;
    text += ev.text;
    std::vector<json> choices;
    if (!ev.reasoning.empty())
        choices.push_back({{"index", 0},
                           {"delta", {{"reasoning_content", ev.reasoning}}},
                           {"finish_reason", nullptr}});
    if (!ev.text.empty()) choices.push_back(text_choice(ev.text, nullptr));
    for (const ToolCall& call : ev.tool_calls) {
        if (!parallel_tool_calls && !tool_calls.empty()) break;
        const std::string call_id = new_tool_call_id();
        for (json& delta : tool_call_deltas(call, call_id, int(tool_calls.size())))
            choices.push_back({{"index", 0},
                               {"delta", {{"tool_calls", json::array({std::move(delta)})}}},
                               {"finish_reason", nullptr}});
        tool_calls.push_back(tool_call_json(call, call_id));
    }
    if (stream) push_choices(std::move(choices));
    cv.notify_all();
}

json Generation::usage() const {
    return {{"prompt_tokens", final.prompt_tokens},
            {"completion_tokens", final.completion_tokens},
            {"total_tokens", final.prompt_tokens + final.completion_tokens},
            {"prompt_tokens_details", {{"cached_tokens", final.cached_tokens}}}};
}

json Generation::timings() const {
    const double ttft =
        got_token ? std::chrono::duration<double, std::milli>(first_token - arrived).count() : 0;
    return {{"ttft_ms", ttft},
            {"tokens_per_second", final.decode_tokens_per_second},
            {"prompt_tokens", final.prompt_tokens},
            {"cached_tokens", final.cached_tokens},
            {"queue_ms", final.queue_ms},
            // Speculative decoding: proposals, the ones kept, and answer tokens per decode pass
            // (1 without speculation).
            {"draft_tokens", final.draft_tokens},
            {"draft_accepted", final.draft_accepted},
            {"tokens_per_pass",
             final.decode_passes > 0
                 ? double(final.decode_passes + final.draft_accepted) / double(final.decode_passes)
                 : 0.0}};
}

bool Generation::on_event(const TurnEvent& ev) {
    if (!ev.done) {
        if (!got_token) {
            got_token = true;
            first_token = Clock::now();
        }
        emit(ev);
        return !client_gone.load();
    }
    emit(ev);
    std::lock_guard lock(m);
    final = ev.job;
    finish_reason = openai_finish_reason(ev.finish_reason);
    // An answer that ends after its calls asks the client to run them.
    if (!tool_calls.empty() && finish_reason == "stop") finish_reason = "tool_calls";
    if (stream) {
        if (finish_reason == "error") {
            push_event(
                error_body(make_error(500, "server_error", "generation_failed", ev.job.error)));
        } else {
            json choice = chat ? json{{"index", 0},
                                      {"delta", json::object()},
                                      {"finish_reason", finish_reason}}
                               : text_choice("", finish_reason);
            if (has_logprobs()) choice["logprobs"] = take_logprobs();
            json last = chunk(std::move(choice));
            last["timings"] = timings();
            last["context"] = {{"dropped_rounds", dropped_rounds}};
            push_event(last);
            if (include_usage) {
                json u = chunk(nullptr);
                u["choices"] = json::array();
                u["usage"] = usage();
                push_event(u);
            }
        }
        chunks.push_back("data: [DONE]\n\n");
    }
    done = true;
    cv.notify_all();
    return true;
}

json Generation::response_body() {
    // As OpenAI: an answer that is only calls has null content.
    const bool only_calls = text.empty() && !tool_calls.empty();
    json message = {{"role", "assistant"}, {"content", only_calls ? json() : json(text)}};
    if (!reasoning.empty()) message["reasoning_content"] = reasoning;
    if (!tool_calls.empty()) message["tool_calls"] = tool_calls;
    json choice =
        chat ? json{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason}}
             : json{{"index", 0}, {"text", text}, {"finish_reason", finish_reason}};
    if (top_logprobs) choice["logprobs"] = take_logprobs();
    if (!citations.is_null()) choice["citations"] = citations;
    json out = {{"id", id},
                {"object", chat ? "chat.completion" : "text_completion"},
                {"created", created},
                {"model", model},
                {"choices", json::array({choice})},
                {"usage", usage()},
                {"timings", timings()}};
    if (chat) out["context"] = {{"dropped_rounds", dropped_rounds}};
    return out;
}

}  // namespace qe
