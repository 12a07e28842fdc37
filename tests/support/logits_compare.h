// Comparing logits rows: cosine similarity and argmax, as the conformance thresholds are stated.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

namespace qe::test {

inline double cosine(std::span<const float> a, std::span<const float> b) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    if (a.size() != b.size() || aa == 0 || bb == 0) return 0;
    return ab / std::sqrt(aa * bb);
}

inline size_t argmax(std::span<const float> a) {
    return size_t(std::max_element(a.begin(), a.end()) - a.begin());
}

inline float max_abs_diff(std::span<const float> a, std::span<const float> b) {
    float m = a.size() == b.size() ? 0.0f : INFINITY;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

// The gap between the largest and the second largest value.
inline float top2_margin(std::span<const float> a) {
    float first = -INFINITY, second = -INFINITY;
    for (float v : a) {
        if (v > first) {
            second = first;
            first = v;
        } else if (v > second) {
            second = v;
        }
    }
    return first - second;
}

// How far two logits rows may differ when they differ only by rounding upstream: another order of
// float additions can flip the rounding of an 8-bit activation (a step of 1/254 of its block's
// range) a few layers earlier, so 1% of the spread of the logits.
inline float rounding_tolerance(std::span<const float> a) {
    const auto [lo, hi] = std::minmax_element(a.begin(), a.end());
    return a.empty() ? 0.0f : 0.01f * (*hi - *lo);
}

// A near-tie: the two best tokens within 1% of the spread of the logits, where 8-bit activations
// (or any other rounding of that size) may legitimately pick either.
inline bool near_tie(std::span<const float> a) {
    const auto [lo, hi] = std::minmax_element(a.begin(), a.end());
    return top2_margin(a) < 0.01f * (*hi - *lo);
}

}  // namespace qe::test
