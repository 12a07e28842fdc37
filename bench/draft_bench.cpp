// What draft-model speculation costs and what it would buy: the target's verification pass over
// 1..8 tokens (logits for every row, as the engine checks proposals) against its one-token pass,
// the draft model's cost per proposal, and from these the projected speed-up at given acceptance
// rates. Every figure at the same context depth, the measurements alternated per repetition so
// that a loaded machine weighs on all of them alike; medians.
//
//   qe-draft-bench --target 1.5b.gguf --draft 0.5b.gguf -t 2 --depth 256 --reps 7 --accept 0.6
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <numeric>
#include <vector>

#include "engine/draft_model.h"
#include "engine/scheduler.h"
#include "model/forward_model.h"
#include "model/loaded_model.h"
#include "model/runtime.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace qe;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Expected tokens per round (accepted proposals plus the target's own token) when each of k
// proposals is accepted with probability a, given the ones before it were.
double tokens_per_round(double a, int k) {
    double t = 0, p = 1;
    for (int i = 0; i <= k; ++i) {
        t += p;
        p *= a;
    }
    return t;
}

// One greedy answer of `n` tokens through a one-slot scheduler over `runtime`; its decode
// tokens/s, and the proposals accepted of those made.
struct Answer {
    double tps = 0;
    int proposed = 0, accepted = 0;
};
Answer answer(Runtime& runtime, const std::vector<int>& prompt, int n, DrafterFactory drafter,
              bool speculative) {
    SchedulerOptions so;
    so.slots = 1;
    so.n_ctx = int(prompt.size()) + n + 16;
    so.speculative.enabled = speculative;
    so.speculative.drafter = std::move(drafter);
    Scheduler scheduler(runtime, so);
    JobRequest job;
    job.prompt = prompt;
    job.options.max_tokens = n;
    job.options.sampling.temperature = 0;
    job.options.sampling.repetition_penalty = 1;
    job.options.loop_guard.enabled = false;
    std::promise<JobEvent> done;
    job.on_event = [&](const JobEvent& ev) {
        if (ev.done) done.set_value(ev);
        return true;
    };
    scheduler.submit(std::move(job));
    const JobEvent r = done.get_future().get();
    return {r.decode_tokens_per_second, r.draft_tokens, r.draft_accepted};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"qe-draft-bench: the costs of draft-model speculation and its projected speed-up"};
    std::string target_path, draft_path;
    int threads = 2, depth = 256, reps = 7;
    std::vector<double> accepts;
    int gen = 0;
    app.add_option("--target", target_path, "the model that verifies")->required();
    app.add_option("--draft", draft_path, "the model that proposes")->required();
    app.add_option("-t,--threads", threads, "threads of each runtime");
    app.add_option("--depth", depth, "positions in the context before the measured passes");
    app.add_option("--reps", reps, "repetitions (medians are reported)");
    app.add_option("--accept", accepts,
                   "acceptance rates per proposal to project the speed-up at (repeatable)");
    app.add_option("--gen", gen,
                   "also time greedy answers of this many tokens through the scheduler: plain, "
                   "with the draft model, and with the target drafting for itself (every "
                   "proposal accepted)");
    CLI11_PARSE(app, argc, argv);

    const auto target = LoadedModel::open(target_path);
    std::shared_ptr<const LoadedModel> draft = LoadedModel::open(draft_path);
    RuntimeOptions ro;
    ro.n_threads = threads;
    Runtime runtime(target->config(), target->weights(), ro);
    const int n_ctx = depth + kMaxVerifyChunk + 64;
    auto state = runtime.model().new_sequence(n_ctx, DType::F16);
    std::vector<int> context(size_t(depth + kMaxVerifyChunk));
    for (size_t i = 0; i < context.size(); ++i) context[i] = int(1000 + i * 37 % 50000);
    {
        const SequenceChunk fill{state.get(), {context.data(), size_t(depth)}, 0, false, true};
        runtime.model().forward({&fill, 1});
    }
    DraftOptions dopt;
    dopt.n_ctx = n_ctx;
    dopt.n_threads = threads;
    dopt.min_chain_probability = 0;  // always the full draft: the cost per proposal
    dopt.repack_in_background = false;
    DraftModel drafter_model(draft, *target, dopt);
    auto drafter = drafter_model.factory()();
    std::vector<int> prefix(context.begin(), context.begin() + depth);
    drafter->propose(prefix, 1);  // the draft's prefill, outside the measurement

    std::vector<std::vector<double>> verify(kMaxVerifyChunk + 1);
    std::vector<double> draft_step;
    constexpr int kDraftTokens = 8;
    for (int r = 0; r < reps; ++r) {
        for (int k = 1; k <= kMaxVerifyChunk; ++k) {
            // One pass over k tokens after the depth, logits for every row, then taken back.
            const SequenceChunk c{
                state.get(), {context.data() + depth, size_t(k)}, depth, k > 1, false, k > 1};
            const auto t = Clock::now();
            runtime.model().forward({&c, 1});
            verify[size_t(k)].push_back(ms_since(t));
            state->rewind(depth);
        }
        // kDraftTokens proposals: one pass feeding the last id, then one per proposal but the
        // last, as in every round of speculation.
        prefix.back() = int(2000 + r);
        const auto t = Clock::now();
        drafter->propose(prefix, kDraftTokens);
        draft_step.push_back(ms_since(t) / kDraftTokens);
    }

    const double one = median(verify[1]), d = median(draft_step);
    std::printf("target %s, draft %s, %d threads, depth %d, %d repetitions (medians)\n",
                target->id().c_str(), draft->id().c_str(), threads, depth, reps);
    std::printf("target pass over 1 token: %.2f ms; draft: %.2f ms per proposal (%.3f of it)\n",
                one, d, d / one);
    std::printf("verification pass over k tokens, in ms and relative to k = 1:\n");
    for (int k = 1; k <= kMaxVerifyChunk; ++k)
        std::printf("  k=%d  %.2f ms  %.3f\n", k, median(verify[size_t(k)]),
                    median(verify[size_t(k)]) / one);
    for (const double a : accepts) {
        // k proposals cost k draft passes and one verification pass over k + 1 tokens.
        int best_k = 0;
        double best = 1;
        std::printf("acceptance %.2f:", a);
        for (int k = 1; k < kMaxVerifyChunk; ++k) {
            const double cost = k * d + median(verify[size_t(k + 1)]);
            const double speedup = tokens_per_round(a, k) * one / cost;
            std::printf("  k=%d %.2fx", k, speedup);
            if (speedup > best) best = speedup, best_k = k;
        }
        std::printf("  (best k=%d: %.2fx)\n", best_k, best);
    }
    if (gen <= 0) return 0;

    // The target drafting for itself: a second runtime over the same weights.
    std::shared_ptr<const LoadedModel> self_model = LoadedModel::open(target_path);
    DraftModel self(self_model, *target, dopt);
    const std::vector<int> prompt(context.begin(), context.begin() + 16);
    std::vector<double> plain_tps, draft_tps, self_tps;
    Answer with_draft, with_self;
    for (int r = 0; r < reps; ++r) {
        plain_tps.push_back(answer(runtime, prompt, gen, {}, false).tps);
        with_draft = answer(runtime, prompt, gen, drafter_model.factory(), true);
        draft_tps.push_back(with_draft.tps);
        with_self = answer(runtime, prompt, gen, self.factory(), true);
        self_tps.push_back(with_self.tps);
    }
    std::printf("greedy answers of %d tokens through the scheduler, decode tokens/s:\n", gen);
    std::printf("  plain (no speculation)            %.2f\n", median(plain_tps));
    std::printf("  draft %s, every step 7 proposals: %.2f (%d of %d accepted)\n",
                draft->id().c_str(), median(draft_tps), with_draft.accepted, with_draft.proposed);
    std::printf("  the target drafting for itself:   %.2f (%d of %d accepted)\n", median(self_tps),
                with_self.accepted, with_self.proposed);
    return 0;
}
