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

}  // namespace qe::test
