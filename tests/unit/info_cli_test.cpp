// `qwen-edge info` as a user runs it: on every golden file, on a Hugging Face folder, and on bad
// input (exit codes 1 and 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/tiny_model_files.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;

const std::string kBinary = std::string(QE_BIN_DIR) + "/qwen-edge";

nlohmann::json info_json(const std::string& model) {
    const auto r = run_command(kBinary + " info --json " + shell_quote(model) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output);
}

// The golden README's tables: each family's architecture and dimensions. The context lengths are
// the real models' (Qwen2.5 32768, Qwen3-0.6B 40960, Qwen3.5 262144), as the files state them.
struct Family {
    const char* name;  // the file name's prefix, before '-'
    const char* architecture;
    int layers, dim, heads, kv_heads, head_dim, ffn, context_length, files;
};

constexpr Family kFamilies[] = {
    {"g448", "qwen2", 2, 448, 14, 2, 32, 512, 32768, 13},
    {"g896", "qwen2", 1, 896, 14, 2, 64, 256, 32768, 4},
    {"g512", "qwen2", 1, 512, 8, 2, 64, 512, 32768, 5},
    {"q3", "qwen3", 2, 512, 8, 4, 128, 1024, 40960, 4},
    {"q35", "qwen35", 4, 512, 4, 2, 256, 1024, 262144, 3},
};

TEST(InfoCli, ReportsEveryGoldenFile) {
    std::map<std::string, int> files;
    for (const auto& entry : fs::directory_iterator(QE_GOLDEN_DIR)) {
        if (entry.path().extension() != ".gguf") continue;
        const std::string file = entry.path().filename().string();
        SCOPED_TRACE(file);
        // "FAMILY-TYPE.gguf"
        const auto dash = file.find('-');
        ASSERT_NE(dash, std::string::npos);
        const std::string family = file.substr(0, dash);
        const Family* fam = nullptr;
        for (const auto& f : kFamilies)
            if (family == f.name) fam = &f;
        ASSERT_NE(fam, nullptr) << "a family the golden README does not list";
        ++files[family];
        const auto j = info_json(entry.path().string());
        EXPECT_EQ(j["architecture"], fam->architecture);
        EXPECT_EQ(j["format"], "gguf");
        EXPECT_EQ(j["dim"], fam->dim);
        EXPECT_EQ(j["layers"], fam->layers);
        EXPECT_EQ(j["heads"], fam->heads);
        EXPECT_EQ(j["kv_heads"], fam->kv_heads);
        EXPECT_EQ(j["head_dim"], fam->head_dim);
        EXPECT_EQ(j["ffn_dim"], fam->ffn);
        EXPECT_EQ(j["vocab_size"], 3872);
        EXPECT_EQ(j["context_length"], fam->context_length);
        EXPECT_EQ(j["tied_embeddings"], true);
        EXPECT_EQ(j["chat_template"], true);
        EXPECT_EQ(j["special_tokens"]["eos"]["id"], 3842);
        EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");
        EXPECT_EQ(j["special_tokens"]["pad"]["text"], "<|endoftext|>");
        // The file type in the file name, as llama.cpp's tools label it.
        std::string type = file.substr(dash + 1, file.size() - dash - 1 - 5);
        for (auto& c : type) c = char(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(j["file_type"]["name"], type);
        int tensors = 0;
        for (const auto& [t, n] : j["tensor_types"].items()) tensors += n.get<int>();
        EXPECT_EQ(tensors, j["tensor_count"]);
        EXPECT_GT(j["weight_bytes"].get<uint64_t>(), 0u);
        EXPECT_LE(j["weight_bytes"].get<uint64_t>(), j["file_bytes"].get<uint64_t>());
        EXPECT_EQ(j["file_bytes"].get<uint64_t>(), fs::file_size(entry.path()));
    }
    for (const auto& f : kFamilies) EXPECT_EQ(files[f.name], f.files) << f.name;
}

TEST(InfoCli, TextOutputNamesTheEssentials) {
    const auto r = run_command(kBinary + " info " +
                               shell_quote(std::string(QE_GOLDEN_DIR) + "/g896-q8_0.gguf"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* part :
         {"architecture   qwen2", "Q8_0 (general.file_type 7)", "hidden size    896",
          "14 (2 key/value, head dim 64)", "eos 3842 \"<|im_end|>\"", "chat template  present"}) {
        EXPECT_NE(r.output.find(part), std::string::npos) << part << "\n" << r.output;
    }
}

TEST(InfoCli, ReportsAHuggingFaceFolder) {
    const auto dir = fs::path(QE_TEST_TMP_DIR) / "info_cli_hf";
    test::write_tiny_hf(dir, test::TinyShape{}, true);
    const auto j = info_json(dir.string());
    EXPECT_EQ(j["format"], "huggingface");
    EXPECT_EQ(j["layers"], 2);
    EXPECT_EQ(j["dominant_type"], "bf16");
    EXPECT_EQ(j["special_tokens"]["eos"]["id"], 79);
    EXPECT_EQ(j["file_type"], nullptr);
}

TEST(InfoCli, BadInputExitsWithOneAndUsageErrorsWithTwo) {
    const auto missing = run_command(kBinary + " info /nonexistent/model.gguf 2>&1");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.output.find("no such file"), std::string::npos) << missing.output;

    const auto corrupt = fs::path(QE_TEST_TMP_DIR) / "info_cli_corrupt.gguf";
    {
        std::ifstream in(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", std::ios::binary);
        std::string head(5000, '\0');
        in.read(head.data(), long(head.size()));
        std::ofstream(corrupt, std::ios::binary) << head;
    }
    const auto truncated =
        run_command(kBinary + " info " + shell_quote(corrupt.string()) + " 2>&1");
    EXPECT_EQ(truncated.exit_code, 1);
    EXPECT_NE(truncated.output.find("truncated"), std::string::npos) << truncated.output;
    EXPECT_NE(truncated.output.find(corrupt.string()), std::string::npos) << truncated.output;

    EXPECT_EQ(run_command(kBinary + " info 2>&1").exit_code, 2);
    EXPECT_EQ(run_command(kBinary + " info --bogus x 2>&1").exit_code, 2);
    const auto help = run_command(kBinary + " info --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.output.find("--json"), std::string::npos);
}

}  // namespace
}  // namespace qe
