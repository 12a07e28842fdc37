// A small synthetic model (noise answers) whose chat template ends the prompt inside a <think>
// block, unless enable_thinking is false (then with an empty block, as Qwen3's does): so its
// answer is all thinking, or all content, whatever the noise is.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/small_hf_model.h"

namespace qe {

// Writes the model into the folder `dir` (made afresh).
inline void write_thinking_model(const std::filesystem::path& dir) {
    test::write_small_hf_model(
        dir,
        "{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
        "{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant\n"
        "{%- if enable_thinking is defined and enable_thinking is false %}"
        "<think>\n\n</think>\n\n{% else %}<think>\n{% endif %}{%- endif %}");
}

// Writes the model into a fresh folder of the test directory, named after `name` and the running
// test (CTest runs each test as its own process, several at once); returns its path.
inline std::string thinking_model_folder(const std::string& name) {
    namespace fs = std::filesystem;
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    const fs::path dir =
        fs::path(QE_TEST_TMP_DIR) /
        (name +
         (info ? std::string("_") + info->test_suite_name() + "_" + info->name() : std::string()));
    write_thinking_model(dir);
    return dir.string();
}

}  // namespace qe
