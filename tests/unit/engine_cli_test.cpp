// The logits and generate sub-commands, run as a user would.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/session.h"
#include "model/loaded_model.h"
#include "model/tokenizer_load.h"
#include "support/logits_compare.h"
#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;

const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g448-f16";

std::string qwen_edge(const std::string& args) {
    return shell_quote(std::string(QE_BIN_DIR) + "/qwen-edge") + " " + args + " 2>&1";
}

std::string tmp(const std::string& name) {
    return (fs::path(QE_TEST_TMP_DIR) / ("engine_cli_" + name)).string();
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

std::vector<float> read_floats(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    return v;
}

TEST(LogitsCommand, WritesEveryPositionOrTheLast) {
    const std::string ids = read_text(kModel + ".random.ids");
    const auto want = read_floats(kModel + ".random.logits.f32");
    const size_t vocab = 3872, n = want.size() / vocab;

    const std::string all = tmp("all.f32");
    auto r = run_command(qwen_edge("logits -m " + shell_quote(kModel + ".gguf") + " --ids " + ids +
                                   " --all -o " + shell_quote(all)));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("KV cache f16"), std::string::npos) << r.output;
    const auto got = read_floats(all);
    ASSERT_EQ(got.size(), want.size());
    for (size_t t = 0; t < n; ++t)
        EXPECT_GT(test::cosine({&got[t * vocab], vocab}, {&want[t * vocab], vocab}), 0.9999);

    const std::string last = tmp("last.f32");
    r = run_command(qwen_edge("logits -m " + shell_quote(kModel + ".gguf") + " --ids " + ids +
                              " -o " + shell_quote(last) + " --reference --kv-type f32"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto one = read_floats(last);
    ASSERT_EQ(one.size(), vocab);
    EXPECT_GT(test::cosine(one, {&want[(n - 1) * vocab], vocab}), 0.9999);
}

TEST(LogitsCommand, BadInputIsAClearErrorWithExitCode) {
    const std::string model = shell_quote(kModel + ".gguf"), out = shell_quote(tmp("bad.f32"));
    auto r = run_command(qwen_edge("logits -m " + model + " --ids 1,3872 -o " + out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("token id 3872 at index 1 is out of range"), std::string::npos)
        << r.output;
    r = run_command(qwen_edge("logits -m " + model + " --ids 1,2,3,4,5 --ctx 4 -o " + out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("do not fit in the context of 4 tokens"), std::string::npos)
        << r.output;
    r = run_command(qwen_edge("logits -m " + model + " --ids 1,,2 -o " + out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("--ids: item 2"), std::string::npos) << r.output;
    r = run_command(
        qwen_edge("logits -m " + shell_quote(tmp("absent.gguf")) + " --ids 1 -o " + out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("absent.gguf"), std::string::npos) << r.output;
    r = run_command(qwen_edge("logits -m " + model + " --ids 1"));  // no --out
    EXPECT_EQ(r.exit_code, 2);
    r = run_command(qwen_edge("logits -m " + model + " --ids 1 --kv-type q8_0 -o " + out));
    EXPECT_EQ(r.exit_code, 2);
}

TEST(GenerateCommand, GreedyIdsMatchTheLibrary) {
    const auto model = LoadedModel::open(kModel + ".gguf");
    Session session(model->config(), model->weights());
    // Greedy without penalties up to 8 tokens or a stop token (3840, 3842), step by step.
    std::vector<int> expected;
    auto logits = session.eval(std::vector<int>{3841, 872, 198, 39, 301});
    for (int i = 0; i < 8; ++i) {
        const int t = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (t == 3840 || t == 3842) break;
        expected.push_back(t);
        if (i + 1 < 8) logits = session.eval({&t, 1});
    }
    std::string ids;
    for (int t : expected) {
        if (!ids.empty()) ids += ',';
        ids += std::to_string(t);
    }

    const auto r = run_command(qwen_edge("generate -m " + shell_quote(kModel + ".gguf") +
                                         " --ids 3841,872,198,39,301 -n 8 --greedy --ids-out"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("\n" + ids + "\n"), std::string::npos) << ids << "\n" << r.output;
}

TEST(GenerateCommand, PromptModes) {
    const std::string model = shell_quote(kModel + ".gguf");
    auto r = run_command(qwen_edge("generate -m " + model + " -p 'Hello!' -n 4 --seed 3"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // --raw: the text as it is, special-token literals included (here with a backslash-n).
    const std::string raw = "<|im_start|>user\\nHi<|im_end|>";
    const size_t raw_tokens = load_tokenizer(kModel + ".gguf").encode(raw).size();
    r = run_command(qwen_edge("generate -m " + model + " -p '" + raw + "' --raw -n 4 --greedy"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("prompt: " + std::to_string(raw_tokens) + " tokens"), std::string::npos)
        << r.output;
    EXPECT_LT(raw_tokens, raw.size() - 20) << "the literals should be single tokens";
    r = run_command(qwen_edge("generate -m " + model + " -n 4"));  // no prompt at all
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = run_command(qwen_edge("generate -m " + model + " --ids 1 -p x"));  // both
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = run_command(qwen_edge("generate -m " + model + " --ids 1 --raw"));  // --raw needs -p
    EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(GenerateCommand, DumpsActivationsWhenAsked) {
    const std::string dir = tmp("dump");
    fs::remove_all(dir);
    const auto r = run_command(
        "QE_DUMP=" + shell_quote(dir) + " " +
        qwen_edge("generate -m " + shell_quote(kModel + ".gguf") + " --ids 1,2,3 -n 2 --greedy"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(fs::exists(dir + "/blk.1.attn_out@0.f32"));
    EXPECT_TRUE(fs::exists(dir + "/logits@3.f32"));  // the decode step at position 3
    EXPECT_EQ(fs::file_size(dir + "/blk.0.q@0.f32"), 3u * 448 * 4);
}

}  // namespace
}  // namespace qe
