#include "model/matmul.h"

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

void matmul(ThreadPool& pool, const KernelTable& table, float* out, MatmulInput& in,
            const Matrix& w) {
    const QuantizedActs& x = in.as(act_format(w.type), pool, table);
    assert(x.cols == w.cols);
    const MatKernels& k = table.mat[size_t(w.type)];
    pool.run([&](int thread, int n_threads) {
        const Range r = split_range(w.rows, thread, n_threads, 16);
        if (r.begin == r.end) return;
        if (x.n == 1) {
            k.matvec(w, x.row(0), out, r.begin, r.end);
        } else {
            k.matmul(w, x.row(0), x.row_bytes, x.n, out, w.rows, r.begin, r.end);
        }
    });
}

}  // namespace qe
