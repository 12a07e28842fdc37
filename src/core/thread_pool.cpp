#include "core/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace qe {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// A waiting thread first spins (the next parallel section of a token usually follows within
// microseconds), then yields its core (in case it is needed by a thread that is behind, when there
// are more threads than free cores), then sleeps.
constexpr int kSpinRounds = 2000;
constexpr int kYieldRounds = 200;

// One round of waiting; returns false once it is time to sleep.
inline bool wait_round(int& rounds) {
    ++rounds;
    if (rounds < kSpinRounds) {
        cpu_relax();
        return true;
    }
    if (rounds < kSpinRounds + kYieldRounds) {
        std::this_thread::yield();
        return true;
    }
    return false;
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads <= 0) n_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    workers_.reserve(size_t(n_threads - 1));
    for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& w : workers_) w.join();
}

void ThreadPool::record_error() {
    std::lock_guard lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
}

void ThreadPool::worker_loop(int thread) {
    uint64_t seen = 0;
    for (;;) {
        uint64_t now;
        int spins = 0;
        while ((now = generation_.load(std::memory_order_acquire)) == seen) {
            if (!wait_round(spins)) generation_.wait(seen, std::memory_order_acquire);
        }
        seen = now;
        if (stop_.load(std::memory_order_relaxed)) return;
        try {
            (*job_)(thread, size());
        } catch (...) {
            record_error();
        }
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    if (workers_.empty()) {
        fn(0, 1);
        return;
    }
    job_ = &fn;
    pending_.store(int(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    try {
        fn(0, size());
    } catch (...) {
        record_error();
    }
    int spins = 0;
    for (int left; (left = pending_.load(std::memory_order_acquire)) != 0;) {
        if (!wait_round(spins)) pending_.wait(left, std::memory_order_acquire);
    }
    job_ = nullptr;
    if (error_) {
        std::exception_ptr e;
        std::swap(e, error_);
        std::rethrow_exception(e);
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
    std::atomic<int64_t> next{0};
    run([&](int, int) {
        for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
    });
}

Range split_range(int64_t n, int part, int parts, int64_t align) {
    const int64_t units = (n + align - 1) / align;
    const int64_t begin = units * part / parts * align;
    const int64_t end = units * (part + 1) / parts * align;
    return {std::min(begin, n), std::min(end, n)};
}

}  // namespace qe
