// Cost of turning one position's logits into a token at Qwen2.5's vocabulary size (151936): the
// default settings (penalties, top-k 20, top-p 0.8), greedy, and top-k off (top-p over the whole
// vocabulary). A full sort of the vocabulary is timed beside them, as the cost the sampler avoids.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sampling/sampler.h"

namespace {

constexpr int kVocab = 151936;

// Logits shaped like a language model's: most values low, a few tokens far ahead.
std::vector<float> make_logits() {
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 2.0f);
    std::vector<float> v(kVocab);
    for (float& x : v) x = noise(rng);
    for (int i = 0; i < 40; ++i) v[size_t(rng() % kVocab)] += 12.0f;
    return v;
}

std::vector<int> make_history() {
    std::mt19937 rng(8);
    std::vector<int> h(300);
    for (int& id : h) id = int(rng() % kVocab);
    return h;
}

void run(benchmark::State& state, qe::SamplingParams p) {
    const auto logits = make_logits();
    const auto history = make_history();
    qe::Sampler sampler(p);
    for (auto _ : state) benchmark::DoNotOptimize(sampler.sample(logits, history));
    state.SetItemsProcessed(state.iterations());
}

void BM_SampleQwenDefaults(benchmark::State& state) {
    run(state, qe::SamplingParams{});
}

void BM_SampleGreedy(benchmark::State& state) {
    qe::SamplingParams p;
    p.temperature = 0;
    p.repetition_penalty = 1;
    run(state, p);
}

void BM_SampleTopPOverAll(benchmark::State& state) {
    qe::SamplingParams p;
    p.top_k = 0;
    p.top_p = 0.95f;
    run(state, p);
}

void BM_FullSortForComparison(benchmark::State& state) {
    const auto logits = make_logits();
    std::vector<std::pair<float, int>> v(kVocab);
    for (auto _ : state) {
        for (int i = 0; i < kVocab; ++i) v[size_t(i)] = {logits[size_t(i)], i};
        std::sort(v.begin(), v.end(),
                  [](const auto& a, const auto& b) { return a.first > b.first; });
        benchmark::DoNotOptimize(v.data());
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_SampleQwenDefaults)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleGreedy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SampleTopPOverAll)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FullSortForComparison)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
