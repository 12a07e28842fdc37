// The scheduler on a small in-memory model: results equal the plain generation loop's, whatever
// else runs beside them, and prefixes are reused.
#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>

#include "core/error.h"
#include "engine/session.h"
#include "support/memory_model.h"

namespace qe {
namespace {

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.max_tokens = max_tokens;
    o.sampling.temperature = 0;
    o.sampling.repetition_penalty = 1;
    o.loop_guard.enabled = false;
    return o;
}

// Collects one job's events from the engine thread.
struct Collector {
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> tokens;
    JobEvent final;
    bool done = false;
    int cancel_after = -1;  // return false after this many tokens
    bool hold = false;      // block the engine at the first token until release()

    JobCallback callback() {
        return [this](const JobEvent& ev) {
            std::unique_lock lock(m);
            if (ev.done) {
                final = ev;
                done = true;
                cv.notify_all();
                return true;
            }
            tokens.push_back(ev.token);
            cv.wait(lock, [&] { return !hold; });
            return cancel_after < 0 || int(tokens.size()) < cancel_after;
        };
    }
    void release() {
        std::lock_guard lock(m);
        hold = false;
        cv.notify_all();
    }
    void wait() {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return done; });
    }
};

std::vector<int> plain_generate(const test::MemoryModel& m, const std::vector<int>& prompt, int n) {
    SessionOptions o;
    o.n_ctx = 128;
    o.n_threads = 1;
    Session s(m.config, m.weights, o);
    // Greedy without penalties: the most likely token each step.
    std::vector<int> out;
    auto logits = s.eval(prompt);
    for (int i = 0; i < n; ++i) {
        out.push_back(int(std::max_element(logits.begin(), logits.end()) - logits.begin()));
        if (i + 1 < n) logits = s.eval({&out.back(), 1});
    }
    return out;
}

SchedulerOptions small(int slots = 2, int queue = 8) {
    SchedulerOptions o;
    o.slots = slots;
    o.max_queue = queue;
    o.n_ctx = 128;
    o.n_threads = 1;
    o.prefill_chunk = 4;  // several chunks per prompt
    return o;
}

TEST(Scheduler, OneJobMatchesThePlainLoop) {
    auto m = test::make_memory_model(5);
    Scheduler s(m->config, m->weights, small());
    const std::vector<int> prompt{3, 14, 15, 92, 65, 35, 89, 79, 32};
    Collector c;
    ASSERT_TRUE(s.submit({prompt, greedy(12), c.callback()}));
    c.wait();
    EXPECT_EQ(c.tokens, plain_generate(*m, prompt, 12));
    EXPECT_EQ(c.final.finish_reason, "length");
    EXPECT_EQ(c.final.completion_tokens, 12);
    EXPECT_EQ(c.final.prompt_tokens, 9);
    EXPECT_GT(c.final.ttft_ms, 0);
}

TEST(Scheduler, ConcurrentJobsDoNotDisturbEachOther) {
    auto m = test::make_memory_model(6);
    Scheduler s(m->config, m->weights, small(3, 8));
    std::vector<std::vector<int>> prompts = {
        {1, 2, 3}, {4, 5, 6, 7, 8, 9, 10}, {11}, {12, 13, 14, 15, 16}, {17, 18}};
    std::vector<Collector> c(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i)
        ASSERT_TRUE(s.submit({prompts[i], greedy(10), c[i].callback()}));
    for (size_t i = 0; i < prompts.size(); ++i) {
        c[i].wait();
        EXPECT_EQ(c[i].tokens, plain_generate(*m, prompts[i], 10)) << "job " << i;
    }
    s.drain();
    EXPECT_EQ(s.stats().active, 0);
    EXPECT_EQ(s.stats().jobs_finished, prompts.size());
}

TEST(Scheduler, NextTurnReusesTheCachedPrefix) {
    auto m = test::make_memory_model(7);
    Scheduler s(m->config, m->weights, small(1));
    const std::vector<int> turn1{5, 6, 7, 8, 9, 10};
    Collector a;
    s.submit({turn1, greedy(5), a.callback()});
    a.wait();
    EXPECT_EQ(a.final.cached_tokens, 0);

    // The next turn: the first prompt, the answer, and more.
    std::vector<int> turn2 = turn1;
    turn2.insert(turn2.end(), a.tokens.begin(), a.tokens.end());
    turn2.insert(turn2.end(), {20, 21, 22});
    Collector b;
    s.submit({turn2, greedy(6), b.callback()});
    b.wait();
    // Everything but the last answer token (never fed back) came from the cache.
    EXPECT_EQ(b.final.cached_tokens, int(turn1.size() + a.tokens.size() - 1));
    EXPECT_EQ(b.tokens, plain_generate(*m, turn2, 6));

    // A different prompt of the same length must not reuse anything wrongly.
    std::vector<int> other = turn2;
    other[2] = 77;
    Collector c;
    s.submit({other, greedy(6), c.callback()});
    c.wait();
    EXPECT_EQ(c.final.cached_tokens, 2);
    EXPECT_EQ(c.tokens, plain_generate(*m, other, 6));
}

TEST(Scheduler, StopTokensEndTheAnswer) {
    auto m = test::make_memory_model(8);
    const std::vector<int> prompt{9, 8, 7};
    const auto expected = plain_generate(*m, prompt, 8);
    Scheduler s(m->config, m->weights, small());
    auto o = greedy(8);
    o.stop_ids = {expected[3]};
    Collector c;
    s.submit({prompt, o, c.callback()});
    c.wait();
    EXPECT_EQ(c.final.finish_reason, "stop");
    const auto first_stop = std::find(expected.begin(), expected.end(), expected[3]);
    EXPECT_EQ(c.tokens, std::vector<int>(expected.begin(), first_stop));
}

TEST(Scheduler, BannedIdsAreNeverGenerated) {
    auto m = test::make_memory_model(8);
    const std::vector<int> prompt{9, 8, 7};
    const auto expected = plain_generate(*m, prompt, 1);
    Scheduler s(m->config, m->weights, small());
    auto o = greedy(6);
    o.banned_ids = {expected[0]};
    Collector c;
    s.submit({prompt, o, c.callback()});
    c.wait();
    ASSERT_EQ(c.tokens.size(), 6u);
    EXPECT_EQ(std::count(c.tokens.begin(), c.tokens.end(), expected[0]), 0);
}

// Allows only the tokens of a list, and records what it was told.
struct OnlyTokens : TokenConstraint {
    std::vector<int> allowed;
    std::vector<int> accepted;
    bool refuse = false;
    void mask(std::span<float> logits) override {
        for (size_t i = 0; i < logits.size(); ++i) {
            if (std::find(allowed.begin(), allowed.end(), int(i)) == allowed.end()) {
                logits[i] = -INFINITY;
            }
        }
    }
    bool accept(int token) override {
        if (refuse) return false;
        accepted.push_back(token);
        return true;
    }
    void rewind(size_t n) override { accepted.resize(accepted.size() - std::min(n, accepted.size())); }
    std::unique_ptr<TokenConstraint> clone() const override {
        return std::make_unique<OnlyTokens>(*this);
    }
};

TEST(Scheduler, AConstraintMasksEveryStep) {
    auto m = test::make_memory_model(8);
    const std::vector<int> prompt{9, 8, 7};
    Scheduler s(m->config, m->weights, small());
    auto only = std::make_shared<OnlyTokens>();
    only->allowed = {4, 17, 23};
    Collector c;
    JobRequest job{prompt, greedy(6), c.callback()};
    job.constraint = only;
    s.submit(std::move(job));
    c.wait();
    EXPECT_EQ(c.final.finish_reason, "length");
    ASSERT_EQ(c.tokens.size(), 6u);
    for (int t : c.tokens) EXPECT_TRUE(t == 4 || t == 17 || t == 23) << t;
    EXPECT_EQ(only->accepted, c.tokens);

    auto refusing = std::make_shared<OnlyTokens>();
    refusing->allowed = {5};
    refusing->refuse = true;
    Collector d;
    JobRequest bad{prompt, greedy(6), d.callback()};
    bad.constraint = refusing;
    s.submit(std::move(bad));
    d.wait();
    EXPECT_EQ(d.final.finish_reason, "error");
    EXPECT_NE(d.final.error.find("constraint refuses"), std::string::npos);
}

TEST(Scheduler, CancellingFreesTheSlotAtTheNextToken) {
    auto m = test::make_memory_model(9);
    Scheduler s(m->config, m->weights, small(1));
    Collector c;
    c.cancel_after = 3;
    s.submit({{1, 2, 3}, greedy(50), c.callback()});
    c.wait();
    EXPECT_EQ(c.final.finish_reason, "cancelled");
    EXPECT_EQ(c.tokens.size(), 3u);

    // A handle cancels too, and the single slot then serves the next job. The job's first token
    // holds the engine until the cancel is issued, so the job cannot reach its length first.
    Collector d;
    d.hold = true;
    auto handle = s.submit({{4, 5, 6}, greedy(100), d.callback()});
    ASSERT_NE(handle, nullptr);
    handle->cancel();
    d.release();
    d.wait();
    EXPECT_EQ(d.final.finish_reason, "cancelled");
    EXPECT_LE(d.tokens.size(), 1u);  // cancelled before its first token, or at it
    Collector e;
    s.submit({{7, 8}, greedy(2), e.callback()});
    e.wait();
    EXPECT_EQ(e.final.finish_reason, "length");
}

TEST(Scheduler, BoundedQueueRefusesAndBadJobsThrow) {
    auto m = test::make_memory_model(10);
    std::vector<Collector> c(3);  // outlives the scheduler, which reports to it when it stops
    Scheduler s(m->config, m->weights, small(1, 1));
    c[0].hold = true;  // the first job keeps the only slot busy
    int accepted = 0;
    for (auto& col : c) accepted += s.submit({{1, 2}, greedy(60), col.callback()}) != nullptr;
    // One slot and one queue place: the third is refused.
    EXPECT_EQ(accepted, 2);
    c[0].release();
    EXPECT_THROW(s.submit({std::vector<int>(128, 1), greedy(1), Collector{}.callback()}), Error);
    EXPECT_THROW(s.submit({{}, greedy(1), Collector{}.callback()}), Error);
    EXPECT_THROW(s.submit({{1, 100}, greedy(1), Collector{}.callback()}), Error);  // id >= vocab
}

TEST(Scheduler, ContextEndStopsGeneration) {
    auto m = test::make_memory_model(12);
    auto o = small(1);
    o.n_ctx = 16;
    Scheduler s(m->config, m->weights, o);
    Collector c;
    s.submit({std::vector<int>(10, 4), greedy(100), c.callback()});
    c.wait();
    EXPECT_EQ(c.final.finish_reason, "context");
    EXPECT_EQ(c.tokens.size(), 7u);  // positions 10..15 are fed back, and one more is sampled
}

TEST(Scheduler, ShutdownEndsEveryJob) {
    auto m = test::make_memory_model(13);
    std::vector<Collector> c(4);
    {
        Scheduler s(m->config, m->weights, small(1, 8));
        for (auto& col : c) s.submit({{1, 2, 3}, greedy(100), col.callback()});
    }
    for (auto& col : c) {
        col.wait();
        EXPECT_TRUE(col.final.finish_reason == "cancelled" || col.final.finish_reason == "length");
    }
}

}  // namespace
}  // namespace qe
