// Turns a conversation into the prompt text a model was trained on, by running the model's own
// Jinja2 chat template (GGUF tokenizer.chat_template, or tokenizer_config.json's chat_template)
// the way Hugging Face transformers' apply_chat_template does.
//
// ChatTemplate is strict: a template that can't be parsed or rendered throws jinja::TemplateError
// (a qe::Error naming line and column). PromptFormatter wraps it with the safety net the product
// needs: a template it can't use falls back to plain ChatML and says so, never crashing.
//
// JSON comes in as nlohmann::ordered_json because key order is visible in the output: tool
// schemas go through tojson, which keeps the order the client sent.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "jinja/jinja_ast.h"
#include "jinja/jinja_budget.h"
#include "jinja/jinja_error.h"

namespace qe {

class ChatTemplate {
  public:
    // Parses the template; throws jinja::TemplateError (Kind::Syntax) with line and column.
    explicit ChatTemplate(std::string_view source, jinja::RenderLimits limits = {});

    // What apply_chat_template(messages, tools=tools, add_generation_prompt=...,
    // **extra_variables) renders. `messages` is an array of message objects; `tools` is null
    // (the template then sees None) or an array; `extra_variables` is an object of further
    // variables (bos_token, eos_token, enable_thinking, documents, ...); `documents` is None
    // unless given there, as in transformers. Throws jinja::TemplateError when the
    // template fails (Kind::Raised when it called raise_exception), qe::Error for input that is
    // not shaped like a conversation. Safe to call from several threads at once.
    std::string render(
        const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
        bool add_generation_prompt,
        const nlohmann::ordered_json& extra_variables = nlohmann::ordered_json::object()) const;

    const std::string& source() const { return source_; }  // normalized (newlines as "\n")

  private:
    std::string source_;
    std::shared_ptr<const jinja::Body> body_;
    jinja::RenderLimits limits_;
};

// The generic ChatML rendering used when a model's template can't be: for each message
// "<|im_start|>{role}\n{content}<|im_end|>\n", then "<|im_start|>assistant\n" when asked. Content
// that is not a string is rendered as its text parts (OpenAI content arrays) or as JSON; tools
// and tool calls are left out. Throws qe::Error when `messages` is not an array of objects.
std::string render_chatml(const nlohmann::ordered_json& messages, bool add_generation_prompt);

// Which renderer produced a prompt, and why the model's template was not used.
enum class PromptFallback {
    None,            // the model's template rendered it
    NoTemplate,      // the model has no chat template
    TemplateSyntax,  // the template could not be parsed (or uses an unsupported feature)
    TemplateRender,  // the template failed while rendering this conversation
    TemplateRaised,  // the template rejected this conversation with raise_exception()
};

struct FormattedPrompt {
    std::string text;
    PromptFallback fallback = PromptFallback::None;
    std::string warning;  // empty when fallback == None; otherwise what happened, with position

    bool used_fallback() const { return fallback != PromptFallback::None; }
};

class PromptFormatter {
  public:
    // Never throws for a bad template: an empty source means "no template", and a parse error is
    // kept (load_warning()) and turns every format() into ChatML.
    explicit PromptFormatter(std::string_view template_source, jinja::RenderLimits limits = {});

    // Renders with the model's template, or ChatML when that is not possible. Throws qe::Error
    // only for input that is not a conversation at all (see render_chatml).
    FormattedPrompt format(
        const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
        bool add_generation_prompt,
        const nlohmann::ordered_json& extra_variables = nlohmann::ordered_json::object()) const;

    bool has_template() const { return template_.has_value(); }
    // Why the template is unusable (empty when it parsed).
    const std::string& load_warning() const { return load_warning_; }

  private:
    std::optional<ChatTemplate> template_;
    PromptFallback load_failure_ = PromptFallback::None;
    std::string load_warning_;
};

}  // namespace qe
