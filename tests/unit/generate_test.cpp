// Sessions, and the generation loop (the scheduler's, run with one slot as the terminal commands
// run it) on a small in-memory model.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <future>
#include <vector>

#include "engine/scheduler.h"
#include "engine/session.h"
#include "core/error.h"
#include "support/logits_compare.h"
#include "support/memory_model.h"

namespace qe {
namespace {

SamplingParams greedy() {
    SamplingParams p;
    p.temperature = 0;
    p.repetition_penalty = 1;
    return p;
}

// Greedy continuation computed step by step with the reference path, as the spec of generate().
std::vector<int> reference_greedy(const test::MemoryModel& m, std::vector<int> ids, int n) {
    SessionOptions o;
    o.path = ForwardPath::Reference;
    o.n_ctx = 64;
    Session s(m.config, m.weights, o);
    std::vector<int> out;
    auto logits = s.eval(ids);
    for (int i = 0; i < n; ++i) {
        const int next = int(test::argmax(logits));
        out.push_back(next);
        logits = s.eval({&next, 1});
    }
    return out;
}

struct GenerateResult {
    std::vector<int> tokens;
    std::string finish_reason;
    int prompt_tokens = 0;
};

// One job through a one-slot scheduler; on_token returning false cancels it.
GenerateResult generate(const test::MemoryModel& m, const std::vector<int>& prompt,
                        const GenerateOptions& g, int n_ctx = 4096,
                        const std::function<bool(int)>& on_token = {}) {
    SchedulerOptions o;
    o.slots = 1;
    o.n_ctx = n_ctx;
    Scheduler scheduler(m.config, m.weights, o);
    GenerateResult r;
    std::promise<void> finished;
    JobRequest job{prompt, g, [&](const JobEvent& ev) {
                       if (ev.done) {
                           r.finish_reason = ev.finish_reason;
                           r.prompt_tokens = ev.prompt_tokens;
                           finished.set_value();
                           return true;
                       }
                       r.tokens.push_back(ev.token);
                       return on_token ? on_token(ev.token) : true;
                   }};
    if (!scheduler.submit(std::move(job))) throw Error("the scheduler refused the job");
    finished.get_future().wait();
    return r;
}

TEST(Session, CapsTheContextAtTheModelsAndTracksPositions) {
    auto m = test::make_memory_model(11);
    m->config.context_length = 32;
    SessionOptions o;
    o.n_ctx = 4096;
    Session s(m->config, m->weights, o);
    EXPECT_EQ(s.n_ctx(), 32);
    EXPECT_NE(s.describe().find("context 32 tokens, KV cache f16"), std::string::npos)
        << s.describe();
    s.eval(std::vector<int>{1, 2, 3});
    EXPECT_EQ(s.n_past(), 3);
    // A failing batch leaves the session as it was.
    EXPECT_THROW(s.eval(std::vector<int>{1, 200}), Error);
    EXPECT_THROW(s.eval(std::vector<int>(30, 1)), Error);
    EXPECT_EQ(s.n_past(), 3);
    s.rewind(1);
    EXPECT_EQ(s.n_past(), 1);
    EXPECT_THROW(s.rewind(2), Error);
    o.n_ctx = 0;
    EXPECT_THROW(Session(m->config, m->weights, o), Error);
}

TEST(Session, RewindThenEvalEqualsFreshEval) {
    auto m = test::make_memory_model(12);
    Session a(m->config, m->weights), b(m->config, m->weights);
    a.eval(std::vector<int>{4, 5, 6, 7});
    a.rewind(2);
    const auto la = a.eval(std::vector<int>{9, 10});
    const std::vector<float> got(la.begin(), la.end());
    const auto lb = b.eval(std::vector<int>{4, 5, 9, 10});
    EXPECT_LT(test::max_abs_diff(got, lb), 1e-5);
}

TEST(Generate, GreedyFastPathFollowsTheReference) {
    auto m = test::make_memory_model(13);
    const std::vector<int> prompt = {7, 8, 9};
    GenerateOptions g;
    g.max_tokens = 32;
    g.sampling = greedy();
    g.loop_guard.enabled = false;
    std::vector<int> streamed;
    const auto r = generate(*m, prompt, g, 64, [&](int t) {
        streamed.push_back(t);
        return true;
    });
    EXPECT_EQ(r.finish_reason, "length");
    EXPECT_EQ(r.tokens, reference_greedy(*m, prompt, 32));
    EXPECT_EQ(streamed, r.tokens);
    EXPECT_EQ(r.prompt_tokens, 3);
}

TEST(Generate, StopsAtStopTokensContextAndCancellation) {
    auto m = test::make_memory_model(14);
    const std::vector<int> prompt = {7, 8, 9};
    const auto expected = reference_greedy(*m, prompt, 8);
    GenerateOptions g;
    g.sampling = greedy();
    g.loop_guard.enabled = false;
    g.max_tokens = 8;

    {  // The third greedy token as a stop token: two tokens come out.
        g.stop_ids = {expected[2]};
        ASSERT_EQ(std::count(expected.begin(), expected.begin() + 3, expected[2]), 1)
            << "the seed should give a third token unlike the first two";
        const auto r = generate(*m, prompt, g);
        EXPECT_EQ(r.finish_reason, "stop");
        EXPECT_EQ(r.tokens, std::vector<int>(expected.begin(), expected.begin() + 2));
        g.stop_ids.clear();
    }
    {  // A context of 5 holds the prompt and two generated tokens; the third ends it.
        const auto r = generate(*m, prompt, g, 5);
        EXPECT_EQ(r.finish_reason, "context");
        EXPECT_EQ(r.tokens, std::vector<int>(expected.begin(), expected.begin() + 3));
    }
    {
        int calls = 0;
        const auto r = generate(*m, prompt, g, 4096, [&](int) { return ++calls < 4; });
        EXPECT_EQ(r.finish_reason, "cancelled");
        EXPECT_EQ(r.tokens.size(), 4u);
    }
    {
        EXPECT_THROW(generate(*m, std::vector<int>{1, 100}, g), Error);
        g.max_tokens = -1;
        EXPECT_THROW(generate(*m, prompt, g), Error);
    }
}

}  // namespace
}  // namespace qe
