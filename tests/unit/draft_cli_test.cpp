// --draft as a user gives it: `generate` with a draft model answers as without one, a draft of
// another tokenizer is refused naming the difference, and `info --draft` reports the pairing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/draft_model.h"
#include "support/draft_pair.h"
#include "support/run_command.h"

namespace qe {
namespace {

using test::run_command;
using test::shell_quote;
using test::write_tiny_model;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";

// What `generate` prints on stdout (`redirect` ">/dev/null 2>&1": its messages instead).
std::string run_generate(const std::string& model, const std::string& extra,
                         const std::string& redirect = "2>/dev/null") {
    const auto r =
        run_command(kBinary + " generate -m " + shell_quote(model) +
                    " --ids 785,11,1879,0 -n 20 --greedy --ids-out -t 1 " + extra + " " + redirect);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
}

TEST(DraftCli, GenerateWithADraftModelAnswersAsWithout) {
    const std::string target = write_tiny_model("target", {.seed = 1, .layers = 3});
    const std::string draft = write_tiny_model("draft", {.seed = 2});
    const std::string plain = run_generate(target, "");
    const std::string other =
        run_generate(target, "--draft " + shell_quote(draft) + " --draft-p-min 0");
    const std::string self =
        run_generate(target, "--draft " + shell_quote(target) + " --draft-p-min 0");
    EXPECT_EQ(other, plain);
    EXPECT_EQ(self, plain);
    const std::string log =
        run_generate(target, "--draft " + shell_quote(draft), "2>&1 >/dev/null");
    EXPECT_NE(log.find("proposes for DraftCli_GenerateWithADraftModelAnswersAsWithout_target"),
              std::string::npos)
        << log;
}

TEST(DraftCli, RefusesADraftOfAnotherTokenizer) {
    const std::string target = write_tiny_model("target", {});
    const std::string qwen3 = write_tiny_model("qwen3", {.arch = synth::Arch::kQwen3});
    const auto r = run_command(kBinary + " generate -m " + shell_quote(target) +
                               " --ids 1,2 -n 2 --draft " + shell_quote(qwen3) + " 2>&1");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("does not share the tokenizer of"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("<tool_response>"), std::string::npos) << r.output;

    // A draft model is for speculative decoding, which --no-speculative turns off.
    const auto off =
        run_command(kBinary + " generate -m " + shell_quote(target) +
                    " --ids 1,2 -n 2 --no-speculative --draft " + shell_quote(target) + " 2>&1");
    EXPECT_EQ(off.exit_code, 2) << off.output;
    EXPECT_NE(off.output.find("--no-speculative excludes --draft"), std::string::npos)
        << off.output;

    const auto info = run_command(kBinary + " info " + shell_quote(target) + " --draft " +
                                  shell_quote(qwen3) + " 2>&1");
    EXPECT_EQ(info.exit_code, 1) << info.output;
    EXPECT_NE(info.output.find("does not share the tokenizer of"), std::string::npos);
}

TEST(DraftCli, InfoReportsThePairing) {
    const std::string target = write_tiny_model("target", {.layers = 4, .padding_rows = 128});
    const std::string draft = write_tiny_model("draft", {.layers = 1});
    const auto r = run_command(kBinary + " info --json " + shell_quote(target) + " --draft " +
                               shell_quote(draft));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["draft"]["model"], "DraftCli_InfoReportsThePairing_draft");
    EXPECT_EQ(j["draft"]["vocabulary"], test::kDraftTestRows);
    // The draft's share of the bytes a token reads, plus a verification row.
    const uint64_t draft_bytes = j["draft"]["weight_bytes"], target_bytes = j["weight_bytes"];
    EXPECT_LT(draft_bytes, target_bytes);
    EXPECT_FLOAT_EQ(j["draft"]["min_chain_probability"].get<float>(),
                    draft_threshold(draft_bytes, target_bytes));
    const auto text =
        run_command(kBinary + " info " + shell_quote(target) + " --draft " + shell_quote(draft));
    EXPECT_NE(text.output.find("draft          DraftCli_InfoReportsThePairing_draft: the same "
                               "tokenizer (2048 rows)"),
              std::string::npos)
        << text.output;
}

}  // namespace
}  // namespace qe
