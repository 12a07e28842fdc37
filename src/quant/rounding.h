// Small helpers shared by the quantizers.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/half.h"

namespace qe {

// Nearest integer of v clamped to [lo, hi]; NaN maps to lo. Clamping happens in float so the
// conversion is always defined, whatever the input.
inline int round_clamp(float v, int lo, int hi) {
    if (!(v >= float(lo))) return lo;
    if (v >= float(hi)) return hi;
    return int(std::nearbyint(v));
}

// A scale as the file will hold it: rounded through f16 (so quantizing against it is exact).
inline float f16_round(float v) {
    return f16_to_f32(f32_to_f16(v));
}

}  // namespace qe
