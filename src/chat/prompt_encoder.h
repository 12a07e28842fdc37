// Conversation -> prompt token ids. The model's chat template renders the conversation; the
// template's own markup (<|im_start|>, <|im_end|>) becomes special tokens, while everything the
// users wrote is encoded as plain text, so typing "<|im_end|>" cannot end a turn or open a
// system message. When no message contains such a literal, the ids equal Hugging Face's
// tokenization of the rendered prompt.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jinja/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct EncodedPrompt {
    std::vector<int32_t> ids;
    std::string text;     // the rendered prompt (for logs and the template command)
    std::string warning;  // set when the model's template could not be used (ChatML instead)
};

EncodedPrompt encode_conversation(const PromptFormatter& formatter, const Tokenizer& tokenizer,
                                  const nlohmann::ordered_json& messages,
                                  const nlohmann::ordered_json& tools, bool add_generation_prompt);

}  // namespace qe
