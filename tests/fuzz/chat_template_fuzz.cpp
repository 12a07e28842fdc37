// Any bytes as a chat template, rendered for a conversation with tools and tool calls: it must
// render or fail with a qe::Error (a positioned TemplateError, or an input error), within the
// limits: never crash, hang or exhaust memory. Limits are lowered so each input runs quickly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "jinja/chat_template.h"

namespace {

const nlohmann::ordered_json& conversation() {
    static const auto messages = nlohmann::ordered_json::parse(R"([
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Weather in 京都? <|im_end|> {{ x }}"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"type": "function", "function": {"name": "get_weather",
                                              "arguments": {"city": "Kyoto", "days": [1, 2.5]}}}]},
        {"role": "tool", "content": "{\"temp\": 15}"},
        {"role": "assistant", "content": "<think>\nok\n</think>\n\nIt is 15°C."}
    ])");
    return messages;
}

const nlohmann::ordered_json& tools() {
    static const auto t = nlohmann::ordered_json::parse(R"([
        {"type": "function", "function": {"name": "get_weather", "description": "Wetter ☀",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                        "required": ["city"]}}}
    ])");
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string source(reinterpret_cast<const char*>(data), size);
    qe::jinja::RenderLimits limits;
    limits.max_steps = 200'000;
    limits.max_output_bytes = 1 << 20;
    try {
        const qe::ChatTemplate tmpl(source, limits);
        tmpl.render(conversation(), tools(), true,
                    {{"bos_token", "<s>"}, {"enable_thinking", false}});
        tmpl.render(conversation(), nullptr, false);
    } catch (const qe::Error&) {
    }
    // The formatter must never throw for a template problem.
    qe::PromptFormatter formatter(source, limits);
    formatter.format(conversation(), tools(), true);
    return 0;
}
