// Everything needed to chat with one model file: the mapped weights, the tokenizer, the chat
// template, the ids that end a turn and the model's default sampling settings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jinja/chat_template.h"
#include "model/config.h"
#include "model/model_file.h"
#include "model/weights.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct ChatModel {
    // Opens a .gguf file or a Hugging Face folder. Throws qe::Error naming what is wrong.
    static std::unique_ptr<ChatModel> load(const std::string& path);

    ModelFile file;
    ModelConfig config;
    Weights weights;
    Tokenizer tokenizer;
    PromptFormatter formatter;
    std::vector<int> stop_ids;  // end of turn: eos, <|im_end|>, <|endoftext|> where present
    SamplingParams defaults;    // generation_config.json when the folder has one, else Qwen2.5's
    std::string id;             // the name clients use for it (file or folder name)

private:
    ChatModel(ModelFile f, Tokenizer t, std::string template_source);
};

}  // namespace qe
