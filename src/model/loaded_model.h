// Everything the program needs of one model, opened one way for every command: the file (which
// owns the mappings), its config, the weights bound from it, the tokenizer, the chat templates,
// the ids that end an answer and the model's default sampling settings.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jinja/chat_template.h"
#include "model/config.h"
#include "model/model_file.h"
#include "model/weights.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace qe {

struct LoadOptions {
    // Without a usable tokenizer the model still opens (a command given token ids can run it);
    // tokenizer() then throws the reason. Off: such a model is an error at once.
    bool tokenizer_optional = false;
};

class LoadedModel {
  public:
    // Opens a .gguf file or a Hugging Face folder, checks that its architecture is one this
    // program runs, and binds every weight. Throws qe::Error naming the file and the first
    // problem (unsupported architecture, missing tensor, wrong shape or type, bad tokenizer).
    static std::unique_ptr<LoadedModel> open(const std::string& path,
                                             const LoadOptions& options = {});

    const ModelFile& file() const { return file_; }
    const ModelConfig& config() const { return config_; }
    const Weights& weights() const { return weights_; }
    bool has_tokenizer() const { return tokenizer_.has_value(); }
    const Tokenizer& tokenizer() const;  // throws qe::Error when the model has none
    const std::string& tokenizer_error() const { return tokenizer_error_; }  // why it has none
    // The chat template for a request: transformers' "tool_use" template when the request has
    // tools and the model has one, else the default.
    const PromptFormatter& formatter(bool has_tools = false) const;
    // The chat template reads enable_thinking (Qwen3's): thinking can be switched per request.
    bool template_has_thinking_switch() const { return template_has_thinking_switch_; }
    // The chat template writes tool calls in the XML-like form (`<function=NAME>`, Qwen3.5's)
    // rather than as JSON (Qwen2.5's, Qwen3's): the form constrained tool calls take.
    bool template_writes_xml_tool_calls() const { return template_writes_xml_tool_calls_; }
    // End of an answer: the config's and the tokenizer's end-of-sequence ids, <|im_end|> and
    // <|endoftext|> where the vocabulary has them.
    const std::vector<int>& stop_ids() const { return stop_ids_; }
    // Sampling for answers that think (the default) or not (enable_thinking false): a table per
    // model family, under what the file carries (generation_config.json; GGUF
    // general.sampling.*), which sets the mode the model answers in by default.
    const SamplingParams& sampling_defaults(bool thinking = true) const {
        return thinking ? sampling_defaults_ : non_thinking_defaults_;
    }
    const std::string& id() const { return id_; }  // the name clients use (file or folder name)
    // The id of the model at `path` without opening it: the file name without ".gguf", or the
    // folder's name.
    static std::string id_of(const std::string& path);
    bool weights_in_file_mapping() const { return file_.format() == ModelFormat::Gguf; }

    // e.g. "qwen2, 24 layers, dim 896, vocab 151936, 494.0M parameters, 525.1 MB"
    std::string describe() const;

  private:
    explicit LoadedModel(ModelFile file) : file_(std::move(file)), config_(file_.config()) {}

    ModelFile file_;
    ModelConfig config_;
    Weights weights_;
    std::optional<Tokenizer> tokenizer_;
    std::string tokenizer_error_;
    std::unique_ptr<PromptFormatter> formatter_, tool_use_formatter_;
    std::vector<int> stop_ids_;
    bool template_has_thinking_switch_ = false;
    bool template_writes_xml_tool_calls_ = false;
    SamplingParams sampling_defaults_, non_thinking_defaults_;
    std::string id_;
};

}  // namespace qe
