// The official openai npm client (pinned in tests/reference) against the real server: the
// compatibility that applications rely on, streaming and not, errors included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/live_server.h"
#include "support/run_command.h"
#include "support/thinking_model.h"

namespace qe {
namespace {

TEST(OpenAiClientE2E, StreamingAndNonStreamingChatCompletionsAndErrors) {
    const std::string reference = QE_REFERENCE_DIR;
    if (!std::filesystem::exists(reference + "/node_modules/openai/package.json"))
        GTEST_SKIP() << "the openai npm client is not installed (scripts/setup.sh --test)";
    if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";

    test::LiveServer server;
    const std::string error =
        server.start(std::string(QE_BIN_DIR) + "/qwen-edge",
                     {"--model", std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", "--threads", "1",
                      "--parallel", "2"},
                     (std::filesystem::path(QE_TEST_TMP_DIR) / "openai_client_e2e.log").string());
    ASSERT_EQ(error, "");
    const auto out =
        test::run_command("node " + test::shell_quote(reference + "/openai_client_check.js") +
                          " http://127.0.0.1:" + std::to_string(server.port()) + "/v1 2>&1");
    EXPECT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("\"ok\":true"), std::string::npos) << out.output;
    EXPECT_TRUE(server.running()) << server.output();
}

// Tool calls and log-probabilities: two scripts against one server.
TEST(OpenAiClientE2E, ToolRoundTripLogprobsAndTheirErrors) {
    const std::string reference = QE_REFERENCE_DIR;
    if (!std::filesystem::exists(reference + "/node_modules/openai/package.json"))
        GTEST_SKIP() << "the openai npm client is not installed (scripts/setup.sh --test)";
    if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";

    test::LiveServer server;
    const std::string error =
        server.start(std::string(QE_BIN_DIR) + "/qwen-edge",
                     {"--model", std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", "--threads", "1",
                      "--parallel", "1"},
                     (std::filesystem::path(QE_TEST_TMP_DIR) / "openai_tools_e2e.log").string());
    ASSERT_EQ(error, "");
    for (const char* script : {"/openai_tools_check.js", "/openai_logprobs_check.js"}) {
        const auto out =
            test::run_command("node " + test::shell_quote(reference + script) +
                              " http://127.0.0.1:" + std::to_string(server.port()) + "/v1 2>&1");
        EXPECT_EQ(out.exit_code, 0) << script << ": " << out.output;
        EXPECT_NE(out.output.find("\"ok\":true"), std::string::npos) << out.output;
    }
    EXPECT_TRUE(server.running()) << server.output();
}

TEST(OpenAiClientE2E, EmbeddingsFromASecondModel) {
    const std::string reference = QE_REFERENCE_DIR;
    if (!std::filesystem::exists(reference + "/node_modules/openai/package.json"))
        GTEST_SKIP() << "the openai npm client is not installed (scripts/setup.sh --test)";
    if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";

    test::LiveServer server;
    const std::string error = server.start(
        std::string(QE_BIN_DIR) + "/qwen-edge",
        {"--model", std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", "--embedding-model",
         std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf", "--threads", "1", "--parallel", "1"},
        (std::filesystem::path(QE_TEST_TMP_DIR) / "openai_embeddings_e2e.log").string());
    ASSERT_EQ(error, "");
    const auto out =
        test::run_command("node " + test::shell_quote(reference + "/openai_embeddings_check.js") +
                          " http://127.0.0.1:" + std::to_string(server.port()) + "/v1 2>&1");
    EXPECT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("\"ok\":true"), std::string::npos) << out.output;
    EXPECT_TRUE(server.running()) << server.output();
}

TEST(OpenAiClientE2E, ThinkingOnAndOff) {
    const std::string reference = QE_REFERENCE_DIR;
    if (!std::filesystem::exists(reference + "/node_modules/openai/package.json"))
        GTEST_SKIP() << "the openai npm client is not installed (scripts/setup.sh --test)";
    if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";

    test::LiveServer server;
    const std::string error = server.start(
        std::string(QE_BIN_DIR) + "/qwen-edge",
        {"--model", thinking_model_folder("openai_thinking_model"), "--threads", "1",
         "--parallel", "1"},
        (std::filesystem::path(QE_TEST_TMP_DIR) / "openai_thinking_e2e.log").string());
    ASSERT_EQ(error, "");
    const auto out =
        test::run_command("node " + test::shell_quote(reference + "/openai_thinking_check.js") +
                          " http://127.0.0.1:" + std::to_string(server.port()) + "/v1 2>&1");
    EXPECT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("\"ok\":true"), std::string::npos) << out.output;
    EXPECT_TRUE(server.running()) << server.output();
}

}  // namespace
}  // namespace qe
