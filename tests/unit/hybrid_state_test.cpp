// The per-sequence state of the hybrid qwen35 family on its golden model: positions fed in any
// pieces give the same logits, a state resumes only at its checkpoints or its end, and copies,
// rewinds and bad starts behave as SequenceState promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/scheduler.h"
#include "model/hybrid_state.h"
#include "model/loaded_model.h"
#include "model/qwen35_reference.h"
#include "model/runtime.h"
#include "support/expect_error.h"

namespace qe {
namespace {

const std::vector<int> kIds = {1,  17,  42, 99,   0,    5,  63, 17, 8,  77,  23, 42,
                               11, 300, 7,  2000, 3000, 12, 64, 65, 66, 101, 9,  1000};

class HybridStateTest : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        model_ = LoadedModel::open(QE_GOLDEN_DIR "/q35-f16.gguf").release();
    }
    static void TearDownTestSuite() { delete model_; }

    std::unique_ptr<HybridState> fresh() const {
        return std::make_unique<HybridState>(model_->config(), 64, DType::F16);
    }
    // The logits of the last of ids[from, to) evaluated into `s`, keeping a checkpoint at `to`
    // when asked (as the engine does at a prompt's end).
    std::vector<float> eval(HybridState& s, size_t from, size_t to, bool keep = true) const {
        const std::span<const int> ids(kIds.data() + from, to - from);
        return forward_hybrid_reference(model_->config(), model_->weights(), s, ids, int(from),
                                        LogitsFor::Last, keep);
    }

    static LoadedModel* model_;
};

LoadedModel* HybridStateTest::model_ = nullptr;

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_F(HybridStateTest, PiecesAndSingleStepsEqualOneBatch) {
    auto whole = fresh();
    const auto want = eval(*whole, 0, kIds.size());
    auto pieces = fresh();
    eval(*pieces, 0, 5);
    for (size_t i = 5; i < 9; ++i) eval(*pieces, i, i + 1, false);
    const auto got = eval(*pieces, 9, kIds.size());
    EXPECT_TRUE(bit_equal(got, want));
    EXPECT_EQ(pieces->n_evaluated(), int(kIds.size()));
}

TEST_F(HybridStateTest, ReusesOnlyCheckpointsAndItsEnd) {
    auto s = fresh();
    eval(*s, 0, 10);  // a chunk evaluated with `keep` ends at a checkpoint
    eval(*s, 10, 11, false);
    eval(*s, 11, 12, false);  // steps without it (decoding) do not
    eval(*s, 12, 14, false);
    eval(*s, 14, 17);
    EXPECT_EQ(s->reusable_prefix(17), 17);
    EXPECT_EQ(s->reusable_prefix(30), 17);
    EXPECT_EQ(s->reusable_prefix(16), 10);
    EXPECT_EQ(s->reusable_prefix(14), 10);
    EXPECT_EQ(s->reusable_prefix(10), 10);
    EXPECT_EQ(s->reusable_prefix(9), 0);
    EXPECT_TRUE(test::throws_error([&] { s->rewind(12); }, {"position 12", "checkpoint"}));
}

TEST_F(HybridStateTest, RewindToACheckpointResumesExactly) {
    auto s = fresh();
    eval(*s, 0, 10);
    const auto want = eval(*s, 10, 20, false);
    eval(*s, 20, 21, false);
    s->rewind(10);
    EXPECT_EQ(s->n_evaluated(), 10);
    EXPECT_TRUE(bit_equal(eval(*s, 10, 20), want));
    // Back to the start always works, and clears the state.
    s->rewind(0);
    auto other = fresh();
    EXPECT_TRUE(bit_equal(eval(*s, 0, 7), eval(*other, 0, 7)));
}

TEST_F(HybridStateTest, CopyPrefixTakesACheckpoint) {
    auto source = fresh();
    eval(*source, 0, 10);
    const auto want = eval(*source, 10, 20, false);
    auto copy = fresh();
    copy->copy_prefix(*source, 10);
    EXPECT_EQ(copy->n_evaluated(), 10);
    EXPECT_TRUE(bit_equal(eval(*copy, 10, 20), want));
    auto whole = fresh();
    whole->copy_prefix(*source, 20);  // the source's end
    EXPECT_TRUE(bit_equal(eval(*whole, 20, 24), eval(*source, 20, 24)));
    EXPECT_TRUE(test::throws_error([&] { copy->copy_prefix(*source, 15); }, {"15", "checkpoint"}));
}

TEST_F(HybridStateTest, KeepsTheLastCheckpointsOnly) {
    auto s = fresh();
    for (size_t at = 0; at + 2 <= 2 * (HybridState::kMaxCheckpoints + 1); at += 2)
        eval(*s, at, at + 2);
    EXPECT_EQ(s->reusable_prefix(3), 0);  // the checkpoint at 2 is gone
    EXPECT_EQ(s->reusable_prefix(5), 4);
}

TEST_F(HybridStateTest, APassMustStartWhereTheStateEnds) {
    auto s = fresh();
    eval(*s, 0, 4);
    const std::vector<int> ids = {5, 6};
    EXPECT_TRUE(test::throws_error(
        [&] {
            forward_hybrid_reference(model_->config(), model_->weights(), *s, ids, 2,
                                     LogitsFor::Last, false);
        },
        {"holds 4 positions", "not at 2"}));
    HybridReferenceModel m(model_->config(), model_->weights());
    const SequenceChunk chunk{s.get(), ids, 6};
    EXPECT_TRUE(test::throws_error([&] { m.forward({&chunk, 1}); }, {"not at 6"}));
}

TEST_F(HybridStateTest, ItsSizeIsTheKVCacheOfTheAttentionLayersPlusAFixedRecurrentPart) {
    const ModelConfig& c = model_->config();
    EXPECT_EQ(c.n_delta_net_layers(), 3);
    // 3 DeltaNet layers: a conv window of 3 x 1536 and 4 heads of 128 x 128, twice (the values
    // and their snapshot at a verification chunk's start), and the inputs a verification chunk
    // records: 8 positions of the 1536-wide input projection and 4 + 4 gate inputs.
    const size_t state = 3 * (3 * 1536 + 4 * 128 * 128);
    EXPECT_EQ(HybridState::recurrent_bytes(c), (2 * state + 3 * 8 * (1536 + 8)) * 4);
    auto s = fresh();
    KVCache kv(attention_layers_only(c), 64, DType::F16);
    EXPECT_EQ(kv.bytes(), size_t(2 * 1 * 2 * 64 * 256 * 2));  // k and v, 1 layer, 2 heads
    EXPECT_EQ(s->bytes(), kv.bytes() + HybridState::recurrent_bytes(c));
}

// A next turn through the scheduler: its prompt repeats the last one only up to the point the job
// asked to keep (a template that renders the last answer differently in the history), so the
// state resumes there, and the answer equals that of a scheduler that saw nothing before.
TEST_F(HybridStateTest, TheNextTurnResumesAtTheKeptPoint) {
    SchedulerOptions o;
    o.slots = 1;
    o.n_ctx = 64;
    o.n_threads = 1;
    o.prefill_chunk = 5;  // the kept point (11) falls inside a chunk
    auto run = [&](Scheduler& s, std::vector<int> prompt, int keep_at) {
        auto done = std::make_shared<std::promise<JobEvent>>();
        auto tokens = std::make_shared<std::vector<int>>();
        JobRequest job;
        job.prompt = std::move(prompt);
        job.keep_at = keep_at;
        job.options.max_tokens = 6;
        job.options.sampling.temperature = 0;
        job.options.loop_guard.enabled = false;
        job.on_event = [done, tokens](const JobEvent& ev) {
            if (ev.done) {
                JobEvent last = ev;
                last.token = -1;
                done->set_value(last);
            } else {
                tokens->push_back(ev.token);
            }
            return true;
        };
        auto f = done->get_future();
        EXPECT_TRUE(s.submit(std::move(job)));
        const JobEvent last = f.get();
        return std::pair{last.cached_tokens, *tokens};
    };
    Scheduler s(model_->config(), model_->weights(), o);
    const std::vector<int> turn1(kIds.begin(), kIds.begin() + 14);
    EXPECT_EQ(run(s, turn1, 11).first, 0);
    std::vector<int> turn2(kIds.begin(), kIds.begin() + 11);  // diverges after the kept point
    turn2.insert(turn2.end(), {500, 501, 502, 503, 7, 8});
    const auto [cached, answer] = run(s, turn2, 0);
    EXPECT_EQ(cached, 11);
    Scheduler fresh_s(model_->config(), model_->weights(), o);
    EXPECT_EQ(answer, run(fresh_s, turn2, 0).second);
}

// Speculative decoding's verification chunks (SequenceChunk::verify) through the fast path: the
// window of positions the state can be taken back to, where it refuses, and its copies (every
// split of a chunk, bit for bit, is in verify_rollback_test).
const std::vector<int> kPrompt = {1, 17, 42, 99, 0, 5, 63, 17, 8, 77};
const std::vector<int> kDraft = {23, 42, 11, 300, 7, 2000, 3000, 12};
const std::vector<int> kOther = {64, 65, 66, 101};

std::vector<int> concat(std::initializer_list<std::span<const int>> parts) {
    std::vector<int> out;
    for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

class HybridVerifyWindow : public testing::Test {
  protected:
    static void SetUpTestSuite() {
        model_ = LoadedModel::open(QE_GOLDEN_DIR "/q35-f16.gguf").release();
        RuntimeOptions o;
        o.n_threads = 2;
        o.dump_from_env = false;
        runtime_ = new Runtime(model_->config(), model_->weights(), o);
    }
    static void TearDownTestSuite() {
        delete runtime_;
        delete model_;
    }
    std::unique_ptr<HybridState> fresh() const {
        return std::make_unique<HybridState>(model_->config(), 64, DType::F16);
    }
    // A verification chunk in one pass; other positions in passes of at most kMaxVerifyChunk:
    // longer runs take the chunked form of the delta rule, close to the recurrent one but not
    // equal bit for bit.
    std::vector<float> eval(HybridState& s, const std::vector<int>& ids, size_t from, size_t to,
                            bool verify = false, bool keep = false) const {
        const size_t piece = verify ? to - from : size_t(kMaxVerifyChunk);
        std::span<const float> rows;
        for (size_t at = from; at < to;) {
            const size_t end = std::min(to, at + piece);
            SequenceChunk c{
                &s,    std::span(ids).subspan(at, end - at), int(at), false, keep && end == to,
                verify};
            rows = runtime_->model().forward({&c, 1});
            at = end;
        }
        return {rows.begin(), rows.end()};
    }

    static LoadedModel* model_;
    static Runtime* runtime_;
};

LoadedModel* HybridVerifyWindow::model_ = nullptr;
Runtime* HybridVerifyWindow::runtime_ = nullptr;

TEST_F(HybridVerifyWindow, RefusesPositionsOutsideTheLastVerificationChunk) {
    const int p = int(kPrompt.size());
    const auto ids = concat({kPrompt, kDraft, kOther});
    auto s = fresh();
    eval(*s, ids, 0, 4, false, true);  // a checkpoint at 4
    eval(*s, ids, 4, size_t(p));
    eval(*s, ids, size_t(p), size_t(p) + 5, true);
    EXPECT_EQ(s->reusable_prefix(p - 1), 4);
    EXPECT_EQ(s->reusable_prefix(p + 7), p + 5);
    EXPECT_TRUE(test::throws_error([&] { s->rewind(p - 1); },
                                   {"position 9",
                                    "outside the last verification chunk, positions "
                                    "10..15"}));
    EXPECT_TRUE(test::throws_error([&] { s->rewind(p + 6); }, {"position 16"}));
    s->rewind(p + 2);
    EXPECT_EQ(s->n_evaluated(), p + 2);
    // Until the next pass the whole chunk stays within reach, its end too.
    EXPECT_EQ(s->reusable_prefix(p + 4), p + 4);
    s->rewind(p + 5);
    EXPECT_EQ(s->n_evaluated(), p + 5);
    s->rewind(p + 1);
    // The next pass ends the window: what it took back is gone.
    eval(*s, ids, size_t(p) + 1, size_t(p) + 2);
    EXPECT_EQ(s->reusable_prefix(p + 1), 4);
    EXPECT_TRUE(test::throws_error([&] { s->rewind(p + 1); }, {"position 11", "no checkpoint"}));
    // A checkpoint before the chunk and the start still work.
    s->rewind(4);
    EXPECT_EQ(s->n_evaluated(), 4);
    s->rewind(0);
    EXPECT_EQ(s->n_evaluated(), 0);
}

TEST_F(HybridVerifyWindow, RewindsToACheckpointOrTheStartFromInsideTheWindow) {
    const int p = int(kPrompt.size());
    const auto ids = concat({kPrompt, kDraft});
    auto want_state = fresh();
    const auto want = eval(*want_state, ids, 0, ids.size());
    auto s = fresh();
    eval(*s, ids, 0, size_t(p), false, true);
    eval(*s, ids, size_t(p), ids.size(), true);
    s->rewind(p + 3);
    s->rewind(p);  // the checkpoint at the chunk's start, which the window holds too
    EXPECT_TRUE(bit_equal(eval(*s, ids, size_t(p), ids.size()), want));
    s->rewind(p);  // the checkpoint again, now the window is gone
    eval(*s, ids, size_t(p), size_t(p) + 4, true);
    s->rewind(0);
    EXPECT_TRUE(bit_equal(eval(*s, ids, 0, ids.size()), want));
}

TEST_F(HybridVerifyWindow, RefusesLongOrKeptVerificationChunks) {
    const auto ids = concat({kPrompt, kDraft, kOther});
    auto s = fresh();
    EXPECT_TRUE(test::throws_error([&] { eval(*s, ids, 0, kMaxVerifyChunk + 1, true); },
                                   {"sequence 0", "at most 8 positions, not 9"}));
    EXPECT_TRUE(test::throws_error([&] { eval(*s, ids, 0, 4, true, true); },
                                   {"verification chunk cannot keep"}));
    EXPECT_EQ(s->n_evaluated(), 0);
}

TEST_F(HybridVerifyWindow, CopiesAPositionOfTheWindow) {
    const int p = int(kPrompt.size());
    const auto ids = concat({kPrompt, kDraft});
    auto source = fresh();
    eval(*source, ids, 0, size_t(p), false, true);
    eval(*source, ids, size_t(p), ids.size(), true);
    for (int n : {p + 3, p + 8, p}) {
        SCOPED_TRACE(n);
        const auto want_ids = concat({std::span(ids).first(size_t(n)), kOther});
        auto alone = fresh();
        const auto want = eval(*alone, want_ids, 0, want_ids.size());
        auto copy = fresh();
        copy->copy_prefix(*source, n);
        EXPECT_EQ(copy->n_evaluated(), n);
        // A copy of a copy that has not replayed yet replays the same.
        auto second = fresh();
        second->copy_prefix(*copy, n);
        EXPECT_TRUE(bit_equal(eval(*copy, want_ids, size_t(n), want_ids.size()), want));
        EXPECT_TRUE(bit_equal(eval(*second, want_ids, size_t(n), want_ids.size()), want));
    }
    // The source, rewound, copies the same way and still continues itself.
    source->rewind(p + 2);
    auto copy = fresh();
    copy->copy_prefix(*source, p + 5);
    const auto want_ids = concat({std::span(ids).first(size_t(p) + 5), kOther});
    auto alone = fresh();
    EXPECT_TRUE(bit_equal(eval(*copy, want_ids, size_t(p) + 5, want_ids.size()),
                          eval(*alone, want_ids, 0, want_ids.size())));
}

}  // namespace
}  // namespace qe
