// qwen-edge embed --model M [--dimensions N] [--instruction TASK]: JSON lines {"text": "..."} or
// {"ids": [...]} on stdin, one line {"embedding": [...], "tokens": N} per input on stdout.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/json_lines.h"
#include "core/error.h"
#include "engine/embedder.h"
#include "model/loaded_model.h"

namespace qe::cli {

Runner register_embed(CLI::App& app) {
    struct Options {
        std::string model, instruction;
        int dimensions = 0, threads = 0;
    };
    auto opts = std::make_shared<Options>();
    auto* sub = app.add_subcommand(
        "embed",
        "Text to embeddings: reads {\"text\": ...} (or {\"ids\": [...]}) lines, writes "
        "{\"embedding\": [...], \"tokens\": N} lines");
    sub->add_option("--model,-m", opts->model,
                    "an embedding model (e.g. Qwen3-Embedding, a .gguf file)")
        ->required();
    sub->add_option("--dimensions", opts->dimensions,
                    "keep the first N values of each vector, normalised (0: all)")
        ->check(CLI::Range(0, 1 << 20));
    sub->add_option("--instruction", opts->instruction,
                    "embed texts as queries for this task: \"Instruct: TASK\\nQuery:TEXT\"");
    sub->add_option("-t,--threads", opts->threads, "compute threads (0: one per core)")
        ->check(CLI::Range(0, 1024));
    return [opts] {
        const auto model = LoadedModel::open(opts->model);
        RuntimeOptions ro;
        ro.n_threads = opts->threads;
        ro.weights_in_file_mapping = model->weights_in_file_mapping();
        Runtime runtime(model->config(), model->weights(), ro);
        Embedder embedder(runtime, embedder_options(*model));
        if (opts->dimensions > embedder.dim())
            throw Error("--dimensions " + std::to_string(opts->dimensions) +
                        " is more than the model's " + std::to_string(embedder.dim()));
        for_each_json_line([&](const nlohmann::json& input, const std::string& where) {
            std::vector<int> ids;
            if (input.is_object() && input.contains("text") && input["text"].is_string()) {
                std::string text = input["text"].get<std::string>();
                if (!opts->instruction.empty())
                    text = "Instruct: " + opts->instruction + "\nQuery:" + text;
                const auto encoded = model->tokenizer().encode(text, SpecialTokens::kParse);
                ids.assign(encoded.begin(), encoded.end());
            } else if (input.is_object() && input.contains("ids") && input["ids"].is_array()) {
                for (const auto& id : input["ids"]) {
                    if (!id.is_number_integer()) throw Error(where + "\"ids\" must hold integers");
                    ids.push_back(id.get<int>());
                }
            } else {
                throw Error(where + "expected an object {\"text\": \"...\"} or {\"ids\": [...]}");
            }
            try {
                const std::vector<std::vector<int>> one = {std::move(ids)};
                Embeddings e = embedder.embed(one, opts->dimensions);
                return nlohmann::json{{"embedding", std::move(e.vectors[0])}, {"tokens", e.tokens}};
            } catch (const Error& e) {
                const std::string message = e.what();
                // "input 0 ..." is this line's input.
                throw Error(where + (message.starts_with("input 0 ")
                                         ? "the input " + message.substr(8)
                                         : message));
            }
        });
        return 0;
    };
}

}  // namespace qe::cli
