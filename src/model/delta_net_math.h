// The scalar pieces of a Gated DeltaNet layer that both forward passes use, so the reference and
// the fast path compute them the same way.
#pragma once

#include <algorithm>
#include <cmath>

namespace qe {

inline float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

// log(1 + e^x), exact where e^x would overflow.
inline float softplus(float x) {
    return x > 20.0f ? x : std::log1p(std::exp(x));
}

// x / max(|x|, eps), as llama.cpp's l2_norm.      x: [size]
inline void l2_normalize(float* x, int size, float eps) {
    double sum_sq = 0;
    for (int i = 0; i < size; ++i) sum_sq += double(x[i]) * x[i];
    const float scale = float(1.0 / std::max(std::sqrt(sum_sq), double(eps)));
    for (int i = 0; i < size; ++i) x[i] *= scale;
}

// The per-head decay of the delta rule's state: exp(A * softplus(alpha + dt_bias)), A = ssm_a
// (= -exp(A_log), as stored) < 0, so the decay is in (0, 1].
inline float delta_decay(float a, float alpha, float dt_bias) {
    return std::exp(a * softplus(alpha + dt_bias));
}

// One channel of the causal depthwise convolution at one position (the reference's form): its
// taps - 1 previous inputs (window, oldest first) and the current one, weights w (oldest tap
// first); window and weights both `stride` apart (the tap-major layouts); SiLU of the sum.
inline float causal_conv_silu(const float* w, int taps, const float* window, size_t stride,
                              float in) {
    float sum = 0;
    for (int j = 0; j < taps - 1; ++j) sum += w[size_t(j) * stride] * window[size_t(j) * stride];
    sum += w[size_t(taps - 1) * stride] * in;
    return sum / (1.0f + std::exp(-sum));
}

}  // namespace qe
