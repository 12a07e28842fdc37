// Threaded matrix products for the fast forward pass, over the kernel table (src/kernels): the one
// place where weight rows meet activations.
//
// An input x [n, cols] is quantized once per activation format (MatmulInput), so the matrices
// that share an input (Q/K/V, gate/up) prepare it once; the weight rows are then split across the
// pool's threads, each calling the kernels on its own row range.
#pragma once

#include <array>
#include <initializer_list>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace qe {

class MatmulInput {
  public:
    // Points at new activations x: [n, cols]; forgets earlier quantizations.
    void set(const float* x, int n, int64_t cols);

    // x in format f, quantized (in parallel over rows) at the first request after set().
    const QuantizedActs& as(ActFormat f, ThreadPool& pool, const KernelTable& k);

    int n() const { return n_; }

  private:
    const float* x_ = nullptr;
    int n_ = 0;
    int64_t cols_ = 0;
    std::array<QuantizedActs, 3> acts_;  // by ActFormat
    std::array<bool, 3> ready_{};
};

// out[t][r] = sum_c w[r][c] * x[t][c]     x: in [n, w.cols], out: [n, w.rows]
void matmul(ThreadPool& pool, const KernelTable& k, float* out, MatmulInput& in, const Matrix& w);

// Several matrices of one input in one parallel pass (one wait for the threads instead of one per
// matrix): Q/K/V.    out[i]: [n, w[i]->rows]
struct MatmulJob {
    float* out;
    const Matrix* w;
};
void matmul(ThreadPool& pool, const KernelTable& k, MatmulInput& in,
            std::initializer_list<MatmulJob> jobs);

// The feed-forward's first half in one pass: gate = silu(w_gate x) * (w_up x). Each thread
// applies SiLU to the rows it computed of both, so no wait comes between the products and the
// activation.    gate, up: [n, w_gate.rows] (up is scratch)
void matmul_swiglu(ThreadPool& pool, const KernelTable& k, float* gate, float* up, MatmulInput& in,
                   const Matrix& w_gate, const Matrix& w_up);

// A matrix held as consecutive row slices of slice_rows rows each (the last may be shorter), all
// of one type; slice_rows is a multiple of 64.
struct SlicedMatrix {
    std::vector<Matrix> slices;
    int64_t slice_rows = 0;
    int64_t rows = 0, cols = 0;
};

// The same product over a sliced matrix: out: [n, w.rows].
void matmul(ThreadPool& pool, const KernelTable& k, float* out, MatmulInput& in,
            const SlicedMatrix& w);

}  // namespace qe
