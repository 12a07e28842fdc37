#include "model/matmul.h"

#include <cstdint>
#include <vector>

#include "quant/quant.h"

namespace qe {
namespace {

// Eight independent sums, so the compiler can keep them in vector registers without reordering a
// single float sum (which it may not do without -ffast-math).
float dot(const float* a, const float* b, int64_t n) {
    float acc[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
    float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

}  // namespace

void matmul(ThreadPool& pool, float* out, const float* x, const TensorView& w, int n) {
    const int64_t rows = w.rows(), cols = w.cols();
    const size_t row_size = *row_bytes(w.dtype, cols);
    const auto* base = static_cast<const uint8_t*>(w.data);
    pool.run([&](int thread, int n_threads) {
        thread_local std::vector<float> row;  // one decoded weight row
        row.resize(size_t(cols));
        const Range r = split_range(rows, thread, n_threads, 16);
        for (int64_t i = r.begin; i < r.end; ++i) {
            dequantize_row(w.dtype, base + size_t(i) * row_size, row.data(), cols);
            for (int t = 0; t < n; ++t) out[t * rows + i] = dot(row.data(), x + t * cols, cols);
        }
    });
}

}  // namespace qe
