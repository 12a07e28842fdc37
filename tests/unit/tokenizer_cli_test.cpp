// `qwen-edge tokenize` and `qwen-edge detokenize` as a user runs them: JSON lines in and out,
// against the golden ids, and exit codes 1 and 2 for bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_command.h"
#include "unit/tokenizer_fixture.h"

namespace qe {
namespace {

using test::run_command;
using test::output_lines;
using test::shell_quote;
using test::write_input;
using testing::golden_path;
using testing::read_jsonl;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";


// Corpus strings without Qwen3's extra literals (the reference folder is Qwen3's, whose
// <think> and <tool_response> are added tokens there but text in Qwen2.5).
std::vector<nlohmann::json> cli_corpus() {
    std::vector<nlohmann::json> out;
    for (auto& line : read_jsonl(golden_path("encode.jsonl"))) {
        const std::string text = line["text"];
        if (text.find("think>") != std::string::npos ||
            text.find("tool_response>") != std::string::npos) {
            continue;
        }
        out.push_back(std::move(line));
    }
    return out;
}

TEST(TokenizerCli, TokenizesTheCorpusInBothModes) {
    const auto corpus = cli_corpus();
    std::string input;
    for (const auto& line : corpus) input += nlohmann::json{{"text", line["text"]}}.dump() + "\n";
    const std::string path = write_input("tokenize-input.jsonl", input);
    for (const bool plain : {false, true}) {
        const auto r =
            run_command(kBinary + " tokenize --model " + shell_quote(testing::reference_folder()) +
                        (plain ? " --no-special" : "") + " < " + shell_quote(path));
        ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 500);
        const auto lines = output_lines(r.output);
        ASSERT_EQ(lines.size(), corpus.size());
        for (size_t i = 0; i < lines.size(); ++i) {
            EXPECT_EQ(lines[i]["ids"], corpus[i][plain ? "ids_plain" : "ids"]) << corpus[i]["name"];
        }
    }
}

TEST(TokenizerCli, DetokenizeRoundTripsThroughAGguf) {
    const std::string model = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
    const std::string text = "Hello! 你好<|im_end|>\n\tcode  x = 1;";
    const std::string in =
        write_input("roundtrip.jsonl", nlohmann::json{{"text", text}}.dump() + "\n");
    const auto ids =
        run_command(kBinary + " tokenize -m " + shell_quote(model) + " < " + shell_quote(in));
    ASSERT_EQ(ids.exit_code, 0) << ids.output;
    const std::string ids_file = write_input("roundtrip-ids.jsonl", ids.output);
    const auto back = run_command(kBinary + " detokenize -m " + shell_quote(model) + " < " +
                                  shell_quote(ids_file));
    ASSERT_EQ(back.exit_code, 0) << back.output;
    EXPECT_EQ(output_lines(back.output).at(0)["text"], text);
    const auto skipped = run_command(kBinary + " detokenize --skip-special -m " +
                                     shell_quote(model) + " < " + shell_quote(ids_file));
    EXPECT_EQ(output_lines(skipped.output).at(0)["text"], "Hello! 你好\n\tcode  x = 1;");
}

TEST(TokenizerCli, BadInputGivesErrors) {
    const std::string model = std::string(QE_GOLDEN_DIR) + "/g448-f32.gguf";
    auto run = [&](const std::string& args, const std::string& input) {
        const std::string in = write_input("bad-input.jsonl", input);
        return run_command(kBinary + " " + args + " < " + shell_quote(in) + " 2>&1");
    };
    auto r = run("tokenize -m " + shell_quote(model), "{\"text\": \"ok\"}\nnot json\n");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("{\"ids\":"), std::string::npos) << r.output;  // the first line did
    EXPECT_NE(r.output.find("stdin line 2: not JSON"), std::string::npos) << r.output;
    r = run("tokenize -m " + shell_quote(model), "{\"txt\": \"x\"}\n");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("expected an object {\"text\""), std::string::npos) << r.output;
    r = run("tokenize -m " + shell_quote(model), "{\"text\": \"\\ud800\"}\n");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    r = run("detokenize -m " + shell_quote(model), "{\"ids\": [1, 3872]}\n");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("id 3872 is not a token id in [0, 3872)"), std::string::npos)
        << r.output;
    r = run("detokenize -m " + shell_quote(model), "{\"ids\": [1.5]}\n");
    EXPECT_EQ(r.exit_code, 1);
    r = run("tokenize -m /nonexistent/model.gguf", "");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("no such file or folder"), std::string::npos) << r.output;
    r = run("tokenize", "");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = run("tokenize -m " + shell_quote(model), "\n\n");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, "");
}

}  // namespace
}  // namespace qe
