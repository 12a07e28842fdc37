// qwen-edge detokenize --model M [--skip-special]: JSON lines {"ids": [...]} on stdin, one line
// {"text": "..."} per input on stdout.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/json_lines.h"
#include "core/error.h"
#include "model/tokenizer_load.h"

namespace qe::cli {

Runner register_detokenize(CLI::App& app) {
    struct Options {
        std::string model;
        bool skip_special = false;
    };
    auto opts = std::make_shared<Options>();
    auto* sub = app.add_subcommand(
        "detokenize",
        "Token ids to text: reads {\"ids\": [...]} lines, writes {\"text\": ...} lines");
    sub->add_option("--model,-m", opts->model,
                    "a .gguf file, or a folder with tokenizer.json (Hugging Face)")
        ->required();
    sub->add_flag("--skip-special", opts->skip_special,
                  "leave out control tokens such as <|im_end|>");
    return [opts] {
        const Tokenizer tokenizer = load_tokenizer(opts->model);
        for_each_json_line([&](const nlohmann::json& input, const std::string& where) {
            if (!input.is_object() || !input.contains("ids") || !input["ids"].is_array()) {
                throw Error(where + "expected an object {\"ids\": [...]}");
            }
            std::vector<int32_t> ids;
            for (const auto& id : input["ids"]) {
                if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
                    id.get<int64_t>() >= tokenizer.size()) {
                    throw Error(where + "id " + id.dump() + " is not a token id in [0, " +
                                std::to_string(tokenizer.size()) + ")");
                }
                ids.push_back(int32_t(id.get<int64_t>()));
            }
            return nlohmann::json{{"text", tokenizer.decode(ids, opts->skip_special)}};
        });
        return 0;
    };
}

}  // namespace qe::cli
