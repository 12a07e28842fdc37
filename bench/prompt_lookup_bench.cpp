// Cost of prompt-lookup drafting per decode step when nothing matches (the cost speculative
// decoding adds to answers that do not quote their prompt): a job's drafter over a prompt of
// random ids (Qwen's vocabulary size), then one new random token and one proposal per step, as
// the scheduler calls it. The first step, which indexes the prompt, is timed apart.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/prompt_lookup.h"

namespace {

std::vector<int> random_ids(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<int> ids(n);
    for (int& id : ids) id = int(rng() % 151936);
    return ids;
}

// Steps of an answer of 128 tokens after the prompt; the time is per step.
void BM_StepsWithoutMatch(benchmark::State& state) {
    const size_t prompt = size_t(state.range(0));
    std::vector<int> seq = random_ids(prompt + 128, 5);
    for (auto _ : state) {
        state.PauseTiming();
        qe::PromptLookupDrafter d;
        d.propose(std::span<const int>(seq.data(), prompt), 7);  // indexes the prompt
        state.ResumeTiming();
        for (size_t n = prompt + 1; n <= seq.size(); ++n)
            benchmark::DoNotOptimize(d.propose(std::span<const int>(seq.data(), n), 7));
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 128);
}
BENCHMARK(BM_StepsWithoutMatch)->Arg(512)->Arg(4096)->Unit(benchmark::kMicrosecond);

// The first step of a job: the prompt's n-grams indexed once.
void BM_FirstStep(benchmark::State& state) {
    const std::vector<int> seq = random_ids(size_t(state.range(0)), 6);
    for (auto _ : state) {
        qe::PromptLookupDrafter d;
        benchmark::DoNotOptimize(d.propose(seq, 7));
    }
}
BENCHMARK(BM_FirstStep)->Arg(512)->Arg(4096)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
