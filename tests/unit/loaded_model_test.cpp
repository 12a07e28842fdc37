// Opening a model one way for every command: the chat template a request gets (transformers'
// "tool_use" template when it has tools), the ids that end an answer, and the models refused.
#include "model/loaded_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/expect_error.h"
#include "support/small_hf_model.h"
#include "support/tiny_model_files.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// A small Hugging Face folder whose tokenizer_config.json holds named templates; one per test
// (ctest runs the tests of this file in parallel).
fs::path folder_with_named_templates(const std::string& test_name) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / ("loaded_model_" + test_name);
    test::write_small_hf_model(
        dir, json::array({{{"name", "default"}, {"template", "plain: {{ messages[0].content }}"}},
                          {{"name", "tool_use"}, {"template", "tools: {{ tools | length }}"}}}));
    return dir;
}

TEST(LoadedModel, RequestsWithToolsGetTheToolUseTemplate) {
    const auto m = LoadedModel::open(folder_with_named_templates("tool_use").string());
    const json messages = {{{"role", "user"}, {"content", "hi"}}};
    const json tools = json::array({{{"type", "function"}, {"function", {{"name", "f"}}}}});
    EXPECT_EQ(m->formatter(false).format(messages, nullptr, false).text, "plain: hi");
    EXPECT_EQ(m->formatter(true).format(messages, tools, false).text, "tools: 1");
}

TEST(LoadedModel, StopIdsHoldTheConfigsAndTheVocabularysEnds) {
    const auto m = LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    const auto& stops = m->stop_ids();
    for (int id :
         {m->config().eos_id, m->tokenizer().eos_id(), m->tokenizer().find_added("<|im_end|>"),
          m->tokenizer().find_added("<|endoftext|>")}) {
        ASSERT_GE(id, 0);
        EXPECT_NE(std::find(stops.begin(), stops.end(), id), stops.end()) << id;
    }
}

TEST(LoadedModel, AModelWithoutTokenizerOpensOnlyWhenAsked) {
    const std::string path =
        (fs::path(QE_TEST_TMP_DIR) / "loaded_model_no_tokenizer.gguf").string();
    test::tiny_gguf(test::TinyShape{}).write_file(path);
    EXPECT_TRUE(test::throws_error([&] { LoadedModel::open(path); }, {path, "tokenizer"}));
    LoadOptions ids_only;
    ids_only.tokenizer_optional = true;
    const auto m = LoadedModel::open(path, ids_only);
    EXPECT_FALSE(m->has_tokenizer());
    EXPECT_TRUE(test::throws_error([&] { m->tokenizer(); }, {"no usable tokenizer"}));
}

}  // namespace
}  // namespace qe

namespace qe {
namespace {

TEST(LoadedModel, GenerationConfigSetsTheSamplingDefaults) {
    const fs::path dir = folder_with_named_templates("generation_config");
    std::ofstream(dir / "generation_config.json")
        << R"({"temperature": 0.3, "top_p": 0.9, "top_k": 7, "repetition_penalty": 1.05})";
    const auto m = LoadedModel::open(dir.string());
    // A Qwen2 model has no thinking mode: both modes take the file's settings.
    for (bool thinking : {true, false}) {
        const SamplingParams& p = m->sampling_defaults(thinking);
        EXPECT_FLOAT_EQ(p.temperature, 0.3f);
        EXPECT_FLOAT_EQ(p.top_p, 0.9f);
        EXPECT_EQ(p.top_k, 7);
        EXPECT_FLOAT_EQ(p.repetition_penalty, 1.05f);
    }
}

}  // namespace
}  // namespace qe
