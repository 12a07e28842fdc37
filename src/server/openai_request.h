// OpenAI request bodies -> validated requests. Every field is checked for type and range; a bad
// one throws ApiException naming the field. Unknown fields are ignored, as OpenAI's clients send
// extras; features we do not offer (n > 1, a forced tool call) are refused clearly rather than
// ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sampling/loop_guard.h"
#include "sampling/sampler.h"
#include "server/api_error.h"
#include "server/output_format.h"
#include "server/tool_request.h"

namespace qe {

struct RequestLimits {
    int max_tokens = 4096;         // largest max_tokens a client may ask for
    size_t max_messages = 256;     // messages per request
    size_t max_stop_strings = 4;   // as OpenAI
    size_t max_stop_length = 256;  // bytes per stop string
};

// Fields shared by chat and raw completions.
struct GenerationOptions {
    SamplingParams sampling;
    LoopGuardParams loop_guard;
    std::optional<int> max_tokens;  // none: up to the context's end
    std::vector<std::string> stop;
    bool stream = false;
    bool include_usage = false;
    std::string model;  // as the client named it; empty when absent
    // Each answer token's log-probability with this many alternatives (chat: logprobs true and
    // top_logprobs 0..20; completions: logprobs 0..5); none: off.
    std::optional<int> top_logprobs;
    OutputFormat format;  // response_format, grammar
};

struct ChatCompletionRequest {
    GenerationOptions options;
    // Variables for the chat template: chat_template_kwargs, and enable_thinking when given
    // either there or as a field of its own.
    nlohmann::ordered_json template_variables = nlohmann::ordered_json::object();
    std::optional<bool> enable_thinking;  // as asked; none: the template's default
    bool split_reasoning = true;          // reasoning_format: "none" leaves thinking in content
    // Messages as the chat template expects them: role, content (text parts joined), and for
    // assistant messages tool_calls and reasoning_content; tool messages may carry tool_call_id
    // and name.
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    ToolRequest tools;              // tools, tool_choice, parallel_tool_calls
    std::optional<int> max_rounds;  // keep the system prompt + the last N rounds
};

struct CompletionRequest {
    GenerationOptions options;
    std::string prompt;
};

// A model's sampling defaults for answers that think and answers that don't.
struct SamplingDefaults {
    SamplingParams thinking, non_thinking;
};

// `defaults` carry the model's own sampling defaults; the request overrides them field by field.
// A chat request gets the non-thinking ones when it sets enable_thinking to false.
ChatCompletionRequest parse_chat_request(const nlohmann::ordered_json& body,
                                         const SamplingDefaults& defaults,
                                         const RequestLimits& limits);
inline ChatCompletionRequest parse_chat_request(const nlohmann::ordered_json& body,
                                                const SamplingParams& defaults,
                                                const RequestLimits& limits) {
    return parse_chat_request(body, SamplingDefaults{defaults, defaults}, limits);
}
CompletionRequest parse_completion_request(const nlohmann::ordered_json& body,
                                           const SamplingParams& defaults,
                                           const RequestLimits& limits);

// Parses a request body, answering malformed JSON with a 400 that says where it broke.
nlohmann::ordered_json parse_json_body(const std::string& body);

}  // namespace qe
