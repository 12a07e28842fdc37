#include "jinja/chat_template.h"

#include "jinja/jinja_lexer.h"
#include "jinja/jinja_parser.h"
#include "jinja/jinja_render.h"

namespace qe {

namespace {

// Variables transformers passes itself; extra variables may not replace them.
constexpr std::string_view kReservedNames[] = {"messages", "tools", "add_generation_prompt"};

jinja::Value convert_input(const nlohmann::ordered_json& j, const char* what) {
    try {
        return jinja::from_json(j);
    } catch (const jinja::EvalError& e) {
        throw Error(std::string("chat template input: ") + what + ": " + e.what());
    }
}

std::string message_text(const nlohmann::ordered_json& content) {
    if (content.is_null()) return "";
    if (content.is_string()) return content.get<std::string>();
    if (content.is_array()) {
        std::string text;
        for (const auto& part : content) {
            if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
                part["text"].is_string()) {
                text += part["text"].get<std::string>();
            }
        }
        return text;
    }
    return content.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

PromptFallback fallback_for(jinja::TemplateError::Kind kind) {
    switch (kind) {
        case jinja::TemplateError::Kind::Syntax:
            return PromptFallback::TemplateSyntax;
        case jinja::TemplateError::Kind::Raised:
            return PromptFallback::TemplateRaised;
        default:
            return PromptFallback::TemplateRender;
    }
}

}  // namespace

ChatTemplate::ChatTemplate(std::string_view source, jinja::RenderLimits limits)
    : source_(jinja::normalize_template_source(source)),
      body_(std::make_shared<const jinja::Body>(jinja::parse_template(source_))),
      limits_(limits) {}

std::string ChatTemplate::render(const nlohmann::ordered_json& messages,
                                 const nlohmann::ordered_json& tools, bool add_generation_prompt,
                                 const nlohmann::ordered_json& extra_variables) const {
    if (!messages.is_array()) throw Error("chat template input: messages must be an array");
    if (!tools.is_null() && !tools.is_array()) {
        throw Error("chat template input: tools must be an array or null");
    }
    if (!extra_variables.is_object()) {
        throw Error("chat template input: extra variables must be a JSON object");
    }
    std::vector<std::pair<std::string, jinja::Value>> variables;
    variables.emplace_back("messages", convert_input(messages, "messages"));
    variables.emplace_back("tools", convert_input(tools, "tools"));
    variables.emplace_back("add_generation_prompt", add_generation_prompt);
    // transformers always passes documents (None unless the caller gives some).
    if (!extra_variables.contains("documents")) variables.emplace_back("documents", nullptr);
    for (const auto& [name, value] : extra_variables.items()) {
        for (std::string_view reserved : kReservedNames) {
            if (name == reserved) {
                throw Error("chat template input: '" + name + "' can't be an extra variable");
            }
        }
        variables.emplace_back(name, convert_input(value, name.c_str()));
    }
    return jinja::render_template(source_, *body_, std::move(variables), limits_);
}

std::string render_chatml(const nlohmann::ordered_json& messages, bool add_generation_prompt) {
    if (!messages.is_array()) throw Error("chat messages must be an array");
    std::string out;
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        if (!m.is_object()) throw Error("chat message " + std::to_string(i) + " is not an object");
        const auto role = m.find("role");
        if (role == m.end() || !role->is_string()) {
            throw Error("chat message " + std::to_string(i) + " has no string 'role'");
        }
        const auto content = m.find("content");
        out += "<|im_start|>" + role->get<std::string>() + "\n";
        out += content == m.end() ? "" : message_text(*content);
        out += "<|im_end|>\n";
    }
    if (add_generation_prompt) out += "<|im_start|>assistant\n";
    return out;
}

PromptFormatter::PromptFormatter(std::string_view template_source, jinja::RenderLimits limits) {
    if (template_source.empty()) {
        load_failure_ = PromptFallback::NoTemplate;
        load_warning_ = "no chat template; using ChatML";
        return;
    }
    try {
        template_.emplace(template_source, limits);
    } catch (const jinja::TemplateError& e) {
        load_failure_ = PromptFallback::TemplateSyntax;
        load_warning_ = std::string(e.what()) + "; using ChatML";
    }
}

FormattedPrompt PromptFormatter::format(const nlohmann::ordered_json& messages,
                                        const nlohmann::ordered_json& tools,
                                        bool add_generation_prompt,
                                        const nlohmann::ordered_json& extra_variables) const {
    FormattedPrompt result;
    if (template_) {
        try {
            result.text =
                template_->render(messages, tools, add_generation_prompt, extra_variables);
            return result;
        } catch (const jinja::TemplateError& e) {
            result.fallback = fallback_for(e.kind());
            result.warning = std::string(e.what()) + "; using ChatML";
        }
    } else {
        result.fallback = load_failure_;
        result.warning = load_warning_;
    }
    result.text = render_chatml(messages, add_generation_prompt);
    return result;
}

}  // namespace qe
