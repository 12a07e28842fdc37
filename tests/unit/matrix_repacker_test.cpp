// Matrices repacked in the background: once installed they are the eagerly repacked ones (same
// bytes, same logits), and forward passes that run while they are swapped in, even between two
// layers of one pass, stay correct.
#include "model/matrix_repacker.h"

#include <gtest/gtest.h>

#include <cstring>
#include <span>
#include <vector>

#include "engine/scheduler.h"
#include "engine/session.h"
#include "model/transformer.h"
#include "support/logits_compare.h"
#include "support/forward_one.h"
#include "support/memory_model.h"

namespace qe {
namespace {

const std::vector<int> kIds = {1, 17, 42, 99, 0, 5, 63, 17, 8, 77, 23, 42, 11};
constexpr int64_t kSliceRows = 64;  // the output head (100 rows) in two slices

std::vector<float> to_vector(std::span<const float> s) {
    return {s.begin(), s.end()};
}

// A table that repacks (the x86 ones); nullptr where none does on this CPU.
const KernelTable* packing_table() {
    if (kernels().pack) return &kernels();
    for (Isa isa : {Isa::Avx512, Isa::Avx2, Isa::Neon, Isa::Generic})
        if (const KernelTable* t = kernel_table(isa); t && t->pack) return t;
    return nullptr;
}

size_t count_layout(Matrices& m, int layout) {
    size_t n = 0;
    for (Matrix* x : all_matrices(m)) n += x->layout == layout;
    return n;
}

class Repacker : public testing::TestWithParam<DType> {
  protected:
    void SetUp() override {
        table_ = packing_table();
        if (!table_) GTEST_SKIP() << "no kernel table on this CPU repacks matrices";
        model_ = test::make_memory_model(31, GetParam());
    }
    Matrices eager() {
        return prepare_matrices(model_->weights, *table_, pool_, false, kSliceRows);
    }
    Matrices rows() { return prepare_row_matrices(model_->weights, *table_, kSliceRows); }

    const KernelTable* table_ = nullptr;
    std::unique_ptr<test::MemoryModel> model_;
    ThreadPool pool_{2};
};

TEST_P(Repacker, InstalledMatricesAreTheEagerOnes) {
    Matrices want = eager(), got = rows();
    const size_t n = all_matrices(got).size();
    ASSERT_EQ(count_layout(want, kLayoutX8), n);  // every matrix of these types gets repacked
    ASSERT_EQ(count_layout(got, kLayoutRows), n);
    MatrixRepacker repacker(got, false);
    EXPECT_EQ(repacker.install_finished(), 0);  // not started: nothing changes
    EXPECT_FALSE(repacker.complete());
    repacker.wait_packed();
    EXPECT_EQ(count_layout(got, kLayoutRows), n);  // repacked, but not yet in place
    EXPECT_EQ(repacker.install_finished(), int(n));
    EXPECT_TRUE(repacker.complete());
    EXPECT_EQ(repacker.install_finished(), 0);

    const auto a = all_matrices(want), b = all_matrices(got);
    for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(b[i]->layout, a[i]->layout) << "matrix " << i;
        ASSERT_EQ(b[i]->data, a[i]->data);
        const size_t bytes = size_t((a[i]->rows + 7) / 8 * 8) * a[i]->row_bytes;
        EXPECT_EQ(std::memcmp(b[i]->packed.get(), a[i]->packed.get(), bytes), 0) << "matrix " << i;
    }
    Transformer fa(model_->config, model_->weights, want, pool_),
        fb(model_->config, model_->weights, got, pool_);
    KVCache ka(model_->config, 64), kb(model_->config, 64);
    EXPECT_EQ(to_vector(test::forward(fb, kb, kIds, 0, LogitsFor::All)),
              to_vector(test::forward(fa, ka, kIds, 0, LogitsFor::All)));
}

TEST_P(Repacker, SwitchBetweenLayersOfOnePass) {
    // Layer 0 runs on the row layout, the rest of the same pass on the repacked matrices.
    Matrices want = eager(), got = rows();
    MatrixRepacker repacker(got, false);
    repacker.wait_packed();
    Transformer fa(model_->config, model_->weights, want, pool_),
        fb(model_->config, model_->weights, got, pool_);
    Transformer rows_only(model_->config, model_->weights, got, pool_);
    KVCache ka(model_->config, 64), kb(model_->config, 64), kr(model_->config, 64);
    const auto row_logits = to_vector(test::forward(rows_only, kr, kIds, 0, LogitsFor::All));
    int calls = 0;
    fb.set_safe_point([&] {
        if (++calls == 2) repacker.install_finished();  // before layer 1
    });
    const auto mixed = to_vector(test::forward(fb, kb, kIds, 0, LogitsFor::All));
    EXPECT_TRUE(repacker.complete());
    EXPECT_EQ(calls, model_->config.n_layers + 1);  // each layer and the output head
    const auto packed = to_vector(test::forward(fa, ka, kIds, 0, LogitsFor::All));
    // The layouts add up in different orders: equal up to rounding, not bit for bit.
    EXPECT_LT(test::max_abs_diff(mixed, packed), test::rounding_tolerance(packed));
    EXPECT_LT(test::max_abs_diff(row_logits, packed), test::rounding_tolerance(packed));
    // The same pass without a switch, now that every matrix is in place: the eager logits.
    KVCache kb2(model_->config, 64);
    EXPECT_EQ(to_vector(test::forward(fb, kb2, kIds, 0, LogitsFor::All)), packed);
}

TEST_P(Repacker, DecodingWhileTheRepackingRuns) {
    // Token by token with the packer thread working beside the forward pass and installing at
    // every safe point; whatever the timing, each step's logits match the eager model's.
    Matrices want = eager(), got = rows();
    Transformer fa(model_->config, model_->weights, want, pool_),
        fb(model_->config, model_->weights, got, pool_);
    MatrixRepacker repacker(got, false);
    fb.set_safe_point([&] { repacker.install_finished(); });
    repacker.start();
    KVCache ka(model_->config, 64), kb(model_->config, 64);
    for (size_t t = 0; t < kIds.size(); ++t) {
        const std::span<const int> id(&kIds[t], 1);
        const auto a = to_vector(test::forward(fa, ka, id, int(t), LogitsFor::Last));
        const auto b = to_vector(test::forward(fb, kb, id, int(t), LogitsFor::Last));
        EXPECT_LT(test::max_abs_diff(a, b), test::rounding_tolerance(a)) << "position " << t;
    }
    repacker.wait_packed();
    repacker.install_finished();
    EXPECT_TRUE(repacker.complete());
    EXPECT_EQ(count_layout(got, kLayoutX8), all_matrices(got).size());
}

TEST_P(Repacker, StopsWhenDestroyedEarly) {
    Matrices got = rows();
    for (int i = 0; i < 3; ++i) {
        MatrixRepacker repacker(got, false);
        repacker.start();
    }  // joined without installing: the matrices are untouched
    EXPECT_EQ(count_layout(got, kLayoutRows), all_matrices(got).size());
}

INSTANTIATE_TEST_SUITE_P(Types, Repacker, testing::Values(DType::Q8_0, DType::Q4_0),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(RepackerSession, BackgroundSessionEndsWithTheEagerLogits) {
    auto m = test::make_memory_model(32, DType::Q8_0);
    SessionOptions o;
    o.n_ctx = 64;
    o.n_threads = 2;
    Session eager(m->config, m->weights, o);
    o.repack_in_background = true;
    Session background(m->config, m->weights, o);
    const std::span ids(kIds);
    const auto want_first = to_vector(eager.eval(ids.first(5), LogitsFor::All));
    const auto got_first = to_vector(background.eval(ids.first(5), LogitsFor::All));
    EXPECT_LT(test::max_abs_diff(got_first, want_first), test::rounding_tolerance(want_first));
    for (size_t t = 5; t < kIds.size(); ++t) {  // the packer runs from the first eval on
        const auto a = to_vector(eager.eval(ids.subspan(t, 1)));
        const auto b = to_vector(background.eval(ids.subspan(t, 1)));
        EXPECT_LT(test::max_abs_diff(a, b), test::rounding_tolerance(a)) << "position " << t;
    }
    background.finish_repacking();
    eager.rewind(0);
    background.rewind(0);
    EXPECT_EQ(to_vector(background.eval(ids, LogitsFor::All)),
              to_vector(eager.eval(ids, LogitsFor::All)));
}

TEST(RepackerScheduler, JobsRunWhileTheMatricesAreRepacked) {
    auto m = test::make_memory_model(33, DType::Q4_0);
    SchedulerOptions o;
    o.slots = 2;
    o.n_ctx = 64;
    o.n_threads = 2;
    o.prefill_chunk = 4;
    o.repack_in_background = true;
    Scheduler scheduler(m->config, m->weights, o);
    std::mutex mu;
    std::condition_variable cv;
    int done = 0;
    std::vector<JobEvent> finals(3);
    for (int j = 0; j < 3; ++j) {
        JobRequest r;
        r.prompt = {1, 2, 3 + j, 4, 5, 6};
        r.options.max_tokens = 8;
        r.options.sampling.temperature = 0;
        r.options.loop_guard.enabled = false;
        r.on_event = [&, j](const JobEvent& ev) {
            if (!ev.done) return true;
            std::lock_guard lock(mu);
            finals[size_t(j)] = ev;
            ++done;
            cv.notify_all();
            return true;
        };
        ASSERT_NE(scheduler.submit(std::move(r)), nullptr);
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == 3; });
    for (const JobEvent& ev : finals) {
        EXPECT_EQ(ev.finish_reason, "length") << ev.error;
        EXPECT_EQ(ev.completion_tokens, 8);
    }
}

}  // namespace
}  // namespace qe
