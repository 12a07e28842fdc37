// qwen-edge tokenize --model M [--no-special]: JSON lines {"text": "..."} on stdin, one line
// {"ids": [...]} per input on stdout.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "tokenizer/load.h"

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
        std::string line;
        for (size_t number = 1; std::getline(std::cin, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const std::string where = "stdin line " + std::to_string(number) + ": ";
            nlohmann::json input;
            try {
                input = nlohmann::json::parse(line);
            } catch (const nlohmann::json::exception& e) {
                throw Error(where + "not JSON (" + e.what() + ")");
            }
            if (!input.is_object() || !input.contains("text") || !input["text"].is_string()) {
                throw Error(where + "expected an object {\"text\": \"...\"}");
            }
            const nlohmann::json out = {
                {"ids", tokenizer.encode(input["text"].get<std::string>(), mode)}};
            std::printf("%s\n", out.dump().c_str());
            std::fflush(stdout);
        }
        return 0;
    };
}

}  // namespace qe::cli
