#include "model/matmul.h"

#include <algorithm>
#include <array>
#include <cassert>

namespace qe {

void MatmulInput::set(const float* x, int n, int64_t cols) {
    x_ = x;
    n_ = n;
    cols_ = cols;
    ready_.fill(false);
}

const QuantizedActs& MatmulInput::as(ActFormat f, ThreadPool& pool, const KernelTable& k) {
    const int i = int(f);
    QuantizedActs& acts = acts_[size_t(i)];
    if (ready_[size_t(i)]) return acts;
    acts.resize(f, n_, cols_);
    const QuantizeActFn quantize = k.quantize[i];
    auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) quantize(x_ + t * cols_, acts.row(t), cols_);
    };
    if (n_ == 1) {
        rows(0, 1);
    } else {
        pool.run([&](int thread, int n_threads) {
            const Range r = split_range(n_, thread, n_threads);
            rows(r.begin, r.end);
        });
    }
    ready_[size_t(i)] = true;
    return acts;
}

namespace {

// Rows [r0, r1) of w into y[t * ldy + r].
void rows_of(const MatKernels& k, const Matrix& w, const QuantizedActs& x, float* y, int64_t ldy,
             int64_t r0, int64_t r1) {
    if (r0 >= r1) return;
    if (x.n == 1) {
        k.matvec(w, x.row(0), y, r0, r1);
    } else {
        k.matmul(w, x.row(0), x.row_bytes, x.n, y, ldy, r0, r1);
    }
}

}  // namespace

void matmul(ThreadPool& pool, const KernelTable& table, float* out, MatmulInput& in,
            const Matrix& w) {
    const QuantizedActs& x = in.as(act_format(w.type), pool, table);
    assert(x.cols == w.cols);
    const MatKernels& k = table.mat[size_t(w.type)];
    pool.run([&](int thread, int n_threads) {
        const Range r = split_range(w.rows, thread, n_threads, 16);
        rows_of(k, w, x, out, w.rows, r.begin, r.end);
    });
}

void matmul(ThreadPool& pool, const KernelTable& table, MatmulInput& in,
            std::initializer_list<MatmulJob> jobs) {
    // The input in each format the matrices need, quantized before the pass (quantizing is a
    // parallel pass of its own).
    constexpr size_t kMaxJobs = 4;
    assert(jobs.size() <= kMaxJobs);
    std::array<const QuantizedActs*, kMaxJobs> acts{};
    size_t i = 0;
    for (const MatmulJob& j : jobs) acts[i++] = &in.as(act_format(j.w->type), pool, table);
    pool.run([&](int thread, int n_threads) {
        size_t job = 0;
        for (const MatmulJob& j : jobs) {
            const Range r = split_range(j.w->rows, thread, n_threads, 16);
            rows_of(table.mat[size_t(j.w->type)], *j.w, *acts[job++], j.out, j.w->rows, r.begin,
                    r.end);
        }
    });
}

void matmul_swiglu(ThreadPool& pool, const KernelTable& table, float* gate, float* up,
                   MatmulInput& in, const Matrix& w_gate, const Matrix& w_up) {
    assert(w_gate.rows == w_up.rows);
    const QuantizedActs& xg = in.as(act_format(w_gate.type), pool, table);
    const QuantizedActs& xu = in.as(act_format(w_up.type), pool, table);
    const int64_t rows = w_gate.rows;
    pool.run([&](int thread, int n_threads) {
        const Range r = split_range(rows, thread, n_threads, 16);
        rows_of(table.mat[size_t(w_gate.type)], w_gate, xg, gate, rows, r.begin, r.end);
        rows_of(table.mat[size_t(w_up.type)], w_up, xu, up, rows, r.begin, r.end);
        for (int t = 0; t < in.n(); ++t) {
            float* g = gate + size_t(t) * rows + r.begin;
            table.silu_mul(g, up + size_t(t) * rows + r.begin, g, r.end - r.begin);
        }
    });
}

void matmul(ThreadPool& pool, const KernelTable& table, float* out, MatmulInput& in,
            const SlicedMatrix& w) {
    const QuantizedActs& x = in.as(act_format(w.slices.at(0).type), pool, table);
    assert(x.cols == w.cols);
    const MatKernels& k = table.mat[size_t(w.slices[0].type)];
    pool.run([&](int thread, int n_threads) {
        // This thread's rows of the whole matrix, cut where the slices meet.
        const Range r = split_range(w.rows, thread, n_threads, 16);
        for (int64_t row = r.begin; row < r.end;) {
            const size_t s = size_t(row / w.slice_rows);
            const int64_t first = int64_t(s) * w.slice_rows;
            const int64_t end = std::min(r.end, first + w.slices[s].rows);
            rows_of(k, w.slices[s], x, out + first, w.rows, row - first, end - first);
            row = end;
        }
    });
}

}  // namespace qe
