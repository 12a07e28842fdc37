#include "cli/draft_option.h"

#include <chrono>
#include <cstdio>

#include "cli/model_choice.h"

namespace qe::cli {

void DraftArgs::add_to(CLI::App& cmd, CLI::Option* no_speculative) {
    auto* draft = cmd.add_option(
        "--draft", name,
        "A small model of the same tokenizer that proposes tokens for the model to check several "
        "at a time (speculative decoding; Qwen2.5-0.5B-Instruct for Qwen2.5-1.5B/3B/7B): a .gguf "
        "file, a Hugging Face folder or a downloaded model's name");
    if (no_speculative) draft->excludes(no_speculative);
    cmd.add_option("--draft-p-min", min_chain,
                   "Draft while the chance that all the draft's proposals are right stays at "
                   "least this (0: always the most; default: the draft's size over the model's)")
        ->check(CLI::Range(0.0f, 1.0f))
        ->needs(draft);
}

std::shared_ptr<DraftModel> open_draft(const DraftArgs& args, const LoadedModel& target,
                                       DraftOptions options) {
    if (args.name.empty()) return nullptr;
    const auto start = std::chrono::steady_clock::now();
    const std::string path = choose_model(args.name, false);
    options.min_chain_probability = args.min_chain;
    auto draft = std::make_shared<DraftModel>(LoadedModel::open(path), target, options);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s; opened in %.0f ms; proposes for %s\n", draft->describe().c_str(), ms,
                 target.id().c_str());
    return draft;
}

}  // namespace qe::cli
