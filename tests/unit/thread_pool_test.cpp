#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace qe {
namespace {

TEST(ThreadPool, RunCallsEveryThreadOnce) {
    for (int n : {1, 2, 3, 4}) {
        ThreadPool pool(n);
        ASSERT_EQ(pool.size(), n);
        std::vector<std::atomic<int>> calls(static_cast<size_t>(n));
        pool.run([&](int thread, int n_threads) {
            EXPECT_EQ(n_threads, n);
            calls[size_t(thread)].fetch_add(1);
        });
        for (auto& c : calls) EXPECT_EQ(c.load(), 1);
    }
}

TEST(ThreadPool, ManyShortRunsSeeEachOthersWrites) {
    // Each run reads what the previous run wrote: a missing barrier shows up as a wrong sum.
    ThreadPool pool(3);
    std::vector<int64_t> data(3000, 1);
    for (int round = 0; round < 2000; ++round) {
        pool.run([&](int thread, int n_threads) {
            const Range r = split_range(int64_t(data.size()), thread, n_threads);
            for (int64_t i = r.begin; i < r.end; ++i) data[size_t(i)] += 1;
        });
    }
    for (int64_t v : data) ASSERT_EQ(v, 2001);
}

TEST(ThreadPool, ParallelForVisitsEachIndexOnce) {
    ThreadPool pool(4);
    std::vector<std::atomic<int>> seen(1001);
    pool.parallel_for(1001, [&](int64_t i) { seen[size_t(i)].fetch_add(1); });
    for (auto& s : seen) EXPECT_EQ(s.load(), 1);
    pool.parallel_for(0, [&](int64_t) { ADD_FAILURE() << "called for an empty range"; });
}

TEST(ThreadPool, ExceptionsReachTheCallerAndThePoolStaysUsable) {
    ThreadPool pool(2);
    EXPECT_THROW(pool.run([](int thread, int) {
        if (thread == 1) throw std::runtime_error("worker failed");
    }),
                 std::runtime_error);
    EXPECT_THROW(pool.run([](int thread, int) {
        if (thread == 0) throw std::runtime_error("caller failed");
    }),
                 std::runtime_error);
    std::atomic<int> calls{0};
    pool.run([&](int, int) { calls.fetch_add(1); });
    EXPECT_EQ(calls.load(), 2);
}

TEST(SplitRange, CoversEverythingInAlignedPieces) {
    for (int64_t n : {0, 1, 7, 32, 100, 4864}) {
        for (int parts : {1, 2, 3, 8}) {
            for (int64_t align : {1, 4, 16}) {
                int64_t expect_begin = 0;
                for (int p = 0; p < parts; ++p) {
                    const Range r = split_range(n, p, parts, align);
                    EXPECT_EQ(r.begin, expect_begin);
                    EXPECT_LE(r.begin, r.end);
                    if (r.end < n) {
                        EXPECT_EQ(r.end % align, 0);
                    }
                    expect_begin = r.end;
                }
                EXPECT_EQ(expect_begin, n) << n << " " << parts << " " << align;
            }
        }
    }
}

}  // namespace
}  // namespace qe
