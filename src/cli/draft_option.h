// --draft NAME of the commands that generate (serve, chat, generate): a small model of the same
// tokenizer that proposes tokens for the model to check several at a time (speculative decoding),
// named as --model is (a file, a Hugging Face folder, a downloaded model's name).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "engine/draft_model.h"
#include "model/loaded_model.h"

namespace qe::cli {

struct DraftArgs {
    std::string name;      // "": no draft model
    float min_chain = -1;  // --draft-p-min; below 0: from the two models' sizes

    // Adds --draft and --draft-p-min; `no_speculative` (the command's --no-speculative) excludes
    // --draft.
    void add_to(CLI::App& cmd, CLI::Option* no_speculative);
};

// Opens the draft model and pairs it with `target` (DraftModel checks the tokenizers), reporting
// on stderr what was loaded, in how long, and the pairing. nullptr without --draft. Throws
// qe::Error naming the draft model and the first difference of the tokenizers.
std::shared_ptr<DraftModel> open_draft(const DraftArgs& args, const LoadedModel& target,
                                       DraftOptions options);

}  // namespace qe::cli
