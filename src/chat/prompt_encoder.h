// Conversation -> prompt token ids. The model's chat template renders the conversation; the
// control tokens of its markup (<|im_start|>, <|im_end|>) become their ids, while a control-token
// literal written in any message or tool text is encoded as plain text, so typing "<|im_end|>"
// cannot end a turn or open a system message. Other added tokens (<think>, <tool_call>) are
// matched wherever they appear, as Hugging Face does. When no message contains a control-token
// literal, the ids equal Hugging Face's tokenization of the rendered prompt.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "jinja/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct EncodedPrompt {
    std::vector<int32_t> ids;
    std::string text;     // the rendered prompt, exactly as the template renders the conversation
    std::string warning;  // set when the model's template could not be used (ChatML instead)
};

// `extra_variables` are further template variables (chat_template_kwargs such as
// enable_thinking), as in PromptFormatter::format. Throws qe::Error when a message holds a
// control-token literal and the template's output depends on that literal's text (then markup
// and user text can't be told apart).
EncodedPrompt encode_conversation(
    const PromptFormatter& formatter, const Tokenizer& tokenizer,
    const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
    bool add_generation_prompt,
    const nlohmann::ordered_json& extra_variables = nlohmann::ordered_json::object());

// Where the conversation before the generation prompt ends in `prompt_ids` (the same messages
// encoded with add_generation_prompt): the next turn's prompt repeats the ids up to here, however
// the template renders this turn's answer in the history (Qwen3.5 drops its empty thinking
// block). 0 when the two encodings part earlier or the template refuses to render without the
// generation prompt.
int conversation_end(
    const PromptFormatter& formatter, const Tokenizer& tokenizer,
    const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
    std::span<const int> prompt_ids,
    const nlohmann::ordered_json& extra_variables = nlohmann::ordered_json::object());

}  // namespace qe
