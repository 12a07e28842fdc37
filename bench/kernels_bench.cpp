// Matrix-vector kernels per weight type at the Qwen2.5-0.5B shapes, reporting GB/s of weight bytes
// read (decode is bound by that bandwidth); attention and the gated delta rule of a prefill.
// QE_ISA=generic|avx2|avx512 picks the table.
//   build/bin/qe-kernels-bench --benchmark_filter=q8_0
// Arguments: rows, cols, threads. Rates use CPU time of the calling thread (robust on a shared
// machine); with threads:2 compare real time instead.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/half.h"
#include "kernels/kernels.h"
#include "quant/quant.h"

namespace qe {
namespace {

// A weight matrix of realistic values: 64 quantized random rows repeated (cheap to build even for
// the 136 M-element output matrix).
struct BenchMatrix {
    std::vector<uint8_t> bytes;
    Matrix m;
};

BenchMatrix make_matrix_of(DType t, int64_t rows, int64_t cols) {
    BenchMatrix b;
    const size_t rb = *row_bytes(t, cols);
    b.bytes.resize(size_t(rows) * rb);
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> row(static_cast<size_t>(cols));
    const int64_t distinct = rows < 64 ? rows : 64;
    for (int64_t r = 0; r < distinct; ++r) {
        for (auto& v : row) v = dist(rng);
        quantize_row(t, row.data(), b.bytes.data() + size_t(r) * rb, cols);
    }
    for (int64_t r = distinct; r < rows; ++r)
        std::memcpy(b.bytes.data() + size_t(r) * rb, b.bytes.data() + size_t(r % distinct) * rb,
                    rb);
    b.m = Matrix{t, rows, cols, b.bytes.data(), rb, kLayoutRows, nullptr};
    if (kernels().pack && !std::getenv("QE_NO_PACK")) kernels().pack(b.m);  // as the engine gets it
    return b;
}

// One persistent helper thread that spins between jobs, like the engine's pool.
class Helper {
  public:
    Helper() : thread_([this] { loop(); }) {}
    ~Helper() {
        stop_ = true;
        gen_.fetch_add(1);
        thread_.join();
    }
    void run(const std::function<void(int)>& fn) {  // fn(0) here, fn(1) on the helper
        job_ = &fn;
        done_.store(false);
        gen_.fetch_add(1, std::memory_order_release);
        fn(0);
        while (!done_.load(std::memory_order_acquire)) {
        }
    }

  private:
    void loop() {
        uint64_t seen = 0;
        while (true) {
            while (gen_.load(std::memory_order_acquire) == seen) {
            }
            seen = gen_.load();
            if (stop_) return;
            (*job_)(1);
            done_.store(true, std::memory_order_release);
        }
    }
    std::atomic<uint64_t> gen_{0};
    std::atomic<bool> done_{false}, stop_{false};
    const std::function<void(int)>* job_ = nullptr;
    std::thread thread_;
};

void BM_matvec(benchmark::State& state, DType t) {
    const int64_t rows = state.range(0), cols = state.range(1);
    const int threads = int(state.range(2));
    const BenchMatrix w = make_matrix_of(t, rows, cols);
    std::vector<float> x(static_cast<size_t>(cols)), y(static_cast<size_t>(rows));
    for (int64_t i = 0; i < cols; ++i) x[size_t(i)] = float(i % 17) * 0.1f - 0.8f;
    QuantizedActs xq;
    quantize_acts(act_format(t), x.data(), 1, cols, xq);
    std::unique_ptr<Helper> helper;
    if (threads == 2) helper = std::make_unique<Helper>();
    const std::function<void(int)> half = [&](int i) {
        const int64_t mid = (rows / 2 + 15) / 16 * 16;
        matvec(w.m, xq, y.data(), i == 0 ? 0 : mid, i == 0 ? mid : rows);
    };
    for (auto _ : state) {
        if (helper)
            helper->run(half);
        else
            matvec(w.m, xq, y.data(), 0, rows);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    const double bytes = double(w.bytes.size());
    state.SetBytesProcessed(int64_t(bytes) * state.iterations());
    state.counters["GB/s"] =
        benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(kernels().name));
}

void BM_matmul(benchmark::State& state, DType t) {
    const int64_t rows = state.range(0), cols = state.range(1), n = state.range(2);
    const BenchMatrix w = make_matrix_of(t, rows, cols);
    std::vector<float> x(static_cast<size_t>(n * cols)), y(static_cast<size_t>(n * rows));
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 23) * 0.1f - 1.1f;
    QuantizedActs xq;
    quantize_acts(act_format(t), x.data(), n, cols, xq);
    for (auto _ : state) {
        matmul(w.m, xq, y.data(), rows, 0, rows);
        benchmark::DoNotOptimize(y.data());
    }
    const double flops = 2.0 * double(rows) * double(cols) * double(n);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(kernels().name));
}

// One KV head's attention for a tile of queries over n cached positions (f16 cache): scores,
// softmax, weighted values, as a prefill runs it. Arguments: head size, queries, positions.
void BM_attention(benchmark::State& state) {
    const int64_t hd = state.range(0), nq = state.range(1), n = state.range(2);
    std::vector<uint16_t> keys(size_t(n * hd)), values(size_t(n * hd));
    for (size_t i = 0; i < keys.size(); ++i) {
        keys[i] = f32_to_f16(float(i % 19) * 0.05f - 0.45f);
        values[i] = f32_to_f16(float(i % 13) * 0.07f - 0.4f);
    }
    std::vector<float> q(size_t(nq * hd)), scores(size_t(nq * n)), out(size_t(nq * hd));
    for (size_t i = 0; i < q.size(); ++i) q[i] = float(i % 11) * 0.1f - 0.5f;
    const std::vector<int64_t> seen(size_t(nq), n);
    const KernelTable& k = kernels();
    for (auto _ : state) {
        k.attn_scores_f16(q.data(), nq, keys.data(), seen.data(), n, hd, 0.088f, scores.data());
        for (int64_t g = 0; g < nq; ++g) k.softmax(scores.data() + g * n, n);
        k.attn_values_f16(scores.data(), nq, values.data(), seen.data(), n, hd, out.data());
        benchmark::DoNotOptimize(out.data());
    }
    const double flops = 4.0 * double(hd) * double(nq) * double(n);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(k.name));
}

// The gated delta rule over a prompt run of one Qwen3.5 head (128 x 128 state): the recurrent
// form (a step per position) or the chunked one. Arguments: chunked (0/1), positions.
void BM_delta_rule(benchmark::State& state) {
    const bool chunked = state.range(0) != 0;
    const int64_t n = state.range(1), d = 128;
    std::mt19937 rng(7);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> qkv(static_cast<size_t>(n * 3 * d)), decay(static_cast<size_t>(n)),
        beta(static_cast<size_t>(n));
    for (auto& v : qkv) v = dist(rng) * 0.088f;  // about unit-norm q and k rows
    for (int64_t t = 0; t < n; ++t) {
        decay[size_t(t)] = 0.9f + 0.1f * float(t % 7) / 7.0f;
        beta[size_t(t)] = 0.5f;
    }
    std::vector<float> S(static_cast<size_t>(d * d), 0.0f), out(static_cast<size_t>(n * d)),
        u(static_cast<size_t>(d));
    std::vector<float> scratch(delta_rule_chunked_scratch(d, d));
    const KernelTable& k = kernels();
    DeltaRuleRun run;
    run.q = qkv.data();
    run.k = qkv.data() + d;
    run.v = qkv.data() + 2 * d;
    run.decay = decay.data();
    run.beta = beta.data();
    run.out = out.data();
    run.n = n;
    run.ld_qk = run.ld_v = 3 * d;
    run.ld_out = d;
    for (auto _ : state) {
        if (chunked) {
            k.delta_rule_chunked(S.data(), run, d, d, scratch.data());
        } else {
            for (int64_t t = 0; t < n; ++t)
                k.delta_rule_step(S.data(), run.k + t * 3 * d, run.v + t * 3 * d, run.q + t * 3 * d,
                                  decay[size_t(t)], beta[size_t(t)], out.data() + t * d, u.data(),
                                  d, d);
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["positions/s"] =
        benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(k.name));
}

std::string name(const char* kind, DType t) {
    std::string s(kind);
    s.append(dtype_name(t));
    return s;
}

void register_all() {
    const DType types32[] = {DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q4_1,
                             DType::Q5_1, DType::F16,  DType::BF16, DType::F32};
    const DType typesk[] = {DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q3_K, DType::Q2_K};
    for (DType t : types32) {
        auto* b = benchmark::RegisterBenchmark(name("matvec/", t).c_str(), BM_matvec, t);
        for (int threads : {1, 2}) {
            b->Args({896, 896, threads})->Args({4864, 896, threads})->Args({896, 4864, threads});
            if (t != DType::F32) b->Args({151936, 896, threads});
        }
        b->ArgNames({"rows", "cols", "threads"});
        // Qwen2.5-0.5B's shapes, then Qwen3-0.6B's (q: 2048 x 1024, FFN up 3072 x 1024, down
        // 1024 x 3072).
        benchmark::RegisterBenchmark(name("matmul/", t).c_str(), BM_matmul, t)
            ->Args({896, 896, 64})
            ->Args({4864, 896, 64})
            ->Args({896, 4864, 64})
            ->Args({2048, 1024, 64})
            ->Args({3072, 1024, 64})
            ->Args({1024, 3072, 64})
            ->ArgNames({"rows", "cols", "tokens"});
    }
    // Qwen3 (head 128, 2 query heads per KV head: a prefill tile of 8 positions is 16 queries)
    // and Qwen2.5 (head 64, 7 per KV head), in decode (one position) and prefill tiles.
    benchmark::RegisterBenchmark("attention", BM_attention)
        ->Args({128, 2, 512})
        ->Args({128, 16, 512})
        ->Args({64, 7, 512})
        ->Args({64, 14, 512})
        ->ArgNames({"head", "queries", "positions"});
    benchmark::RegisterBenchmark("delta_rule", BM_delta_rule)
        ->Args({0, 256})
        ->Args({1, 256})
        ->Args({1, 64})
        ->Args({1, 16})
        ->ArgNames({"chunked", "positions"});
    for (DType t : typesk) {
        benchmark::RegisterBenchmark(name("matvec/", t).c_str(), BM_matvec, t)
            ->Args({896, 4864, 1})
            ->Args({896, 4864, 2})
            ->ArgNames({"rows", "cols", "threads"});
    }
}

}  // namespace
}  // namespace qe

int main(int argc, char** argv) {
    qe::register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
