// qwen-edge bench, run as a user would on a small golden model: the --json object has every key
// with a sane value (no timing thresholds: only positive and finite), and bad use is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/run_command.h"

namespace qe {
namespace {

using test::run_command;
using test::shell_quote;

const std::string kModel = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";

std::string qwen_edge(const std::string& args, bool with_stderr = true) {
    return shell_quote(std::string(QE_BIN_DIR) + "/qwen-edge") + " " + args +
           (with_stderr ? " 2>&1" : " 2>/dev/null");
}

TEST(BenchCommand, JsonHasEveryFigure) {
    const auto r =
        run_command(qwen_edge("bench --model " + shell_quote(kModel) +
                                  " -p 24 -n 6 -t 2 -r 2 --turns 3 --turn-answer 4 --json",
                              false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);  // one object, nothing else on stdout
    ASSERT_TRUE(j.is_object()) << r.output;
    for (const char* key : {"pp_tps", "tg_tps", "ttft_ms", "load_ms", "rss_mb", "tg_gbps"}) {
        SCOPED_TRACE(key);
        ASSERT_TRUE(j.contains(key)) << r.output;
        ASSERT_TRUE(j[key].is_number()) << r.output;
        const double v = j[key].get<double>();
        EXPECT_TRUE(std::isfinite(v));
        EXPECT_GT(v, 0);
    }
    // The weights (a few MiB) are in memory: the peak RSS holds at least them.
    EXPECT_GT(j["rss_mb"].get<double>(), 1.0);
    EXPECT_GT(j["ttft_prompt_tokens"].get<int>(), 20);  // system prompt + the question

    // Every conversation turn after the first is served partly from the prefix cache.
    ASSERT_EQ(j["turns"].size(), 3u) << r.output;
    EXPECT_EQ(j["turns"][0]["cached_tokens"].get<int>(), 0);
    for (size_t i = 1; i < 3; ++i) {
        EXPECT_GT(j["turns"][i]["prompt_tokens"].get<int>(),
                  j["turns"][i - 1]["prompt_tokens"].get<int>());
        EXPECT_GE(j["turns"][i]["cached_tokens"].get<int>(),
                  j["turns"][i - 1]["prompt_tokens"].get<int>());
        EXPECT_GT(j["turns"][i]["ttft_ms"].get<double>(), 0);
    }
}

TEST(BenchCommand, TextReportNamesEachFigure) {
    const auto r =
        run_command(qwen_edge("bench --model " + shell_quote(kModel) + " -p 16 -n 4 -t 1 -r 1"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* what : {"load", "pp16", "tg4", "GB/s", "chat turn", "peak RSS"})
        EXPECT_NE(r.output.find(what), std::string::npos) << what << "\n" << r.output;
}

TEST(BenchCommand, ParallelStreamsAndGenerationWithoutAPrompt) {
    // -p 0 skips prompt processing (generation then starts from a drawn token); --parallel adds
    // the streams-together figure and the one-stream figure it is compared with.
    const auto r = run_command(qwen_edge(
        "bench --model " + shell_quote(kModel) + " -p 0 -n 6 -t 2 -r 2 --parallel 3 --json",
        false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["parallel_streams"].get<int>(), 3);
    for (const char* key : {"tg_tps", "parallel_tps", "single_stream_tps"}) {
        SCOPED_TRACE(key);
        ASSERT_TRUE(j.contains(key) && j[key].is_number()) << r.output;
        EXPECT_GT(j[key].get<double>(), 0);
    }
    const auto text = run_command(
        qwen_edge("bench --model " + shell_quote(kModel) + " -p 0 -n 4 -t 1 -r 1 --parallel 2"));
    ASSERT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("2 at once"), std::string::npos) << text.output;
    EXPECT_EQ(text.output.find("pp0"), std::string::npos) << text.output;
}

TEST(BenchCommand, EmbeddingSpeedPerTextLength) {
    const auto r = run_command(
        qwen_edge("bench --model " + shell_quote(std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf") +
                      " -p 8 -n 2 -t 1 -r 1 --embed --json",
                  false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    ASSERT_TRUE(j.contains("embeddings")) << r.output;
    ASSERT_EQ(j["embeddings"].size(), 3u) << r.output;
    int expected = 64;
    for (const auto& e : j["embeddings"]) {
        EXPECT_EQ(e["tokens"], expected);
        EXPECT_GT(e["texts_per_second"].get<double>(), 0);
        EXPECT_DOUBLE_EQ(e["tokens_per_second"].get<double>(),
                         e["texts_per_second"].get<double>() * expected);
        expected *= 4;
    }
}

TEST(BenchCommand, DepthFillsTheContextFirst) {
    // -d: pp and tg measured with that many tokens already in the context (as llama-bench -d).
    const auto r = run_command(qwen_edge(
        "bench --model " + shell_quote(kModel) + " -d 40 -p 8 -n 4 -t 2 -r 1 --json", false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["depth"].get<int>(), 40);
    EXPECT_GT(j["pp_tps"].get<double>(), 0);
    EXPECT_GT(j["tg_tps"].get<double>(), 0);
    // A depth past the model's context is refused with the reason.
    const auto deep =
        run_command(qwen_edge("bench --model " + shell_quote(kModel) + " -d 60000 -p 8 -n 4 -r 1"));
    EXPECT_EQ(deep.exit_code, 1) << deep.output;
    EXPECT_NE(deep.output.find("larger than the model's context"), std::string::npos)
        << deep.output;
}

TEST(BenchCommand, VerifyCurveTimesEachPassSize) {
    // --verify-curve: one pass over 1..8 tokens at each depth, and each against the 1-token pass.
    const auto r = run_command(qwen_edge(
        "bench --model " + shell_quote(kModel) + " --verify-curve --depths 0,40 -t 2 -r 2 --json",
        false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["threads"].get<int>(), 2);
    ASSERT_EQ(j["verify_curve"].size(), 2u) << r.output;
    int depth_expected = 0;
    for (const auto& row : j["verify_curve"]) {
        EXPECT_EQ(row["depth"].get<int>(), depth_expected);
        depth_expected = 40;
        ASSERT_EQ(row["ms"].size(), 8u) << r.output;
        ASSERT_EQ(row["relative"].size(), 8u) << r.output;
        for (size_t k = 0; k < 8; ++k) {
            const double ms = row["ms"][k].get<double>();
            EXPECT_TRUE(std::isfinite(ms) && ms > 0) << r.output;
            EXPECT_NEAR(row["relative"][k].get<double>(), ms / row["ms"][0].get<double>(), 1e-9);
        }
        EXPECT_DOUBLE_EQ(row["relative"][0].get<double>(), 1.0);
        const int within = row["tokens_within_1_2x"].get<int>();
        EXPECT_GE(within, 1);
        EXPECT_LE(within, 8);
        // The count is the largest k whose pass stays within 1.2x of the 1-token pass.
        EXPECT_LE(row["relative"][size_t(within - 1)].get<double>(), 1.2);
        for (size_t k = size_t(within); k < 8; ++k)
            EXPECT_GT(row["relative"][k].get<double>(), 1.2) << k;
    }

    const auto text =
        run_command(qwen_edge("bench --model " + shell_quote(kModel) +
                              " --verify-curve --depths 8 --verify-tokens 3 -t 1 -r 1"));
    ASSERT_EQ(text.exit_code, 0) << text.output;
    for (const char* what : {"k=1", "k=3", "relative to the 1-token pass", "tokens within 1.2x"})
        EXPECT_NE(text.output.find(what), std::string::npos) << what << "\n" << text.output;
    EXPECT_EQ(text.output.find("k=4"), std::string::npos) << text.output;

    // A depth past the model's context, and a pass larger than a verification chunk, are refused.
    const auto deep = run_command(qwen_edge("bench --model " + shell_quote(kModel) +
                                            " --verify-curve --depths 0,60000 -r 1"));
    EXPECT_EQ(deep.exit_code, 1) << deep.output;
    EXPECT_NE(deep.output.find("larger than the model's context"), std::string::npos)
        << deep.output;
    EXPECT_EQ(run_command(qwen_edge("bench --model " + shell_quote(kModel) +
                                    " --verify-curve --verify-tokens 9"))
                  .exit_code,
              2);
}

TEST(BenchCommand, ReplayMeasuresEachModeOnTheShippedAnswers) {
    // --replay: every record of the file in each mode (the first 48 tokens of each answer). The
    // oracle's proposals are all accepted; prompt lookup finds some of the code it is given.
    const auto r = run_command(qwen_edge(
        "bench --model " + shell_quote(kModel) + " --replay " +
            shell_quote(std::string(QE_SOURCE_DIR) + "/bench/data/replay_code_edit.jsonl") +
            " --oracle --replay-tokens 48 -t 1 -r 1 --json",
        false));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    ASSERT_EQ(j["records"].size(), 3u) << r.output;
    for (const auto& rec : j["records"]) {
        SCOPED_TRACE(rec["name"].get<std::string>());
        EXPECT_GT(rec["prompt_tokens"].get<int>(), 200);  // the function is in the prompt
        const int tokens = rec["answer_tokens"].get<int>();
        EXPECT_EQ(tokens, 48);  // --replay-tokens: the answers are longer
        const auto& modes = rec["modes"];
        for (const char* mode : {"plain", "lookup", "oracle"}) {
            ASSERT_TRUE(modes.contains(mode)) << r.output;
            EXPECT_GT(modes[mode]["tps"].get<double>(), 0);
            EXPECT_EQ(modes[mode]["tps_runs"].size(), 1u);
        }
        EXPECT_FALSE(modes["plain"].contains("draft_tokens"));
        const auto& lookup = modes["lookup"];
        EXPECT_LE(lookup["draft_accepted"].get<int>(), lookup["draft_tokens"].get<int>());
        // Each pass makes one token and keeps the proposals accepted in it.
        EXPECT_EQ(lookup["decode_passes"].get<int>() + lookup["draft_accepted"].get<int>(),
                  tokens - 1);
        const auto& oracle = modes["oracle"];
        EXPECT_EQ(oracle["draft_accepted"].get<int>(), oracle["draft_tokens"].get<int>());
        EXPECT_EQ(oracle["decode_passes"].get<int>() + oracle["draft_accepted"].get<int>(),
                  tokens - 1);
        EXPECT_DOUBLE_EQ(oracle["tokens_per_pass"].get<double>(),
                         double(tokens - 1) / oracle["decode_passes"].get<int>());
        EXPECT_GT(oracle["tokens_per_pass"].get<double>(), lookup["tokens_per_pass"].get<double>());
    }
    const auto& all = j["all"];
    EXPECT_EQ(all["answer_tokens"].get<int>(), 3 * 48);
    EXPECT_GT(all["modes"]["lookup"]["draft_accepted"].get<int>(), 0);
    EXPECT_GT(all["modes"]["lookup"]["tps"].get<double>(), 0);
}

TEST(BenchCommand, ReplayPutsPassagesIntoThePromptAndPrintsATable) {
    // A record with passages: they go into the user message as a chat with a knowledge base
    // sends them, so the answer's quote of a passage is found in the prompt.
    const std::string path = std::string(QE_TEST_TMP_DIR) + "/bench_replay_passages.jsonl";
    {
        std::ofstream out(path);
        out << R"({"name": "quote", "messages": [{"role": "user", "content": "How far from the )"
            << R"(gas meter?"}], "passages": [{"file": "manual.pdf", "page": 3, "text": "Keep )"
            << R"(the unit at least 1 m away from a gas meter, a heat source or a fire exit."}], )"
            << R"("answer": "The manual says: keep the unit at least 1 m away from a gas meter, a )"
            << R"(heat source or a fire exit [1]."})"
            << "\n";
    }
    const auto out = run_command(qwen_edge("bench --model " + shell_quote(kModel) + " --replay " +
                                               shell_quote(path) + " -t 1 -r 2 --json",
                                           false));
    ASSERT_EQ(out.exit_code, 0) << out.output;
    const auto j = nlohmann::json::parse(out.output);
    const auto& rec = j["records"][0];
    EXPECT_EQ(rec["name"], "quote");
    EXPECT_GT(rec["prompt_tokens"].get<int>(), rec["answer_tokens"].get<int>());
    EXPECT_EQ(rec["modes"]["plain"]["tps_runs"].size(), 2u);
    EXPECT_GT(rec["modes"]["lookup"]["draft_accepted"].get<int>(), 0) << out.output;

    const auto table = run_command(qwen_edge("bench --model " + shell_quote(kModel) + " --replay " +
                                             shell_quote(path) + " -t 1 -r 1"));
    ASSERT_EQ(table.exit_code, 0) << table.output;
    for (const char* what : {"quote", "plain", "lookup", "tok/pass", "\n  all "})
        EXPECT_NE(table.output.find(what), std::string::npos) << what << "\n" << table.output;
    EXPECT_EQ(table.output.find("oracle"), std::string::npos) << table.output;
}

TEST(BenchCommand, ReplayRefusesABadRecordSayingWhere) {
    const std::string path = std::string(QE_TEST_TMP_DIR) + "/bench_replay_bad.jsonl";
    const std::string good =
        R"({"messages": [{"role": "user", "content": "Hi"}], "answer": "Hello there, friend."})";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{not json", "line 3: not JSON"},
        {R"({"messages": [{"role": "user", "content": "Hi"}]})", "line 3: no \"answer\""},
        {R"({"messages": [], "answer": "x"})", "line 3: \"messages\" has no user message"},
        {R"({"messages": [{"role": "user", "content": "Hi"}], "answer": "x", "extra": 1})",
         "line 3: unknown field \"extra\""},
        {R"({"messages": [{"role": "user", "content": "Hi"}], "answer": "x", "passages": [{"file": "a.txt"}]})",
         "line 3: passage 1: no \"text\""},
    };
    for (const auto& [line, expected] : cases) {
        {
            std::ofstream out(path);
            out << good << "\n\n" << line << "\n";
        }
        const auto r = run_command(
            qwen_edge("bench --model " + shell_quote(kModel) + " --replay " + shell_quote(path)));
        EXPECT_EQ(r.exit_code, 1) << r.output;
        EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
    }
    // --oracle needs --replay; a missing file is a usage error.
    EXPECT_EQ(
        run_command(qwen_edge("bench --model " + shell_quote(kModel) + " --oracle")).exit_code, 2);
    EXPECT_EQ(run_command(qwen_edge("bench --model " + shell_quote(kModel) +
                                    " --replay /nonexistent.jsonl"))
                  .exit_code,
              2);
}

TEST(BenchCommand, BadUseIsRefused) {
    EXPECT_EQ(run_command(qwen_edge("bench --model " + shell_quote(kModel) + " -r 0")).exit_code,
              2);
    EXPECT_EQ(run_command(qwen_edge("bench --model " + shell_quote(kModel) + " -p x")).exit_code,
              2);
    const auto missing = run_command(qwen_edge("bench --model /nonexistent/model.gguf"));
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_NE(missing.output.find("model.gguf"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace qe
