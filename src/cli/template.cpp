// qwen-edge template: prints a conversation exactly as the model will read it, rendered by the
// model's chat template (or a template file), the way transformers' apply_chat_template does.
//
// Input (stdin or --input), one JSON object:
//   {"messages": [...], "tools": [...], "add_generation_prompt": true,
//    "chat_template_kwargs": {"enable_thinking": false}}
// Only "messages" is required; add_generation_prompt defaults to true.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "jinja/chat_template.h"
#include "model/chat_template_load.h"
#include "model/model_file.h"
#include "model/tokenizer_load.h"

namespace qe::cli {
namespace {

using nlohmann::ordered_json;

struct Conversation {
    ordered_json messages;
    ordered_json tools;  // null when absent
    bool add_generation_prompt = true;
    ordered_json variables = ordered_json::object();
};

std::string read_all(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Conversation parse_conversation(const std::string& text, const std::string& where) {
    ordered_json doc;
    try {
        doc = ordered_json::parse(text);
    } catch (const ordered_json::exception& e) {
        throw Error(where + ": not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw Error(where + ": expected a JSON object with \"messages\"");
    Conversation c;
    for (const auto& [key, value] : doc.items()) {
        if (key == "messages") {
            if (!value.is_array()) throw Error(where + ": \"messages\" must be an array");
            c.messages = value;
        } else if (key == "tools") {
            if (!value.is_null() && !value.is_array()) {
                throw Error(where + ": \"tools\" must be an array or null");
            }
            c.tools = value;
        } else if (key == "add_generation_prompt") {
            if (!value.is_boolean()) {
                throw Error(where + ": \"add_generation_prompt\" must be true or false");
            }
            c.add_generation_prompt = value.get<bool>();
        } else if (key == "chat_template_kwargs") {
            if (!value.is_object())
                throw Error(where + ": \"chat_template_kwargs\" must be an object");
            c.variables = value;
        } else {
            throw Error(where + ": unknown key \"" + key +
                        "\" (expected messages, tools, add_generation_prompt, "
                        "chat_template_kwargs)");
        }
    }
    if (c.messages.is_null()) throw Error(where + ": \"messages\" is missing");
    return c;
}

std::string read_template_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the template file");
    return read_all(in);
}

}  // namespace

Runner register_template(CLI::App& app) {
    struct Args {
        std::string model;
        std::string template_file;
        std::string input;
        bool strict = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "template", "print a conversation (JSON on stdin) rendered by the chat template");
    auto* source = cmd->add_option_group("source", "where the template comes from (one or both)");
    source->add_option("-m,--model", args->model,
                       "a .gguf file or a model folder: its chat template and special tokens");
    source->add_option("-t,--template", args->template_file,
                       "a Jinja2 chat template file, used instead of the model's");
    source->require_option(1, 2);
    cmd->add_option("-i,--input", args->input, "read the conversation from this file, not stdin");
    cmd->add_flag("--strict", args->strict,
                  "fail when the template can't render, instead of falling back to ChatML");
    cmd->footer(
        "Input: {\"messages\": [...], \"tools\": [...], \"add_generation_prompt\": true, "
        "\"chat_template_kwargs\": {...}}; only messages is required.");

    return [args]() {
        const Conversation conv =
            args->input.empty() ? parse_conversation(read_all(std::cin), "stdin")
                                : parse_conversation(read_template_file(args->input), args->input);

        std::string source;
        std::string origin;
        ordered_json variables = ordered_json::object();
        if (!args->model.empty()) {
            std::optional<ModelFile> model;
            if (!std::filesystem::is_directory(args->model)) model = ModelFile::open(args->model);
            const ModelChatTemplate t =
                model ? load_chat_template(*model) : load_chat_template(args->model);
            source = t.for_request(conv.tools.is_array());
            origin = t.origin;
            variables = special_token_variables(model ? load_tokenizer(*model)
                                                      : load_tokenizer(args->model));
        }
        if (!args->template_file.empty()) {
            source = read_template_file(args->template_file);
            origin = args->template_file;
        }
        for (const auto& [key, value] : conv.variables.items()) variables[key] = value;

        std::string text;
        if (args->strict) {
            if (source.empty())
                throw Error(origin.empty() ? "the model has no chat template"
                                           : origin + ": empty chat template");
            text = ChatTemplate(source).render(conv.messages, conv.tools,
                                               conv.add_generation_prompt, variables);
        } else {
            const PromptFormatter formatter(source);
            const FormattedPrompt p =
                formatter.format(conv.messages, conv.tools, conv.add_generation_prompt, variables);
            if (p.used_fallback()) {
                std::fprintf(stderr, "qwen-edge template: warning: %s%s%s\n", origin.c_str(),
                             origin.empty() ? "" : ": ", p.warning.c_str());
            }
            text = p.text;
        }
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return 0;
    };
}

}  // namespace qe::cli
