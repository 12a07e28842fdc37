// `qwen-edge template` as a user runs it: the template embedded in a GGUF file, a template file,
// chat_template_kwargs, the ChatML fallback with its warning, --strict, and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using test::run_command;
using test::shell_quote;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";
const fs::path kTmp = fs::path(QE_TEST_TMP_DIR) / "template_cli";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path write_file(const std::string& name, const std::string& content) {
    fs::create_directories(kTmp);
    const fs::path path = kTmp / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

// The golden cases of one template, as {"messages", "tools", "add_generation_prompt", ...}.
ordered_json golden_cases(const std::string& name) {
    return ordered_json::parse(read_file(fs::path(QE_SOURCE_DIR) / "tests/golden/chat_templates" /
                                         (name + ".json")))["cases"];
}

ordered_json request_of(const ordered_json& c) {
    ordered_json r = {{"messages", c["messages"]},
                      {"tools", c["tools"]},
                      {"add_generation_prompt", c["add_generation_prompt"]}};
    if (c.contains("extra")) r["chat_template_kwargs"] = c["extra"];
    return r;
}

// Every Qwen2.5 golden conversation through the template embedded in a golden GGUF file.
TEST(TemplateCli, RendersWithTheTemplateInsideAGgufFile) {
    const std::string model = std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf";
    int checked = 0;
    for (const auto& c : golden_cases("qwen2.5-instruct")) {
        if (c.contains("error")) continue;
        SCOPED_TRACE(c["name"].get<std::string>());
        const fs::path input = write_file("in.json", request_of(c).dump());
        const auto r = run_command(kBinary + " template -m " + shell_quote(model) + " -i " +
                                   shell_quote(input.string()));
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_EQ(r.output, c["expected"].get<std::string>());
        if (++checked == 12)
            break;  // a sample keeps the test quick; the rest is chat_template_test
    }
    EXPECT_EQ(checked, 12);
}

TEST(TemplateCli, TemplateFileAndKwargsFromStdin) {
    const std::string tmpl = std::string(QE_SOURCE_DIR) + "/data/templates/qwen3.jinja";
    for (const auto& c : golden_cases("qwen3")) {
        if (c["name"] != "thinking_disabled") continue;
        const fs::path input = write_file("thinking.json", request_of(c).dump());
        const auto r = run_command(kBinary + " template --template " + shell_quote(tmpl) + " < " +
                                   shell_quote(input.string()));
        EXPECT_EQ(r.exit_code, 0);
        EXPECT_EQ(r.output, c["expected"].get<std::string>());
        EXPECT_NE(r.output.find("<think>\n\n</think>"), std::string::npos);
        return;
    }
    FAIL() << "golden case thinking_disabled not found";
}

TEST(TemplateCli, ModelSpecialTokensAreVariables) {
    const std::string model = std::string(QE_GOLDEN_DIR) + "/g448-f32.gguf";
    const fs::path tmpl = write_file("tokens.jinja", "[{{ eos_token }}|{{ pad_token }}]");
    const fs::path input = write_file("hello.json", R"({"messages": []})");
    const auto r = run_command(kBinary + " template -m " + shell_quote(model) + " -t " +
                               shell_quote(tmpl.string()) + " -i " + shell_quote(input.string()));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, "[<|im_end|>|<|endoftext|>]");
}

TEST(TemplateCli, BrokenTemplateFallsBackToChatmlWithAWarning) {
    const fs::path tmpl = write_file("broken.jinja", "{% for m in messages %}{{ m.content }}");
    const fs::path input =
        write_file("hi.json", R"({"messages": [{"role": "user", "content": "Hi"}],
                                                     "add_generation_prompt": false})");
    const fs::path err = kTmp / "stderr.txt";
    const std::string cmd = kBinary + " template -t " + shell_quote(tmpl.string()) + " -i " +
                            shell_quote(input.string());
    auto r = run_command(cmd + " 2>" + shell_quote(err.string()));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, "<|im_start|>user\nHi<|im_end|>\n");
    const std::string warning = read_file(err);
    EXPECT_NE(warning.find("warning"), std::string::npos) << warning;
    EXPECT_NE(warning.find("line 1"), std::string::npos) << warning;

    r = run_command(cmd + " --strict 2>&1");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("syntax error"), std::string::npos) << r.output;
}

TEST(TemplateCli, BadInputAndUsage) {
    const std::string tmpl = std::string(QE_SOURCE_DIR) + "/data/templates/chatml.jinja";
    auto run_with = [&](const std::string& input) {
        const fs::path path = write_file("bad.json", input);
        return run_command(kBinary + " template -t " + shell_quote(tmpl) + " -i " +
                           shell_quote(path.string()) + " 2>&1");
    };
    for (const char* input :
         {"not json", "[]", R"({"messages": 1})", R"({"tools": []})",
          R"({"messages": [], "typo": 1})", R"({"messages": [], "add_generation_prompt": "yes"})",
          R"({"messages": [{"content": "no role"}]})"}) {
        SCOPED_TRACE(input);
        const auto r = run_with(input);
        EXPECT_EQ(r.exit_code, 1) << r.output;
        EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
    }
    EXPECT_EQ(run_command(kBinary + " template < /dev/null 2>&1").exit_code, 2);
    EXPECT_EQ(run_command(kBinary + " template -m /nonexistent.gguf < /dev/null 2>&1").exit_code,
              1);
}

}  // namespace
}  // namespace qe
