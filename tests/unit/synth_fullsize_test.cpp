// The full Qwen2.5-0.5B shape, made by qwen-edge-synth and described by `qwen-edge info`: the
// sizes the product really runs at (151936-token vocabulary, 24 layers, 494M parameters).
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

synth::Options options(const std::string& type) {
    synth::Options o;
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

}  // namespace
}  // namespace qe
