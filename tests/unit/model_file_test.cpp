#include "model/model_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "model/config_loaders.h"
#include "model/file_type.h"
#include "model/hf_names.h"
#include "model/model_info.h"
#include "support/expect_error.h"
#include "support/tiny_model_files.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using test::throws_error;
using test::TinyShape;
namespace gv = gguf_value;

fs::path tmp(const std::string& name) {
    return fs::path(QE_TEST_TMP_DIR) / ("model_file_" + name);
}

// --- HF names ----------------------------------------------------------------------------------

TEST(HfNames, MapEveryQwen2TensorBothWays) {
    const TinyShape s{.layers = 12, .tied = false};
    for (const auto& [name, shape] : test::qwen2_tensors(s)) {
        const auto hf = hf_name_from_gguf(name);
        ASSERT_TRUE(hf) << name;
        EXPECT_EQ(gguf_name_from_hf(*hf), name);
    }
    EXPECT_EQ(gguf_name_from_hf("model.layers.11.self_attn.q_proj.bias"), "blk.11.attn_q.bias");
    EXPECT_EQ(gguf_name_from_hf("model.layers.3.mlp.down_proj.weight"), "blk.3.ffn_down.weight");
    EXPECT_EQ(gguf_name_from_hf("model.layers.0.post_attention_layernorm.weight"),
              "blk.0.ffn_norm.weight");
    EXPECT_EQ(gguf_name_from_hf("lm_head.weight"), "output.weight");
    EXPECT_EQ(hf_name_from_gguf("token_embd.weight"), "model.embed_tokens.weight");
}

TEST(HfNames, LeaveUnknownNamesAlone) {
    EXPECT_EQ(gguf_name_from_hf("model.layers.01.mlp.up_proj.weight"), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("model.layers.x.mlp.up_proj.weight"), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("model.layers.0.self_attn.rotary_emb.inv_freq"), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("model.layers..mlp.up_proj.weight"), std::nullopt);
    EXPECT_EQ(gguf_name_from_hf("model.layers.99999999999.mlp.up_proj.weight"), std::nullopt);
    EXPECT_EQ(hf_name_from_gguf("blk.0.unknown.weight"), std::nullopt);
}

// --- ModelConfig::validate ---------------------------------------------------------------------

ModelConfig good_config() {
    ModelConfig c;
    c.architecture = "qwen2";
    c.n_layers = 24;
    c.dim = 896;
    c.n_heads = 14;
    c.n_kv_heads = 2;
    c.head_dim = 64;
    c.ffn_dim = 4864;
    c.vocab_size = 151936;
    c.context_length = 32768;
    c.rope_theta = 1e6f;
    c.rms_eps = 1e-6f;
    c.eos_id = 151645;
    return c;
}

TEST(ModelConfig, AcceptsQwen25Shape) {
    EXPECT_NO_THROW(good_config().validate());
}

TEST(ModelConfig, ListsEveryInconsistentField) {
    ModelConfig c = good_config();
    c.n_kv_heads = 3;
    c.rms_eps = 0;
    c.eos_id = 151936;
    EXPECT_TRUE(
        throws_error([&] { c.validate(); }, {"n_heads (14) is not a multiple of n_kv_heads (3)",
                                             "rms_eps", "eos_id = 151936 is not a token"}));
}

TEST(ModelConfig, RejectsEachBadField) {
    auto bad = [](auto mutate, const char* expected) {
        ModelConfig c = good_config();
        mutate(c);
        return throws_error([&] { c.validate(); }, {"invalid model config", expected});
    };
    EXPECT_TRUE(bad([](ModelConfig& c) { c.architecture.clear(); }, "architecture"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.n_layers = 0; }, "n_layers = 0"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.dim = -5; }, "dim = -5"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.n_heads = 100000; }, "n_heads"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.head_dim = 63; }, "odd"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.ffn_dim = 0; }, "ffn_dim"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.vocab_size = 0; }, "vocab_size"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.context_length = 1 << 30; }, "context_length"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.rope_theta = std::nanf(""); }, "rope_theta"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.rms_eps = 2; }, "rms_eps"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.bos_id = -7; }, "bos_id"));
    EXPECT_TRUE(bad([](ModelConfig& c) { c.pad_id = 1 << 20; }, "pad_id"));
}

// --- GGUF models -------------------------------------------------------------------------------

fs::path write_gguf(const std::string& name, const GgufWriter& w) {
    const auto path = tmp(name + ".gguf");
    w.write_file(path.string());
    return path;
}

TEST(ModelFileGguf, OpensATinyModel) {
    const TinyShape s;
    const auto path = write_gguf("tiny", test::tiny_gguf(s));
    const ModelFile m = ModelFile::open(path.string());
    EXPECT_EQ(m.format(), ModelFormat::Gguf);
    ASSERT_NE(m.gguf(), nullptr);
    EXPECT_TRUE(m.hf_folder().empty());
    const ModelConfig& c = m.config();
    EXPECT_EQ(c.architecture, "qwen2");
    EXPECT_EQ(c.name, "tiny");
    EXPECT_EQ(c.n_layers, 2);
    EXPECT_EQ(c.dim, 64);
    EXPECT_EQ(c.n_heads, 4);
    EXPECT_EQ(c.n_kv_heads, 2);
    EXPECT_EQ(c.head_dim, 16);
    EXPECT_EQ(c.ffn_dim, 96);
    EXPECT_EQ(c.vocab_size, 80);
    EXPECT_EQ(c.context_length, 256);
    EXPECT_FLOAT_EQ(c.rope_theta, 1e6f);
    EXPECT_FLOAT_EQ(c.rms_eps, 1e-6f);
    EXPECT_TRUE(c.tied_embeddings);
    EXPECT_EQ(c.eos_id, 79);
    EXPECT_EQ(c.bos_id, 78);
    EXPECT_EQ(c.pad_id, 78);
    EXPECT_FALSE(c.add_bos);
    EXPECT_TRUE(c.has_chat_template);
    EXPECT_EQ(m.tensors().size(), test::qwen2_tensors(s).size());
    EXPECT_EQ(m.find("output.weight"), nullptr);
}

TEST(ModelFileGguf, ValidatingAccessorSaysExpectedVsActual) {
    const auto path = write_gguf("accessor", test::tiny_gguf(TinyShape{}));
    const ModelFile m = ModelFile::open(path.string());
    const TensorView& k = m.get("blk.1.attn_k.weight", {DType::BF16, DType::F32}, {32, 64});
    EXPECT_EQ(k.shape, (std::vector<int64_t>{32, 64}));
    EXPECT_NE(k.data, nullptr);
    EXPECT_NO_THROW(m.get("blk.1.attn_k.weight", {}, {32, 64}));  // any type
    EXPECT_TRUE(throws_error(
        [&] {
            m.get("blk.1.attn_k.weight", {DType::BF16}, {64, 64});
        },
        {path.string(), "tensor 'blk.1.attn_k.weight' has shape [32, 64]", "expected [64, 64]"}));
    EXPECT_TRUE(throws_error(
        [&] {
            m.get("blk.1.attn_k.weight", {DType::Q8_0, DType::F16}, {32, 64});
        },
        {"has type bf16, expected one of q8_0, f16"}));
    EXPECT_TRUE(throws_error(
        [&] {
            m.get("blk.2.attn_k.weight", {}, {32, 64});
        },
        {"tensor 'blk.2.attn_k.weight' is missing"}));
}

TEST(ModelFileGguf, SeparateOutputHeadMeansUntied) {
    const auto path = write_gguf("untied", test::tiny_gguf(TinyShape{.tied = false}));
    const ModelFile m = ModelFile::open(path.string());
    EXPECT_FALSE(m.config().tied_embeddings);
    EXPECT_NE(m.find("output.weight"), nullptr);
}

TEST(ModelFileGguf, MissingOrMistypedKeysAreNamed) {
    {
        auto w = test::tiny_gguf(TinyShape{});
        w.set("qwen2.block_count", gv::str("two"));
        const auto path = write_gguf("mistyped", w);
        EXPECT_TRUE(
            throws_error([&] { ModelFile::open(path.string()); },
                         {path.string(), "'qwen2.block_count' is a string, not an integer"}));
    }
    {
        GgufWriter w;
        w.set("general.architecture", gv::str("qwen2"));
        const auto path = write_gguf("missing", w);
        EXPECT_TRUE(throws_error([&] { ModelFile::open(path.string()); },
                                 {"metadata key 'qwen2.block_count' is missing"}));
    }
    {
        GgufWriter w;
        const auto path = write_gguf("noarch", w);
        EXPECT_TRUE(throws_error([&] { ModelFile::open(path.string()); },
                                 {"'general.architecture' is missing"}));
    }
    {
        auto w = test::tiny_gguf(TinyShape{});
        w.set("qwen2.attention.head_count_kv", gv::u32(3));
        const auto path = write_gguf("badkv", w);
        EXPECT_TRUE(throws_error([&] { ModelFile::open(path.string()); },
                                 {path.string(), "invalid model config", "n_kv_heads (3)"}));
    }
    {
        auto w = test::tiny_gguf(TinyShape{});
        w.set("qwen2.vocab_size", gv::u32(81));
        const auto path = write_gguf("vocab", w);
        EXPECT_TRUE(throws_error([&] { ModelFile::open(path.string()); },
                                 {"qwen2.vocab_size = 81 but token_embd.weight has 80 rows"}));
    }
}

TEST(ModelFile, RejectsPathsThatAreNotModels) {
    EXPECT_TRUE(throws_error([] { ModelFile::open(tmp("does-not-exist").string()); },
                             {"no such file or folder"}));
    const auto dir = tmp("empty-folder");
    fs::create_directories(dir);
    EXPECT_TRUE(throws_error([&] { ModelFile::open(dir.string()); }, {"has no config.json"}));
    const auto text = tmp("text.gguf");
    std::ofstream(text) << "hello, not a model";
    EXPECT_TRUE(throws_error([&] { ModelFile::open(text.string()); }, {"bad magic"}));
}

// --- Hugging Face folders ----------------------------------------------------------------------

TEST(ModelFileHf, OpensAFolderWithTheSameTensorsAsGguf) {
    const TinyShape s;
    const auto dir = tmp("hf");
    test::write_tiny_hf(dir, s, false);
    const ModelFile hf = ModelFile::open(dir.string());
    const ModelFile gguf = ModelFile::open(write_gguf("hf-twin", test::tiny_gguf(s)).string());
    EXPECT_EQ(hf.format(), ModelFormat::HfFolder);
    EXPECT_EQ(hf.gguf(), nullptr);
    EXPECT_EQ(hf.hf_folder(), dir);
    EXPECT_EQ(hf.config().name, "model_file_hf");

    const ModelConfig& a = hf.config();
    const ModelConfig& b = gguf.config();
    EXPECT_EQ(a.architecture, b.architecture);
    EXPECT_EQ(a.n_layers, b.n_layers);
    EXPECT_EQ(a.dim, b.dim);
    EXPECT_EQ(a.n_heads, b.n_heads);
    EXPECT_EQ(a.n_kv_heads, b.n_kv_heads);
    EXPECT_EQ(a.head_dim, b.head_dim);
    EXPECT_EQ(a.ffn_dim, b.ffn_dim);
    EXPECT_EQ(a.vocab_size, b.vocab_size);
    EXPECT_EQ(a.context_length, b.context_length);
    EXPECT_EQ(a.rope_theta, b.rope_theta);
    EXPECT_EQ(a.rms_eps, b.rms_eps);
    EXPECT_EQ(a.tied_embeddings, b.tied_embeddings);
    EXPECT_EQ(a.bos_id, b.bos_id);
    EXPECT_EQ(a.eos_id, b.eos_id);
    EXPECT_EQ(a.pad_id, b.pad_id);  // from generation_config.json
    EXPECT_EQ(a.add_bos, b.add_bos);
    EXPECT_EQ(a.has_chat_template, b.has_chat_template);

    ASSERT_EQ(hf.tensors().size(), gguf.tensors().size());
    for (const auto& t : gguf.tensors()) {
        const TensorView* u = hf.find(t.name);
        ASSERT_NE(u, nullptr) << t.name;
        EXPECT_EQ(u->shape, t.shape) << t.name;
        EXPECT_EQ(u->dtype, t.dtype);
        ASSERT_EQ(u->nbytes, t.nbytes);
        EXPECT_EQ(std::memcmp(u->data, t.data, t.nbytes), 0) << t.name;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(u->data) % 2, 0u);
    }
    EXPECT_EQ(hf.parameter_count(), gguf.parameter_count());
    EXPECT_EQ(hf.weight_bytes(), gguf.weight_bytes());
}

TEST(ModelFileHf, OpensShardedFolders) {
    const TinyShape s{.tied = false};
    const auto dir = tmp("hf-sharded");
    test::write_tiny_hf(dir, s, true);
    const ModelFile m = ModelFile::open(dir.string());
    EXPECT_EQ(m.tensors().size(), test::qwen2_tensors(s).size());
    EXPECT_NE(m.find("output.weight"), nullptr);
    EXPECT_NE(m.find("blk.1.ffn_down.weight"), nullptr);
}

TEST(ModelFileHf, TiedModelsIgnoreAStoredLmHead) {
    TinyShape s{.tied = false};
    const auto dir = tmp("hf-tied-with-head");
    test::write_tiny_hf(dir, s, false);
    auto config = test::tiny_hf_config(s);
    config["tie_word_embeddings"] = true;
    test::write_json(dir / "config.json", config);
    const ModelFile m = ModelFile::open(dir.string());
    EXPECT_TRUE(m.config().tied_embeddings);
    EXPECT_EQ(m.find("output.weight"), nullptr);
}

TEST(ModelFileHf, RejectsInconsistentFolders) {
    const TinyShape s;
    const auto dir = tmp("hf-bad");
    auto expect_open_error = [&](std::initializer_list<std::string_view> parts) {
        return throws_error([&] { ModelFile::open(dir.string()); }, parts);
    };

    test::write_tiny_hf(dir, s, false);
    auto config = test::tiny_hf_config(s);
    config["vocab_size"] = 81;
    test::write_json(dir / "config.json", config);
    EXPECT_TRUE(expect_open_error({"config.json", "vocab_size is 81", "has 80 rows"}));

    config = test::tiny_hf_config(s);
    config["tie_word_embeddings"] = false;
    test::write_json(dir / "config.json", config);
    EXPECT_TRUE(expect_open_error({"lm_head.weight is missing"}));

    config = test::tiny_hf_config(s);
    config.erase("num_hidden_layers");
    test::write_json(dir / "config.json", config);
    EXPECT_TRUE(expect_open_error({"config.json", "\"num_hidden_layers\" is missing"}));

    config = test::tiny_hf_config(s);
    config["hidden_size"] = "64";
    test::write_json(dir / "config.json", config);
    EXPECT_TRUE(expect_open_error({"\"hidden_size\" must be an integer"}));

    std::ofstream(dir / "config.json") << "{\"model_type\": \"qwen2\",";
    EXPECT_TRUE(expect_open_error({"config.json", "invalid JSON"}));

    test::write_tiny_hf(dir, s, false);
    fs::remove(dir / "model.safetensors");
    EXPECT_TRUE(expect_open_error({"has neither model.safetensors"}));
}

TEST(ModelFileHf, RejectsShardsThatDisagreeWithTheIndex) {
    const TinyShape s;
    const auto dir = tmp("hf-bad-index");
    test::write_tiny_hf(dir, s, true);
    auto index = nlohmann::json::parse(std::ifstream(dir / "model.safetensors.index.json"));
    auto& shard = index["weight_map"]["model.norm.weight"];
    shard = shard == "model-00001-of-00002.safetensors" ? "model-00002-of-00002.safetensors"
                                                        : "model-00001-of-00002.safetensors";
    test::write_json(dir / "model.safetensors.index.json", index);
    EXPECT_TRUE(throws_error([&] { ModelFile::open(dir.string()); },
                             {"holds tensor 'model.norm.weight'", "places in"}));

    test::write_tiny_hf(dir, s, true);
    index = nlohmann::json::parse(std::ifstream(dir / "model.safetensors.index.json"));
    index["weight_map"]["model.extra.weight"] = "model-00001-of-00002.safetensors";
    test::write_json(dir / "model.safetensors.index.json", index);
    EXPECT_TRUE(throws_error([&] { ModelFile::open(dir.string()); },
                             {"tensor 'model.extra.weight' is listed", "does not hold it"}));

    test::write_tiny_hf(dir, s, true);
    fs::remove(dir / "model-00002-of-00002.safetensors");
    EXPECT_TRUE(throws_error([&] { ModelFile::open(dir.string()); },
                             {"model-00002-of-00002.safetensors", "cannot open"}));
}

TEST(ModelFileHf, CopiesMisalignedTensorsSoDataIsAligned) {
    // A hand-made header of odd length puts BF16 data at an odd address in the mapping.
    const TinyShape s;
    const auto dir = tmp("hf-odd");
    test::write_tiny_hf(dir, s, false);
    const ModelFile aligned = ModelFile::open(dir.string());
    MappedFile original((dir / "model.safetensors").string());
    const auto bytes = original.bytes();
    uint64_t header_len = 0;
    std::memcpy(&header_len, bytes.data(), 8);
    std::string header(reinterpret_cast<const char*>(bytes.data()) + 8, header_len);
    while (!header.empty() && header.back() == ' ') header.pop_back();
    header += "   ";  // 8 + length is now odd
    if ((8 + header.size()) % 2 == 0) header += ' ';
    std::vector<uint8_t> out(8);
    const uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), bytes.begin() + long(8 + header_len), bytes.end());
    const auto odd_dir = tmp("hf-odd2");
    fs::remove_all(odd_dir);
    fs::copy(dir, odd_dir);
    std::ofstream(odd_dir / "model.safetensors", std::ios::binary)
        .write(reinterpret_cast<const char*>(out.data()), long(out.size()));
    const ModelFile m = ModelFile::open(odd_dir.string());
    for (const auto& t : m.tensors()) {
        EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 2, 0u) << t.name;
        EXPECT_EQ(std::memcmp(t.data, aligned.find(t.name)->data, t.nbytes), 0) << t.name;
    }
}

// --- golden files ------------------------------------------------------------------------------

// The golden README's two family tables (qwen2; qwen3 and qwen35). The context lengths are the
// real models' (Qwen2.5 32768, Qwen3-0.6B 40960, Qwen3.5 262144), as the files state them.
struct Family {
    const char* prefix;
    const char* architecture;
    int layers, dim, heads, kv_heads, head_dim, ffn, context_length;
    float rope_theta;
    int files;
};

// Qwen3.5 (qwen35): layer l is full attention when (l + 1) % 4 == 0, else Gated DeltaNet.
bool full_attention(const Family& f, int layer) {
    return std::string_view(f.architecture) != "qwen35" || (layer + 1) % 4 == 0;
}

// Norms, biases, and (qwen35) ssm_a, ssm_dt.bias and ssm_conv1d stay f32 in every file type.
int f32_tensors(const Family& f) {
    const std::string_view arch = f.architecture;
    int n = 1;  // output_norm
    for (int l = 0; l < f.layers; ++l) {
        if (arch == "qwen2") n += 5;                              // 2 norms, 3 biases
        if (arch == "qwen3") n += 4;                              // 2 norms, q/k norm
        if (arch == "qwen35") n += full_attention(f, l) ? 4 : 6;  // 2 norms + q/k norm | ssm_*
    }
    return n;
}

int tensor_count(const Family& f) {
    const std::string_view arch = f.architecture;
    int n = 2;  // token_embd, output_norm
    for (int l = 0; l < f.layers; ++l) {
        if (arch == "qwen2") n += 12;
        if (arch == "qwen3") n += 11;
        if (arch == "qwen35") n += full_attention(f, l) ? 11 : 14;
    }
    return n;
}

TEST(ModelFileGolden, EveryFileMatchesTheReadmeTable) {
    const Family families[] = {{"g448-", "qwen2", 2, 448, 14, 2, 32, 512, 32768, 1e6f, 13},
                               {"g896-", "qwen2", 1, 896, 14, 2, 64, 256, 32768, 1e6f, 4},
                               {"g512-", "qwen2", 1, 512, 8, 2, 64, 512, 32768, 1e6f, 5},
                               {"q3-", "qwen3", 2, 512, 8, 4, 128, 1024, 40960, 1e6f, 4},
                               {"q35-", "qwen35", 4, 512, 4, 2, 256, 1024, 262144, 1e7f, 3}};
    std::map<std::string, int> files;
    for (const auto& entry : fs::directory_iterator(QE_GOLDEN_DIR)) {
        const auto file = entry.path().filename().string();
        if (entry.path().extension() != ".gguf") continue;
        SCOPED_TRACE(file);
        const Family* fam = nullptr;
        for (const auto& f : families)
            if (file.starts_with(f.prefix)) fam = &f;
        ASSERT_NE(fam, nullptr);
        ++files[fam->prefix];
        const ModelFile m = ModelFile::open(entry.path().string());
        const ModelConfig& c = m.config();
        EXPECT_EQ(c.architecture, fam->architecture);
        EXPECT_EQ(c.n_layers, fam->layers);
        EXPECT_EQ(c.dim, fam->dim);
        EXPECT_EQ(c.n_heads, fam->heads);
        EXPECT_EQ(c.n_kv_heads, fam->kv_heads);
        EXPECT_EQ(c.head_dim, fam->head_dim);
        EXPECT_EQ(c.ffn_dim, fam->ffn);
        EXPECT_EQ(c.vocab_size, 3872);
        EXPECT_EQ(c.context_length, fam->context_length);
        EXPECT_FLOAT_EQ(c.rope_theta, fam->rope_theta);
        EXPECT_FLOAT_EQ(c.rms_eps, 1e-6f);
        EXPECT_TRUE(c.tied_embeddings);
        EXPECT_EQ(c.bos_id, 3840);
        EXPECT_EQ(c.eos_id, 3842);
        EXPECT_EQ(c.pad_id, 3840);
        EXPECT_FALSE(c.add_bos);
        EXPECT_TRUE(c.has_chat_template);

        // The file type in the name is the one general.file_type states.
        const size_t prefix = std::string_view(fam->prefix).size();
        const std::string type = file.substr(prefix, file.size() - prefix - 5);
        const ModelInfo info = describe(m);
        ASSERT_TRUE(info.file_type_id);
        EXPECT_EQ(info.file_type_id, file_type_from_name(type));
        EXPECT_EQ(info.eos.text, "<|im_end|>");
        EXPECT_EQ(info.bos.text, "<|endoftext|>");
        if (type != "f32") {
            EXPECT_EQ(info.tensor_types.at("f32"), f32_tensors(*fam));
        }
        EXPECT_EQ(m.tensors().size(), size_t(tensor_count(*fam)));

        // Every matrix has the shape the config implies (outermost first; the README writes
        // llama.cpp's innermost-first order).
        const int64_t dim = fam->dim, ffn = fam->ffn, head_dim = fam->head_dim;
        const int64_t q = int64_t(fam->heads) * head_dim, kv = int64_t(fam->kv_heads) * head_dim;
        const std::string_view arch = fam->architecture;
        EXPECT_NO_THROW(m.get("token_embd.weight", {}, {3872, dim}));
        EXPECT_NO_THROW(m.get("output_norm.weight", {DType::F32}, {dim}));
        for (int l = 0; l < fam->layers; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            EXPECT_NO_THROW(m.get(b + "attn_norm.weight", {DType::F32}, {dim}));
            EXPECT_NO_THROW(m.get(b + "ffn_down.weight", {}, {dim, ffn}));
            EXPECT_NO_THROW(m.get(b + "ffn_gate.weight", {}, {ffn, dim}));
            if (arch == "qwen2") {
                EXPECT_NO_THROW(m.get(b + "attn_q.weight", {}, {dim, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_k.weight", {}, {kv, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_v.bias", {DType::F32}, {kv}));
            } else if (full_attention(*fam, l)) {
                // qwen35's attn_q holds a query and an output gate per head.
                const int64_t q_rows = arch == "qwen35" ? 2 * q : q;
                EXPECT_NO_THROW(m.get(b + "attn_q.weight", {}, {q_rows, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_k.weight", {}, {kv, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_v.weight", {}, {kv, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_q_norm.weight", {DType::F32}, {head_dim}));
                EXPECT_NO_THROW(m.get(b + "attn_k_norm.weight", {DType::F32}, {head_dim}));
                EXPECT_NO_THROW(m.get(b + "attn_output.weight", {}, {dim, q}));
                EXPECT_EQ(m.find(b + "attn_v.bias"), nullptr);
            } else {
                // A Gated DeltaNet layer: 4 key and 4 value heads of 128, conv kernel 4.
                EXPECT_NO_THROW(m.get(b + "attn_qkv.weight", {}, {3 * 512, dim}));
                EXPECT_NO_THROW(m.get(b + "attn_gate.weight", {}, {512, dim}));
                EXPECT_NO_THROW(m.get(b + "ssm_conv1d.weight", {DType::F32}, {3 * 512, 4}));
                EXPECT_NO_THROW(m.get(b + "ssm_dt.bias", {DType::F32}, {4}));
                EXPECT_NO_THROW(m.get(b + "ssm_a", {DType::F32}, {4}));
                EXPECT_NO_THROW(m.get(b + "ssm_alpha.weight", {}, {4, dim}));
                EXPECT_NO_THROW(m.get(b + "ssm_beta.weight", {}, {4, dim}));
                EXPECT_NO_THROW(m.get(b + "ssm_norm.weight", {DType::F32}, {128}));
                EXPECT_NO_THROW(m.get(b + "ssm_out.weight", {}, {dim, 512}));
            }
            if (arch == "qwen35") {
                EXPECT_NO_THROW(m.get(b + "post_attention_norm.weight", {DType::F32}, {dim}));
            } else {
                EXPECT_NO_THROW(m.get(b + "ffn_norm.weight", {DType::F32}, {dim}));
            }
        }
    }
    for (const auto& f : families) EXPECT_EQ(files[f.prefix], f.files) << f.prefix;
}

TEST(ModelFileGolden, DominantTypeFollowsTheFileType) {
    const auto m = ModelFile::open(std::string(QE_GOLDEN_DIR) + "/g448-q4_k_m.gguf");
    const ModelInfo info = describe(m);
    EXPECT_EQ(info.file_type, "Q4_K_M");
    // 896-wide rows are not whole K blocks, so most of the "Q4_K_M" file is Q5_0.
    EXPECT_EQ(info.dominant_type, "q5_0");
    EXPECT_EQ(info.tensor_types.at("q4_k"), 1);
    EXPECT_EQ(info.tensor_types.at("q6_k"), 1);
    EXPECT_EQ(info.tensor_types.at("q8_0"), 2);
    EXPECT_EQ(info.parameters, m.parameter_count());
    EXPECT_GT(info.file_bytes, info.weight_bytes);
}

}  // namespace
}  // namespace qe
