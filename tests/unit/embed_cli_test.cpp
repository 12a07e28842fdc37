// `qwen-edge embed` as a user runs it: JSON lines in, one embedding line per input out, equal to
// the Embedder's vectors; a bad line is an error naming it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/embedder.h"
#include "support/run_command.h"

namespace qe {
namespace {

using test::run_command;
using test::output_lines;
using test::shell_quote;
using test::write_input;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const std::string kModel = std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf";


TEST(EmbedCli, OneLinePerInputWithTheEmbeddersVector) {
    const std::string input =
        write_input("embed_in.jsonl", "{\"text\": \"hello world\"}\n\n{\"ids\": [11, 22, 33]}\n");
    const auto r = run_command(kBinary + " embed -t 1 --model " + shell_quote(kModel) +
                               " --dimensions 64 < " + shell_quote(input));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto lines = output_lines(r.output);
    ASSERT_EQ(lines.size(), 2u);

    const auto model = LoadedModel::open(kModel);
    RuntimeOptions o;
    o.n_threads = 1;
    Runtime runtime(model->config(), model->weights(), o);
    Embedder embedder(runtime, embedder_options(*model));
    const auto text_ids = model->tokenizer().encode("hello world", SpecialTokens::kParse);
    const std::vector<std::vector<int>> inputs = {
        std::vector<int>(text_ids.begin(), text_ids.end()), {11, 22, 33}};
    const Embeddings want = embedder.embed(inputs, 64);
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(lines[i]["embedding"].get<std::vector<float>>(), want.vectors[i]) << i;
        EXPECT_EQ(lines[i]["tokens"], int(inputs[i].size()) + 1);  // <|endoftext|>
    }
}

TEST(EmbedCli, BadLinesAreErrorsNamingTheLine) {
    const std::string input =
        write_input("embed_bad.jsonl", "{\"text\": \"ok\"}\n{\"txt\": \"no\"}\n");
    const auto r = run_command(kBinary + " embed -t 1 --model " + shell_quote(kModel) + " < " +
                               shell_quote(input) + " 2>&1");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("stdin line 2"), std::string::npos) << r.output;
    const std::string empty = write_input("embed_empty.jsonl", "{\"text\": \"\"}\n");
    const auto e = run_command(kBinary + " embed -t 1 --model " + shell_quote(kModel) + " < " +
                               shell_quote(empty) + " 2>&1");
    EXPECT_EQ(e.exit_code, 1);
    EXPECT_NE(e.output.find("stdin line 1: the input is empty"), std::string::npos) << e.output;
    const auto d = run_command(kBinary + " embed --model " + shell_quote(kModel) +
                               " --dimensions 9999 < /dev/null 2>&1");
    EXPECT_EQ(d.exit_code, 1);
    EXPECT_NE(d.output.find("--dimensions"), std::string::npos) << d.output;
}

}  // namespace
}  // namespace qe
