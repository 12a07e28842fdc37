// Where a model keeps its chat template: the GGUF key tokenizer.chat_template (and llama.cpp's
// tokenizer.chat_template.tool_use), or in a Hugging Face folder chat_template.jinja, else
// tokenizer_config.json's "chat_template" (a string, or a list of named templates).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace qe {

class ModelFile;
class Tokenizer;

struct ModelChatTemplate {
    std::string source;           // the default template; empty when the model has none
    std::string tool_use_source;  // transformers' "tool_use" template, for requests with tools
    std::string origin;           // where `source` was found, for messages

    // What transformers picks: the tool_use template when the request has tools (even an empty
    // list) and the model has one.
    const std::string& for_request(bool has_tools) const {
        return has_tools && !tool_use_source.empty() ? tool_use_source : source;
    }
};

// Throws qe::Error for a malformed tokenizer_config.json or a chat_template of the wrong type.
ModelChatTemplate load_chat_template(const ModelFile& model);
// From a .gguf file or a Hugging Face folder (its weights are not needed).
ModelChatTemplate load_chat_template(const std::string& path);

// The special tokens transformers passes to every template (bos_token, eos_token, pad_token,
// unk_token) as their text, for those the vocabulary defines.
nlohmann::ordered_json special_token_variables(const Tokenizer& tokenizer);

}  // namespace qe
