// The official openai npm client (pinned in tests/reference) against the real server: the
// compatibility that applications rely on, streaming and not, errors included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "support/live_server.h"
#include "support/run_command.h"
#include "support/thinking_model.h"

namespace qe {
namespace {

// Starts `qwen-edge serve` with `server_args` (log in the test directory as `log`) and runs each
// script of `script_dir` (tests/reference by default) against it, with the pinned npm packages
// of tests/reference; each must print {"ok":true}.
void check_with_openai_client(const std::vector<std::string>& server_args, const std::string& log,
                              std::initializer_list<const char*> scripts,
                              const std::string& script_dir = QE_REFERENCE_DIR) {
    const std::string reference = QE_REFERENCE_DIR;
    if (!std::filesystem::exists(reference + "/node_modules/openai/package.json"))
        GTEST_SKIP() << "the openai npm client is not installed (scripts/setup.sh --test)";
    if (test::run_command("node --version").exit_code != 0) GTEST_SKIP() << "node is not installed";

    test::LiveServer server;
    const std::string error = server.start(std::string(QE_BIN_DIR) + "/qwen-edge", server_args,
                                           (std::filesystem::path(QE_TEST_TMP_DIR) / log).string());
    ASSERT_EQ(error, "");
    for (const char* script : scripts) {
        const auto out =
            test::run_command("NODE_PATH=" + test::shell_quote(reference + "/node_modules") +
                              " node " + test::shell_quote(script_dir + "/" + script) +
                              " http://127.0.0.1:" + std::to_string(server.port()) + "/v1 2>&1");
        EXPECT_EQ(out.exit_code, 0) << script << ": " << out.output;
        EXPECT_NE(out.output.find("\"ok\":true"), std::string::npos) << out.output;
    }
    EXPECT_TRUE(server.running()) << server.output();
}

const std::string kGolden = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";

TEST(OpenAiClientE2E, StreamingAndNonStreamingChatCompletionsAndErrors) {
    check_with_openai_client({"--model", kGolden, "--threads", "1", "--parallel", "2"},
                             "openai_client_e2e.log", {"openai_client_check.js"});
}

// Tool calls and log-probabilities: two scripts against one server.
TEST(OpenAiClientE2E, ToolRoundTripLogprobsAndTheirErrors) {
    check_with_openai_client({"--model", kGolden, "--threads", "1", "--parallel", "1"},
                             "openai_tools_e2e.log",
                             {"openai_tools_check.js", "openai_logprobs_check.js"});
}

// tool_choice "required" and a named function: valid calls even from a noise model.
TEST(OpenAiClientE2E, ForcedToolCalls) {
    check_with_openai_client({"--model", kGolden, "--threads", "1", "--parallel", "1"},
                             "openai_forced_tools_e2e.log", {"openai_forced_tools_check.js"});
}

// examples/customer-service: routing under a JSON schema, the order tool through forced calls,
// the hand-over; its own check validates every output.
TEST(OpenAiClientE2E, CustomerServiceExample) {
    check_with_openai_client({"--model", kGolden, "--threads", "1", "--parallel", "1"},
                             "customer_service_e2e.log", {"check.js"},
                             std::string(QE_SOURCE_DIR) + "/examples/customer-service");
}

TEST(OpenAiClientE2E, EmbeddingsFromASecondModel) {
    check_with_openai_client(
        {"--model", kGolden, "--embedding-model", std::string(QE_GOLDEN_DIR) + "/q3-q8_0.gguf",
         "--threads", "1", "--parallel", "1"},
        "openai_embeddings_e2e.log", {"openai_embeddings_check.js"});
}

TEST(OpenAiClientE2E, ThinkingOnAndOff) {
    check_with_openai_client({"--model", thinking_model_folder("openai_thinking_model"),
                              "--threads", "1", "--parallel", "1"},
                             "openai_thinking_e2e.log", {"openai_thinking_check.js"});
}

}  // namespace
}  // namespace qe
