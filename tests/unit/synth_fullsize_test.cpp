// The full Qwen2.5-0.5B and Qwen3-0.6B shapes, made by qwen-edge-synth and described by
// `qwen-edge info`: the sizes the product really runs at (151936-token vocabulary, 24 layers and
// 494M parameters; 28 layers and 596M parameters).
// The ~0.5-1 GB files are kept in the test folder and reused while the synthesiser binary is older
// than them and their recorded parameters match; anything else regenerates them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/mapped_file.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "model/model_file.h"
#include "support/run_command.h"
#include "synth/synth_model.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;

const std::string kSynth = std::string(QE_BIN_DIR) + "/qwen-edge-synth";
constexpr int64_t kQwen25Parameters = 494032768;
constexpr int64_t kQwen3_06bParameters = 596049920;  // Qwen3-0.6B's, embeddings included

synth::Options options(const std::string& type, const synth::Shape& shape = synth::qwen25_05b()) {
    synth::Options o;
    o.shape = shape;
    o.seed = 1;
    o.type = synth::parse_file_type(type).value();
    return o;
}

// The params string recorded in an existing output, or "" when there is none.
std::string recorded_params(const fs::path& model_file, bool gguf) {
    try {
        const MappedFile m(model_file.string());
        if (gguf) {
            const GgufFile file = parse_gguf(m.bytes(), model_file.string());
            const GgufValue* v = file.find("qwen_edge.synth.params");
            return v && v->as_string() ? *v->as_string() : "";
        }
        const auto st = parse_safetensors(m.bytes(), model_file.string());
        const auto it = st.metadata.find("qwen_edge.synth.params");
        return it == st.metadata.end() ? "" : it->second;
    } catch (const std::exception&) {
        return "";
    }
}

bool reusable(const fs::path& model_file, bool gguf, const std::string& params) {
    std::error_code ec;
    if (!fs::exists(model_file, ec)) return false;
    if (fs::last_write_time(model_file, ec) < fs::last_write_time(kSynth, ec)) return false;
    return recorded_params(model_file, gguf) == params;
}

void check_info(const fs::path& model, const char* file_type) {
    const auto r = run_command(std::string(QE_BIN_DIR) + "/qwen-edge info --json " +
                               shell_quote(model.string()) + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["architecture"], "qwen2");
    EXPECT_EQ(j["layers"], 24);
    EXPECT_EQ(j["dim"], 896);
    EXPECT_EQ(j["heads"], 14);
    EXPECT_EQ(j["kv_heads"], 2);
    EXPECT_EQ(j["head_dim"], 64);
    EXPECT_EQ(j["ffn_dim"], 4864);
    EXPECT_EQ(j["vocab_size"], 151936);
    EXPECT_EQ(j["context_length"], 32768);
    EXPECT_EQ(j["tied_embeddings"], true);
    EXPECT_EQ(j["parameters"], kQwen25Parameters);
    EXPECT_FLOAT_EQ(j["rope_theta"].get<float>(), 1e6f);
    EXPECT_FLOAT_EQ(j["rms_eps"].get<float>(), 1e-6f);
    EXPECT_EQ(j["special_tokens"]["eos"]["id"], 151645);
    EXPECT_EQ(j["special_tokens"]["eos"]["text"], "<|im_end|>");
    EXPECT_EQ(j["special_tokens"]["bos"]["text"], "<|endoftext|>");
    EXPECT_EQ(j["special_tokens"]["pad"]["id"], 151643);
    EXPECT_EQ(j["add_bos"], false);
    EXPECT_EQ(j["chat_template"], true);
    if (file_type) {
        EXPECT_EQ(j["file_type"]["name"], file_type);
    }
}

// Every tensor through the engine's validating accessor, at the shapes the config implies.
void check_shapes(const ModelFile& m) {
    const ModelConfig& c = m.config();
    const int64_t kv = int64_t(c.n_kv_heads) * c.head_dim;
    EXPECT_NO_THROW(m.get("token_embd.weight", {}, {c.vocab_size, c.dim}));
    EXPECT_NO_THROW(m.get("output_norm.weight", {}, {c.dim}));
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        EXPECT_NO_THROW(m.get(b + "attn_norm.weight", {}, {c.dim}));
        EXPECT_NO_THROW(m.get(b + "attn_q.weight", {}, {c.dim, c.dim}));
        EXPECT_NO_THROW(m.get(b + "attn_q.bias", {}, {c.dim}));
        EXPECT_NO_THROW(m.get(b + "attn_k.weight", {}, {kv, c.dim}));
        EXPECT_NO_THROW(m.get(b + "attn_k.bias", {}, {kv}));
        EXPECT_NO_THROW(m.get(b + "attn_v.weight", {}, {kv, c.dim}));
        EXPECT_NO_THROW(m.get(b + "attn_v.bias", {}, {kv}));
        EXPECT_NO_THROW(m.get(b + "attn_output.weight", {}, {c.dim, c.dim}));
        EXPECT_NO_THROW(m.get(b + "ffn_norm.weight", {}, {c.dim}));
        EXPECT_NO_THROW(m.get(b + "ffn_gate.weight", {}, {c.ffn_dim, c.dim}));
        EXPECT_NO_THROW(m.get(b + "ffn_up.weight", {}, {c.ffn_dim, c.dim}));
        EXPECT_NO_THROW(m.get(b + "ffn_down.weight", {}, {c.dim, c.ffn_dim}));
    }
    EXPECT_EQ(m.tensors().size(), 290u);
    EXPECT_EQ(m.parameter_count(), kQwen25Parameters);
}

TEST(SynthFullSize, Q8_0Gguf) {
    const fs::path path = fs::path(QE_TEST_TMP_DIR) / "synth-qwen2.5-0.5b-q8_0.gguf";
    const std::string params = synth::params_string(options("q8_0"), "gguf");
    if (!reusable(path, true, params)) {
        const auto r = run_command(kSynth + " --preset qwen2.5-0.5b --type q8_0 --seed 1 --out " +
                                   shell_quote(path.string()) + " 2>&1");
        ASSERT_EQ(r.exit_code, 0) << r.output;
        ASSERT_EQ(recorded_params(path, true), params);
    }
    check_info(path, "Q8_0");
    const ModelFile m = ModelFile::open(path.string());
    check_shapes(m);
    for (const auto& t : m.tensors()) {
        EXPECT_EQ(t.dtype, t.shape.size() == 1 ? DType::F32 : DType::Q8_0) << t.name;
    }
}

TEST(SynthFullSize, Bf16HuggingFaceFolder) {
    const fs::path dir = fs::path(QE_TEST_TMP_DIR) / "synth-qwen2.5-0.5b-hf";
    const std::string params = synth::params_string(options("bf16"), "hf");
    if (!reusable(dir / "model.safetensors", false, params)) {
        fs::remove_all(dir);
        const auto r = run_command(kSynth + " --format hf --seed 1 --out " +
                                   shell_quote(dir.string()) + " 2>&1");
        ASSERT_EQ(r.exit_code, 0) << r.output;
        ASSERT_EQ(recorded_params(dir / "model.safetensors", false), params);
    }
    check_info(dir, nullptr);
    const ModelFile m = ModelFile::open(dir.string());
    check_shapes(m);
    // The folder's tokenizer.json carries the whole vocabulary and Qwen2.5's added tokens.
    const auto tok = nlohmann::json::parse(std::ifstream(dir / "tokenizer.json"));
    EXPECT_EQ(tok["model"]["vocab"].size(), 151643u);
    EXPECT_EQ(tok["added_tokens"].size(), 22u);
    EXPECT_EQ(tok["added_tokens"][2]["content"], "<|im_end|>");
    EXPECT_EQ(tok["added_tokens"][2]["id"], 151645);
}

TEST(SynthFullSize, Qwen3_06bQ8_0Gguf) {
    const fs::path path = fs::path(QE_TEST_TMP_DIR) / "synth-qwen3-0.6b-q8_0.gguf";
    const std::string params = synth::params_string(options("q8_0", synth::qwen3_06b()), "gguf");
    if (!reusable(path, true, params)) {
        const auto r = run_command(kSynth + " --preset qwen3-0.6b --type q8_0 --seed 1 --out " +
                                   shell_quote(path.string()) + " 2>&1");
        ASSERT_EQ(r.exit_code, 0) << r.output;
        ASSERT_EQ(recorded_params(path, true), params);
    }
    const auto r = run_command(std::string(QE_BIN_DIR) + "/qwen-edge info --json " +
                               shell_quote(path.string()) + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["architecture"], "qwen3");
    EXPECT_EQ(j["layers"], 28);
    EXPECT_EQ(j["dim"], 1024);
    EXPECT_EQ(j["heads"], 16);
    EXPECT_EQ(j["kv_heads"], 8);
    EXPECT_EQ(j["head_dim"], 128);
    EXPECT_EQ(j["ffn_dim"], 3072);
    EXPECT_EQ(j["vocab_size"], 151936);
    EXPECT_EQ(j["context_length"], 40960);
    EXPECT_EQ(j["tied_embeddings"], true);
    EXPECT_EQ(j["parameters"], kQwen3_06bParameters);
    EXPECT_EQ(j["special_tokens"]["eos"]["id"], 151645);
    EXPECT_EQ(j["special_tokens"]["pad"]["id"], 151643);
    EXPECT_EQ(j["file_type"]["name"], "Q8_0");

    const ModelFile m = ModelFile::open(path.string());
    EXPECT_EQ(m.tensors().size(), 310u);
    EXPECT_EQ(m.parameter_count(), kQwen3_06bParameters);
    for (int l = 0; l < 28; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        EXPECT_NO_THROW(m.get(b + "attn_q.weight", {}, {2048, 1024}));
        EXPECT_NO_THROW(m.get(b + "attn_k.weight", {}, {1024, 1024}));
        EXPECT_NO_THROW(m.get(b + "attn_v.weight", {}, {1024, 1024}));
        EXPECT_NO_THROW(m.get(b + "attn_q_norm.weight", {}, {128}));
        EXPECT_NO_THROW(m.get(b + "attn_k_norm.weight", {}, {128}));
        EXPECT_NO_THROW(m.get(b + "attn_output.weight", {}, {1024, 2048}));
        EXPECT_EQ(m.find(b + "attn_q.bias"), nullptr);
    }
    for (const auto& t : m.tensors()) {
        EXPECT_EQ(t.dtype, t.shape.size() == 1 ? DType::F32 : DType::Q8_0) << t.name;
    }
    const GgufValue* tmpl = m.gguf()->find("tokenizer.chat_template");
    ASSERT_NE(tmpl, nullptr);
    EXPECT_EQ(*tmpl->as_string(), synth::kQwen3ChatTemplate);
}

}  // namespace
}  // namespace qe
