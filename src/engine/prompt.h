// From what a user types to the token ids the model continues: the model's own chat template
// (or ChatML when it has none), the tokenizer, and the tokens that end an answer.
#pragma once

#include <string>
#include <vector>

#include "model/model_file.h"
#include "tokenizer/tokenizer.h"

namespace qe {

// The chat template the model carries: GGUF tokenizer.chat_template, or a Hugging Face folder's
// chat_template.jinja or tokenizer_config.json chat_template (a string, or the "default" entry of
// a list of named templates). Empty when there is none.
std::string chat_template_source(const ModelFile& file);

// Ids that end an answer: the model's end-of-sequence token, and <|im_end|> / <|endoftext|>
// when the vocabulary has them.
std::vector<int> stop_token_ids(const ModelFile& file, const Tokenizer& tokenizer);

struct ChatPrompt {
    std::vector<int> ids;
    std::string text;     // the rendered prompt
    std::string warning;  // set when the model's template could not be used (ChatML instead)
};

// One user turn (after an optional system message) rendered with the model's chat template and
// the generation prompt, then tokenized. Special-token literals typed in `user` or `system` stay
// text: only the template's own markers become control tokens.
ChatPrompt chat_prompt(const ModelFile& file, const Tokenizer& tokenizer, const std::string& user,
                       const std::string& system = "");

}  // namespace qe
