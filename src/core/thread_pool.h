// A persistent pool of worker threads for the forward pass: the caller's thread works too, and
// waiting threads spin briefly before sleeping, so the many short parallel sections of one token
// (a few microseconds each) don't pay for waking a thread each time.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qe {

class ThreadPool {
  public:
    // n_threads counts the calling thread; 0 means one per hardware thread.
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }

    // Calls fn(thread, n_threads) once on every thread (the caller is thread 0) and returns when
    // all have finished. An exception thrown by fn is rethrown here (the first one, if several).
    // Not reentrant: fn must not call run() on the same pool.
    void run(const std::function<void(int thread, int n_threads)>& fn);

    // Calls fn(i) for every i in [0, n), handing out indices dynamically (for uneven tasks).
    void parallel_for(int64_t n, const std::function<void(int64_t i)>& fn);

  private:
    void worker_loop(int thread);
    void record_error();

    std::vector<std::thread> workers_;
    const std::function<void(int, int)>* job_ = nullptr;
    std::atomic<uint64_t> generation_{0};  // bumped once per run(); workers wait for a change
    std::atomic<int> pending_{0};          // workers still busy with the current job
    std::atomic<bool> stop_{false};
    std::mutex error_mutex_;
    std::exception_ptr error_;
};

// Splits [0, n) into `parts` contiguous ranges of near-equal size, each a multiple of `align`
// except the last; returns the begin/end of range `part`.
struct Range {
    int64_t begin, end;
};
Range split_range(int64_t n, int part, int parts, int64_t align = 1);

}  // namespace qe
