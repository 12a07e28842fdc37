// qwen-edge-synth as a developer runs it, and `qwen-edge info` on what it writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/mapped_file.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "support/run_command.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;

const std::string kSynth = std::string(QE_BIN_DIR) + "/qwen-edge-synth";
const std::string kInfo = std::string(QE_BIN_DIR) + "/qwen-edge info --json ";
const std::string kSmall = " --layers 2 --dim 448 --heads 14 --kv-heads 2 --ffn 512 --vocab 3872 ";
// The golden q3 shape: the Qwen3-0.6B preset's head size (128) kept, the rest scaled down.
const std::string kSmallQwen3 =
    " --arch qwen3 --layers 2 --dim 512 --heads 8 --kv-heads 4 --ffn 1024 --vocab 3872 ";

fs::path tmp(const std::string& name) {
    return fs::path(QE_TEST_TMP_DIR) / ("synth_cli_" + name);
}

nlohmann::json info(const fs::path& model) {
    const auto r = run_command(kInfo + shell_quote(model.string()) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output);
}

TEST(SynthCli, WritesAQuantizedGgufThatInfoDescribes) {
    const auto path = tmp("q4km.gguf");
    const auto r = run_command(kSynth + " --out " + shell_quote(path.string()) + kSmall +
                               "--type q4_k_m --seed 3 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("26 tensors"), std::string::npos) << r.output;
    const auto j = info(path);
    EXPECT_EQ(j["layers"], 2);
    EXPECT_EQ(j["dim"], 448);
    EXPECT_EQ(j["vocab_size"], 3872);
    EXPECT_EQ(j["file_type"]["name"], "Q4_K_M");
    EXPECT_EQ(j["dominant_type"], "q5_0");  // as in the golden g448-q4_k_m.gguf
    EXPECT_EQ(j["tensor_types"]["q8_0"], 2);
    EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");
    EXPECT_NE(j["name"].get<std::string>().find("random weights"), std::string::npos);
}

TEST(SynthCli, WritesAHuggingFaceFolder) {
    const auto dir = tmp("hf");
    fs::remove_all(dir);
    const auto r = run_command(kSynth + " --format hf --out " + shell_quote(dir.string()) + kSmall +
                               "--untied 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const char* file : {"config.json", "model.safetensors", "tokenizer.json",
                             "tokenizer_config.json", "generation_config.json"}) {
        EXPECT_TRUE(fs::exists(dir / file)) << file;
    }
    const auto j = info(dir);
    EXPECT_EQ(j["format"], "huggingface");
    EXPECT_EQ(j["tied_embeddings"], false);
    EXPECT_EQ(j["tensor_types"]["bf16"], 27);
    EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");
    EXPECT_EQ(j["special_tokens"]["pad"]["id"], 3840);
    EXPECT_EQ(j["chat_template"], true);
}

TEST(SynthCli, WritesQwen3GgufAndFolderThatInfoDescribes) {
    const auto path = tmp("q3.gguf");
    auto r = run_command(kSynth + " --out " + shell_quote(path.string()) + kSmallQwen3 +
                         "--type q8_0 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("24 tensors"), std::string::npos) << r.output;
    auto j = info(path);
    EXPECT_EQ(j["architecture"], "qwen3");
    EXPECT_EQ(j["head_dim"], 128);  // from the preset, not 512 / 8
    EXPECT_EQ(j["context_length"], 40960);
    EXPECT_EQ(j["parameters"], 8276992);  // as the golden q3 files
    EXPECT_EQ(j["tensor_types"]["f32"], 9);
    EXPECT_EQ(j["tensor_types"]["q8_0"], 15);
    EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");

    const auto dir = tmp("q3-hf");
    fs::remove_all(dir);
    r = run_command(kSynth + " --format hf --out " + shell_quote(dir.string()) + kSmallQwen3 +
                    "--head-dim 64 --untied 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    j = info(dir);
    EXPECT_EQ(j["architecture"], "qwen3");
    EXPECT_EQ(j["head_dim"], 64);
    EXPECT_EQ(j["tied_embeddings"], false);
    EXPECT_EQ(j["tensor_types"]["bf16"], 25);
    EXPECT_EQ(j["special_tokens"]["eos"]["id"], 3842);
}

// The golden q35 shape but for the DeltaNet heads (the preset's 16 x 128).
const std::string kSmallQwen35 =
    " --arch qwen35 --layers 4 --dim 512 --heads 4 --kv-heads 2 --ffn 1024 --vocab 3872 ";

TEST(SynthCli, WritesAQwen35FolderThatInfoDescribesWithTheTensorsItDoesNotRun) {
    const auto dir = tmp("q35-hf");
    fs::remove_all(dir);
    const auto r = run_command(kSynth + " --format hf --out " + shell_quote(dir.string()) +
                               kSmallQwen35 + "2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(fs::exists(dir / "chat_template.jinja"));
    auto j = info(dir);
    EXPECT_EQ(j["format"], "huggingface");
    EXPECT_EQ(j["architecture"], "qwen35");
    EXPECT_EQ(j["head_dim"], 256);
    EXPECT_EQ(j["hybrid"]["delta_net_layers"], 3);
    EXPECT_EQ(j["hybrid"]["rotary_dims"], 64);
    EXPECT_EQ(j["hybrid"]["ssm_value_heads"], 16);
    EXPECT_EQ(j["hybrid"]["ignored_tensors"]["vision"], 0);
    EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");
    EXPECT_EQ(j["chat_template"], true);

    // An official folder also holds a vision tower and a multi-token-prediction block: here in a
    // second shard, listed in the index with the first.
    const fs::path first = dir / "model-00001-of-00002.safetensors";
    fs::rename(dir / "model.safetensors", first);
    nlohmann::json index = {{"metadata", nlohmann::json::object()},
                            {"weight_map", nlohmann::json::object()}};
    {
        const MappedFile file(first.string());
        for (const auto& t : parse_safetensors(file.bytes(), "first").tensors)
            index["weight_map"][t.name] = first.filename().string();
    }
    SafetensorsWriter extra;
    for (const char* name : {"model.visual.blocks.0.attn.qkv.weight",
                             "model.visual.merger.linear_fc1.weight", "mtp.fc.weight"}) {
        extra.add_tensor(name, DType::BF16, {2, 4}, std::vector<uint8_t>(16, 0));
        index["weight_map"][name] = "model-00002-of-00002.safetensors";
    }
    extra.write_file((dir / "model-00002-of-00002.safetensors").string());
    std::ofstream(dir / "model.safetensors.index.json") << index.dump(2);
    j = info(dir);
    EXPECT_EQ(j["hybrid"]["ignored_tensors"]["vision"], 2);
    EXPECT_EQ(j["hybrid"]["ignored_tensors"]["mtp"], 1);
    const auto text = run_command(std::string(QE_BIN_DIR) + "/qwen-edge info " +
                                  shell_quote(dir.string()) + " 2>&1");
    EXPECT_NE(text.output.find("1 multi-token-prediction and 2 vision tensors"), std::string::npos)
        << text.output;
}

TEST(SynthCli, UsageErrorsExitWithTwo) {
    const std::string out = " --out " + shell_quote(tmp("bad.gguf").string());
    auto bad_type = run_command(kSynth + out + " --type q9_9 2>&1");
    EXPECT_EQ(bad_type.exit_code, 2);
    EXPECT_NE(bad_type.output.find("q4_k_m"), std::string::npos) << bad_type.output;
    auto bad_shape = run_command(kSynth + out + " --dim 100 --heads 3 2>&1");
    EXPECT_EQ(bad_shape.exit_code, 2);
    EXPECT_NE(bad_shape.output.find("multiple of heads"), std::string::npos) << bad_shape.output;
    EXPECT_EQ(run_command(kSynth + " --type f16 2>&1").exit_code, 2);  // no --out
    EXPECT_EQ(run_command(kSynth + out + " --format hf --type q8_0 2>&1").exit_code, 2);
    EXPECT_EQ(run_command(kSynth + " --help").exit_code, 0);
    auto conflict = run_command(kSynth + out + " --preset qwen3-0.6b --arch qwen2 2>&1");
    EXPECT_EQ(conflict.exit_code, 2);
    EXPECT_NE(conflict.output.find("is qwen3"), std::string::npos) << conflict.output;
    auto qwen2_head = run_command(kSynth + out + kSmall + " --head-dim 128 2>&1");
    EXPECT_EQ(qwen2_head.exit_code, 2);
    EXPECT_NE(qwen2_head.output.find("dim / heads"), std::string::npos) << qwen2_head.output;
    EXPECT_EQ(run_command(kSynth + out + " --preset qwen3-8b 2>&1").exit_code, 2);
    auto no_vocab = run_command(kSynth + out + kSmall + " --tokenizer /nonexistent.json 2>&1");
    EXPECT_EQ(no_vocab.exit_code, 1);
    EXPECT_NE(no_vocab.output.find("setup.sh --test"), std::string::npos) << no_vocab.output;
}

}  // namespace
}  // namespace qe
