// Which model a command runs: the one named with --model (a path, or a downloaded model's file or
// catalogue name such as qwen3:0.6b), the cached default, or with --demo a synthetic model made on
// the spot (random weights: its answers are noise).
#pragma once

#include <string>

namespace qe::cli {

// Throws qe::Error saying how to get a model when none is named and none is cached.
std::string choose_model(const std::string& model_arg, bool demo);

// Where downloaded models live: $QWEN_EDGE_MODELS, else $XDG_CACHE_HOME/qwen-edge/models, else
// ~/.cache/qwen-edge/models (fetch::models_dir, shared with pull/list/rm).
std::string models_dir();

}  // namespace qe::cli
