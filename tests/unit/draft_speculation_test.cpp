// Speculative decoding with a draft model, through the scheduler on tiny synthetic models of the
// real Qwen tokenizer: greedy output is token for token the output without speculation, alone
// and beside other jobs, and the draft's proposals are really checked and kept (the target
// drafting for itself has every proposal accepted).
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "engine/draft_model.h"
#include "engine/scheduler.h"
#include "support/draft_pair.h"

namespace qe {
namespace {

using test::write_tiny_model;

struct Collector {
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> tokens;
    JobEvent final;
    bool done = false;

    JobCallback callback() {
        return [this](const JobEvent& ev) {
            std::lock_guard lock(m);
            if (ev.done) {
                final = ev;
                done = true;
                cv.notify_all();
            } else {
                tokens.push_back(ev.token);
            }
            return true;
        };
    }
    void wait() {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return done; });
    }
};

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.max_tokens = max_tokens;
    o.sampling.temperature = 0;
    o.sampling.repetition_penalty = 1;
    o.loop_guard.enabled = false;
    return o;
}

SchedulerOptions scheduler_options(int slots) {
    SchedulerOptions o;
    o.slots = slots;
    o.n_ctx = 256;
    o.n_threads = 1;
    o.prefill_chunk = 16;
    return o;
}

const std::vector<std::vector<int>> kPrompts = {
    {785, 11, 1879, 0, 42}, {1, 2, 3}, {300, 301, 302, 303, 304, 305, 306}};

// Runs every prompt at once and returns each job's tokens and final event.
std::vector<Collector> run(const LoadedModel& target, const SchedulerOptions& options,
                           int max_tokens) {
    Scheduler scheduler(target.config(), target.weights(), options);
    std::vector<Collector> c(kPrompts.size());
    for (size_t i = 0; i < kPrompts.size(); ++i)
        EXPECT_TRUE(scheduler.submit({kPrompts[i], greedy(max_tokens), c[i].callback()}));
    for (auto& x : c) x.wait();
    return c;
}

TEST(DraftSpeculation, GreedyOutputIsThePlainOutput) {
    const auto target = LoadedModel::open(write_tiny_model("target", {.seed = 1, .layers = 3}));
    std::shared_ptr<const LoadedModel> other =
        LoadedModel::open(write_tiny_model("draft", {.seed = 2}));
    SchedulerOptions plain = scheduler_options(3);
    plain.speculative.enabled = false;
    const auto expected = run(*target, plain, 24);

    DraftOptions d;
    d.n_ctx = 256;
    d.n_threads = 1;
    d.min_chain_probability = 0;  // propose the most every step
    for (const int slots : {1, 3}) {
        // Another model's proposals: mostly rejected, the output unchanged.
        DraftModel draft(other, *target, d);
        SchedulerOptions o = scheduler_options(slots);
        o.speculative.drafter = draft.factory();
        const auto got = run(*target, o, 24);
        for (size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].tokens, expected[i].tokens) << "job " << i << ", " << slots;
            EXPECT_GT(got[i].final.draft_tokens, 0) << "job " << i;
        }
    }
}

TEST(DraftSpeculation, TheTargetDraftingForItselfHasEveryProposalAccepted) {
    std::shared_ptr<const LoadedModel> target =
        LoadedModel::open(write_tiny_model("target", {.seed = 3}));
    SchedulerOptions plain = scheduler_options(3);
    plain.speculative.enabled = false;
    const auto expected = run(*target, plain, 30);

    DraftOptions d;
    d.n_ctx = 256;
    d.n_threads = 1;
    d.min_chain_probability = 0;
    DraftModel self(target, *target, d);
    SchedulerOptions o = scheduler_options(3);
    o.speculative.drafter = self.factory();
    const auto got = run(*target, o, 30);
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].tokens, expected[i].tokens) << "job " << i;
        const JobEvent& f = got[i].final;
        EXPECT_GT(f.draft_accepted, 0) << "job " << i;
        EXPECT_EQ(f.draft_accepted, f.draft_tokens) << "job " << i;
        // Several tokens per pass: 29 tokens after the first in far fewer passes.
        EXPECT_LT(f.decode_passes, 29 / 3) << "job " << i;
    }
    EXPECT_GT(self.stats().proposed, 0u);
}

}  // namespace
}  // namespace qe
