// Qwen3.5 Hugging Face folders: config.json read as llama.cpp's converter reads it (a fixture with
// the structure of Qwen/Qwen3.5-0.8B's), clear errors for the variants the engine cannot run, the
// tensor names, and the converter's transforms undone at load (norms + 1, A_log, the conv's shape,
// value heads from grouped to tiled order).
#include "model/hf_qwen35.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "io/safetensors_writer.h"
#include "model/config_loaders.h"
#include "model/hf_names.h"
#include "model/model_file.h"
#include "support/expect_error.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using test::throws_error;

// Qwen/Qwen3.5-0.8B's config.json: a vision model whose language model's keys are in text_config.
const std::string kConfigFixture =
    std::string(QE_SOURCE_DIR) + "/tests/data/hf/qwen3.5-0.8b-config.json";

// Each test's own folder (the tests run side by side, each in a process of its own).
fs::path tmp(const std::string& name) {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    return fs::path(QE_TEST_TMP_DIR) / ("hf_qwen35_" + test + "_" + name);
}

// A folder holding the fixture as config.json, after `edit`.
fs::path config_folder(const std::string& name, const std::function<void(json&)>& edit = {}) {
    json j = json::parse(std::ifstream(kConfigFixture));
    if (edit) edit(j);
    const fs::path dir = tmp(name);
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << j.dump(2);
    return dir;
}

TEST(HfQwen35Config, ReadsTheRealStructureAsTheConverterDoes) {
    const ModelConfig c = config_from_hf(config_folder("real"), 248320);
    EXPECT_NO_THROW(c.validate());
    EXPECT_EQ(c.architecture, "qwen35");
    EXPECT_EQ(c.n_layers, 24);  // the multi-token-prediction layer is not one of them
    EXPECT_EQ(c.mtp_layers, 1);
    EXPECT_EQ(c.dim, 1024);
    EXPECT_EQ(c.n_heads, 8);
    EXPECT_EQ(c.n_kv_heads, 2);
    EXPECT_EQ(c.head_dim, 256);
    EXPECT_EQ(c.ffn_dim, 3584);
    EXPECT_EQ(c.vocab_size, 248320);
    EXPECT_EQ(c.context_length, 262144);
    EXPECT_EQ(c.rope_theta, 1e7f);
    EXPECT_EQ(c.rms_eps, 1e-6f);
    EXPECT_TRUE(c.tied_embeddings);
    EXPECT_TRUE(c.qk_norm);
    EXPECT_FALSE(c.qkv_bias);
    EXPECT_EQ(c.full_attention_interval, 4);
    EXPECT_EQ(c.rope_dims, 64);  // int(256 * 0.25)
    EXPECT_TRUE(c.attn_output_gate);
    EXPECT_EQ(c.ssm_conv_kernel, 4);
    EXPECT_EQ(c.ssm_head_dim, 128);
    EXPECT_EQ(c.ssm_k_heads, 16);
    EXPECT_EQ(c.ssm_v_heads, 16);
    EXPECT_EQ(c.eos_id, 248044);
    EXPECT_EQ(c.bos_id, -1);  // null
    for (int l = 0; l < 24; ++l) EXPECT_EQ(c.is_delta_net_layer(l), l % 4 != 3) << l;
}

TEST(HfQwen35Config, ATextOnlyConfigAndTransformersDefaultsReadTheSame) {
    // Qwen3_5ForCausalLM: the text keys at the top; keys left out take Qwen3_5TextConfig's
    // defaults (every 4th layer full attention, partial rotary 0.25, head size 256, ...).
    const fs::path dir = config_folder("text-only", [](json& j) {
        json text = j["text_config"];
        text["architectures"] = {"Qwen3_5ForCausalLM"};
        text["tie_word_embeddings"] = true;
        for (const char* key :
             {"layer_types", "full_attention_interval", "partial_rotary_factor", "head_dim",
              "linear_conv_kernel_dim", "linear_key_head_dim", "linear_value_head_dim",
              "linear_num_key_heads", "attn_output_gate"})
            text.erase(key);
        text["rope_parameters"].erase("partial_rotary_factor");
        j = text;
    });
    const ModelConfig c = config_from_hf(dir, 248320);
    const ModelConfig real = config_from_hf(config_folder("real"), 248320);
    EXPECT_EQ(c.architecture, "qwen35");
    EXPECT_EQ(c.full_attention_interval, real.full_attention_interval);
    EXPECT_EQ(c.rope_dims, real.rope_dims);
    EXPECT_EQ(c.head_dim, real.head_dim);
    EXPECT_EQ(c.ssm_conv_kernel, real.ssm_conv_kernel);
    EXPECT_EQ(c.ssm_head_dim, real.ssm_head_dim);
    EXPECT_EQ(c.ssm_k_heads, real.ssm_k_heads);
    EXPECT_EQ(c.ssm_v_heads, real.ssm_v_heads);  // stated: 16 (the default would be 32)
    EXPECT_EQ(c.tied_embeddings, real.tied_embeddings);
    EXPECT_EQ(c.rope_theta, real.rope_theta);
}

TEST(HfQwen35Config, VariantsTheEngineCannotRunAreClearErrors) {
    struct Case {
        const char* name;
        std::function<void(json&)> edit;
        std::vector<std::string_view> parts;
    };
    const std::vector<Case> cases = {
        {"moe",
         [](json& j) { j["model_type"] = "qwen3_5_moe"; },
         {"qwen3_5_moe", "mixture-of-experts", "not supported"}},
        {"experts",
         [](json& j) { j["text_config"]["num_experts"] = 256; },
         {"text_config", "num_experts", "not supported"}},
        {"pattern",
         [](json& j) { j["text_config"]["layer_types"][5] = "full_attention"; },
         {"text_config", "layer_types", "layer 5", "not supported"}},
        {"layer-kind",
         [](json& j) { j["text_config"]["layer_types"][2] = "sliding_attention"; },
         {"layer_types\"[2]", "sliding_attention"}},
        {"layer-count",
         [](json& j) { j["text_config"]["layer_types"].erase(0); },
         {"layer_types", "each of the 24 layers"}},
        {"rope-type",
         [](json& j) { j["text_config"]["rope_parameters"]["rope_type"] = "yarn"; },
         {"rope_parameters", "yarn", "not supported"}},
        {"rope-theta",
         [](json& j) { j["text_config"]["rope_parameters"].erase("rope_theta"); },
         {"rope_theta", "missing"}},
        {"value-head-dim",
         [](json& j) { j["text_config"]["linear_value_head_dim"] = 64; },
         {"linear_value_head_dim", "64", "not supported"}},
        {"gate",
         [](json& j) { j["text_config"]["attn_output_gate"] = false; },
         {"attn_output_gate", "not supported"}},
        {"bias",
         [](json& j) { j["text_config"]["attention_bias"] = true; },
         {"attention_bias", "not supported"}},
        {"tie",
         [](json& j) { j["text_config"]["tie_word_embeddings"] = false; },
         {"tie_word_embeddings", "text_config"}},
        {"type",
         [](json& j) { j["text_config"]["num_hidden_layers"] = "24"; },
         {"text_config", "num_hidden_layers", "integer"}},
        {"nested",
         [](json& j) { j["text_config"] = json::array(); },
         {"text_config", "not a JSON object"}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const fs::path dir = config_folder(std::string("bad-") + c.name, c.edit);
        try {
            config_from_hf(dir, 248320);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find((dir / "config.json").string()), std::string::npos) << message;
            for (std::string_view part : c.parts)
                EXPECT_NE(message.find(part), std::string::npos) << part << ": " << message;
        }
    }
    EXPECT_TRUE(throws_error([&] { config_from_hf(config_folder("real"), 1000); },
                             {"vocab_size is 248320", "1000 rows"}));
}

TEST(HfQwen35Folder, AVisionTowerWithoutALanguageModelIsAClearError) {
    const fs::path dir = config_folder("vision-only");
    SafetensorsWriter st;
    st.add_tensor("model.visual.patch_embed.proj.weight", DType::BF16, {4, 3},
                  std::vector<uint8_t>(24, 0));
    st.write_file((dir / "model.safetensors").string());
    EXPECT_TRUE(throws_error([&] { ModelFile::open(dir.string()); },
                             {dir.string(), "vision tower", "not supported"}));
}

TEST(HfQwen35Names, MapBothPrefixesAndTheDeltaNetModules) {
    const HfLayout h = HfLayout::Hybrid;
    const std::pair<const char*, const char*> names[] = {
        {"model.language_model.embed_tokens.weight", "token_embd.weight"},
        {"model.language_model.norm.weight", "output_norm.weight"},
        {"lm_head.weight", "output.weight"},
        {"model.language_model.layers.3.self_attn.q_proj.weight", "blk.3.attn_q.weight"},
        {"model.language_model.layers.3.self_attn.q_norm.weight", "blk.3.attn_q_norm.weight"},
        {"model.language_model.layers.0.post_attention_layernorm.weight",
         "blk.0.post_attention_norm.weight"},
        {"model.language_model.layers.0.linear_attn.in_proj_qkv.weight", "blk.0.attn_qkv.weight"},
        {"model.language_model.layers.0.linear_attn.in_proj_z.weight", "blk.0.attn_gate.weight"},
        {"model.language_model.layers.0.linear_attn.in_proj_a.weight", "blk.0.ssm_alpha.weight"},
        {"model.language_model.layers.0.linear_attn.in_proj_b.weight", "blk.0.ssm_beta.weight"},
        {"model.language_model.layers.1.linear_attn.conv1d.weight", "blk.1.ssm_conv1d.weight"},
        {"model.language_model.layers.1.linear_attn.A_log", "blk.1.ssm_a"},
        {"model.language_model.layers.1.linear_attn.dt_bias", "blk.1.ssm_dt.bias"},
        {"model.language_model.layers.2.linear_attn.norm.weight", "blk.2.ssm_norm.weight"},
        {"model.language_model.layers.2.linear_attn.out_proj.weight", "blk.2.ssm_out.weight"},
    };
    for (const auto& [hf, gguf] : names) {
        EXPECT_EQ(gguf_name_from_hf(hf, h), gguf) << hf;
        EXPECT_EQ(hf_name_from_gguf(gguf, h), hf) << gguf;
    }
    // A text-only Qwen3_5ForCausalLM folder names the same tensors under model.
    EXPECT_EQ(gguf_name_from_hf("model.layers.7.linear_attn.A_log", h), "blk.7.ssm_a");
    // The vision tower and the multi-token-prediction block are not mapped.
    EXPECT_EQ(gguf_name_from_hf("model.visual.blocks.0.attn.qkv.weight", h), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("mtp.layers.0.self_attn.q_proj.weight", h), std::nullopt);
    // Qwen2 and Qwen3 keep their pre-FFN norm's name, and know no DeltaNet.
    EXPECT_EQ(gguf_name_from_hf("model.layers.0.post_attention_layernorm.weight"),
              "blk.0.ffn_norm.weight");
    EXPECT_EQ(gguf_name_from_hf("model.layers.1.linear_attn.A_log"), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("model.language_model.embed_tokens.weight"), std::nullopt);
}

// Float32 tensors over caller-owned values.
struct Tensors {
    std::vector<std::vector<float>> values;
    std::vector<TensorView> views;
    void add(const std::string& name, std::vector<int64_t> shape, std::vector<float> v) {
        values.push_back(std::move(v));
        views.push_back({name, DType::F32, std::move(shape), nullptr, values.back().size() * 4});
    }
    // Points the views at the values (once every tensor is added: the vector has moved).
    std::vector<TensorView>& bind() {
        for (size_t i = 0; i < views.size(); ++i) views[i].data = values[i].data();
        return views;
    }
};

std::vector<float> floats(const TensorView& t) {
    EXPECT_EQ(t.dtype, DType::F32) << t.name;
    const float* p = static_cast<const float*>(t.data);
    return {p, p + t.elements()};
}

std::vector<float> iota(int n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) v[size_t(i)] = float(i);
    return v;
}

TEST(HfQwen35Transforms, UndoTheConvertersChangesAndTileTheValueHeads) {
    // 2 key heads, 4 value heads of size 2: value head kh * 2 + j of the checkpoint (grouped by
    // key head kh) goes to position j * 2 + kh (tiled), as llama.cpp's _reorder_v_heads puts it.
    ModelConfig c;
    c.dim = 2;
    c.ssm_k_heads = 2;
    c.ssm_v_heads = 4;
    c.ssm_head_dim = 2;
    c.ssm_conv_kernel = 2;  // conv channels: q 4 + k 4 + v 8 = 16
    Tensors t;
    t.add("blk.0.attn_norm.weight", {2}, {0.5f, -0.25f});
    t.add("output_norm.weight", {2}, {0.0f, 0.125f});
    t.add("blk.0.ssm_norm.weight", {2}, {0.5f, 0.75f});
    t.add("blk.0.ssm_a", {4}, {0.0f, 1.0f, 2.0f, 3.0f});  // A_log
    t.add("blk.0.ssm_dt.bias", {4}, iota(4));
    t.add("blk.0.ssm_alpha.weight", {4, 2}, iota(8));
    t.add("blk.0.attn_gate.weight", {8, 2}, iota(16));
    t.add("blk.0.attn_qkv.weight", {16, 2}, iota(32));
    t.add("blk.0.ssm_conv1d.weight", {16, 1, 2}, iota(32));
    t.add("blk.0.ssm_out.weight", {2, 8}, iota(16));
    std::vector<TensorView>& views = t.bind();
    OwnedTensorData owned;
    qwen35_tensors_from_hf(views, c, owned, "test");

    EXPECT_EQ(floats(views[0]), (std::vector<float>{1.5f, 0.75f}));
    EXPECT_EQ(floats(views[1]), (std::vector<float>{1.0f, 1.125f}));
    EXPECT_EQ(floats(views[2]), (std::vector<float>{0.5f, 0.75f}));  // plain gated norm: as is
    // ssm_a = -exp(A_log), heads tiled: grouped heads 0, 2, 1, 3.
    EXPECT_EQ(floats(views[3]), (std::vector<float>{-std::exp(0.0f), -std::exp(2.0f),
                                                    -std::exp(1.0f), -std::exp(3.0f)}));
    EXPECT_EQ(floats(views[4]), (std::vector<float>{0, 2, 1, 3}));
    EXPECT_EQ(floats(views[5]), (std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7}));
    // Rows of 2 per head: rows 0-1, 4-5, 2-3, 6-7.
    EXPECT_EQ(floats(views[6]),
              (std::vector<float>{0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15}));
    // q and k rows (0-7) stay; value rows 8-15 move by head.
    std::vector<float> qkv = iota(32);
    const int v_rows[] = {8, 9, 12, 13, 10, 11, 14, 15};
    for (int i = 0; i < 8; ++i)
        for (int col = 0; col < 2; ++col)
            qkv[size_t((8 + i) * 2 + col)] = float(v_rows[i] * 2 + col);
    EXPECT_EQ(floats(views[7]), qkv);
    EXPECT_EQ(views[8].shape, (std::vector<int64_t>{16, 2}));  // squeezed
    EXPECT_EQ(floats(views[8]), qkv);
    // ssm_out's columns move the same way in every row.
    EXPECT_EQ(floats(views[9]),
              (std::vector<float>{0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15}));
}

TEST(HfQwen35Transforms, EqualKeyAndValueHeadsMoveNothingAndBadShapesAreNamed) {
    ModelConfig c;
    c.dim = 2;
    c.ssm_k_heads = 2;
    c.ssm_v_heads = 2;
    c.ssm_head_dim = 2;
    c.ssm_conv_kernel = 2;
    Tensors t;
    t.add("blk.0.attn_gate.weight", {4, 2}, iota(8));
    t.add("blk.0.ssm_dt.bias", {2}, {5.0f, 6.0f});
    const void* gate_data = t.values[0].data();
    std::vector<TensorView>& views = t.bind();
    OwnedTensorData owned;
    qwen35_tensors_from_hf(views, c, owned, "test");
    EXPECT_EQ(views[0].data, gate_data);  // still the file's bytes
    EXPECT_TRUE(owned.empty());

    Tensors bad;
    bad.add("blk.0.ssm_conv1d.weight", {12, 2, 2}, iota(48));
    EXPECT_TRUE(throws_error([&] { qwen35_tensors_from_hf(bad.bind(), c, owned, "where"); },
                             {"where", "blk.0.ssm_conv1d.weight", "[12, 2, 2]", "[12, 2]"}));
}

}  // namespace
}  // namespace qe
