// Where a model's chat template is found: the GGUF key, a Hugging Face folder's
// chat_template.jinja or tokenizer_config.json (a string or named templates).
#include "model/chat_template_load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "model/model_file.h"

namespace qe {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path fresh_folder(const std::string& name) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "chat_template_load" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(ChatTemplateLoad, GgufKeyOfTheGoldenModels) {
    const ModelChatTemplate t = load_chat_template(std::string(QE_GOLDEN_DIR) + "/g896-q4_0.gguf");
    EXPECT_EQ(t.source,
              read_file(fs::path(QE_GOLDEN_DIR) / "qwen2.5-instruct-chat-template.jinja"));
    EXPECT_TRUE(t.tool_use_source.empty());
    EXPECT_EQ(&t.for_request(true), &t.source);
    EXPECT_NE(t.origin.find("tokenizer.chat_template"), std::string::npos);
}

TEST(ChatTemplateLoad, TokenizerConfigString) {
    const fs::path dir = fresh_folder("string");
    write(dir / "tokenizer_config.json", R"({"chat_template": "{{ messages[0].content }}"})");
    const ModelChatTemplate t = load_chat_template(dir.string());
    EXPECT_EQ(t.source, "{{ messages[0].content }}");
    EXPECT_NE(t.origin.find("tokenizer_config.json"), std::string::npos);
}

TEST(ChatTemplateLoad, NamedTemplatesPickToolUseForTools) {
    const fs::path dir = fresh_folder("named");
    write(dir / "tokenizer_config.json", R"({"chat_template": [
        {"name": "default", "template": "plain"},
        {"name": "tool_use", "template": "with tools"},
        {"name": "rag", "template": "unused"}]})");
    const ModelChatTemplate t = load_chat_template(dir.string());
    EXPECT_EQ(t.for_request(false), "plain");
    EXPECT_EQ(t.for_request(true), "with tools");
}

TEST(ChatTemplateLoad, JinjaFileWinsOverTokenizerConfig) {
    const fs::path dir = fresh_folder("jinja_file");
    write(dir / "tokenizer_config.json", R"({"chat_template": "old"})");
    write(dir / "chat_template.jinja", "new\n");
    const ModelChatTemplate t = load_chat_template(dir.string());
    EXPECT_EQ(t.source, "new\n");
}

TEST(ChatTemplateLoad, NoTemplateIsEmpty) {
    const fs::path dir = fresh_folder("none");
    EXPECT_TRUE(load_chat_template(dir.string()).source.empty());
    write(dir / "tokenizer_config.json", R"({"chat_template": null})");
    EXPECT_TRUE(load_chat_template(dir.string()).source.empty());
}

TEST(ChatTemplateLoad, MalformedConfigsAreErrors) {
    const fs::path dir = fresh_folder("bad");
    write(dir / "tokenizer_config.json", R"({"chat_template": 42})");
    EXPECT_THROW(load_chat_template(dir.string()), Error);
    write(dir / "tokenizer_config.json", R"({"chat_template": [{"name": "default"}]})");
    EXPECT_THROW(load_chat_template(dir.string()), Error);
    write(dir / "tokenizer_config.json", R"({"chat_template": )");
    EXPECT_THROW(load_chat_template(dir.string()), Error);
    EXPECT_THROW(load_chat_template((dir / "missing.gguf").string()), Error);
}

}  // namespace
}  // namespace qe
