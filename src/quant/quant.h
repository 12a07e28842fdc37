// Scalar reference codecs for every tensor type: the spec that SIMD kernels are tested against.
// Block layouts are in blocks.h (fixed-layout structs with static_assert'ed sizes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace qe {

// Decode n elements (a whole number of blocks of t) from src into dst.
void dequantize_row(DType t, const void* src, float* dst, int64_t n);

// Encode n elements (a whole number of blocks of t). Straightforward round-to-nearest quantizers;
// for K-types a correct, not necessarily optimal, choice of scales.
void quantize_row(DType t, const float* src, void* dst, int64_t n);

}  // namespace qe
