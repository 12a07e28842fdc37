// qwen-edge tokenize --model M [--no-special]: JSON lines {"text": "..."} on stdin, one line
// {"ids": [...]} per input on stdout.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/json_lines.h"
#include "core/error.h"
#include "model/tokenizer_load.h"

namespace qe::cli {

Runner register_tokenize(CLI::App& app) {
    struct Options {
        std::string model;
        bool no_special = false;
    };
    auto opts = std::make_shared<Options>();
    auto* sub = app.add_subcommand(
        "tokenize",
        "Text to token ids: reads {\"text\": ...} lines, writes {\"ids\": [...]} lines");
    sub->add_option("--model,-m", opts->model,
                    "a .gguf file, or a folder with tokenizer.json (Hugging Face)")
        ->required();
    sub->add_flag("--no-special", opts->no_special,
                  "treat added-token literals such as <|im_end|> as plain text");
    return [opts] {
        const Tokenizer tokenizer = load_tokenizer(opts->model);
        const SpecialTokens mode =
            opts->no_special ? SpecialTokens::kAsText : SpecialTokens::kParse;
        for_each_json_line([&](const nlohmann::json& input, const std::string& where) {
            if (!input.is_object() || !input.contains("text") || !input["text"].is_string()) {
                throw Error(where + "expected an object {\"text\": \"...\"}");
            }
            return nlohmann::json{
                {"ids", tokenizer.encode(input["text"].get<std::string>(), mode)}};
        });
        return 0;
    };
}

}  // namespace qe::cli
