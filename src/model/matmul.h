// Threaded matrix products for the fast forward pass: the one place where weight rows meet
// activations, so faster kernels slot in here without touching the forward pass.
#pragma once

#include "core/tensor.h"
#include "core/thread_pool.h"

namespace qe {

// out[t][r] = sum_c w[r][c] * x[t][c]     x: [n, cols], w: [rows, cols], out: [n, rows]
// The rows of w are split across the pool's threads.
void matmul(ThreadPool& pool, float* out, const float* x, const TensorView& w, int n);

}  // namespace qe
