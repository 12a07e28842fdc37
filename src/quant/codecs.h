// Per-type scalar codecs behind quant.h's dequantize_row / quantize_row. Each takes a count of
// whole blocks. Exposed so kernels and tests can call one type directly without a switch.
#pragma once

#include <cstdint>

#include "quant/blocks.h"

namespace qe {

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nblocks);
void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nblocks);
void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nblocks);
void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nblocks);
void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nblocks);
void dequantize_q8_1(const BlockQ8_1* x, float* y, int64_t nblocks);
void dequantize_q2_k(const BlockQ2_K* x, float* y, int64_t nblocks);
void dequantize_q3_k(const BlockQ3_K* x, float* y, int64_t nblocks);
void dequantize_q4_k(const BlockQ4_K* x, float* y, int64_t nblocks);
void dequantize_q5_k(const BlockQ5_K* x, float* y, int64_t nblocks);
void dequantize_q6_k(const BlockQ6_K* x, float* y, int64_t nblocks);
void dequantize_q8_k(const BlockQ8_K* x, float* y, int64_t nblocks);

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nblocks);
void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nblocks);
void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nblocks);
void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nblocks);
void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nblocks);
void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t nblocks);
void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t nblocks);
void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t nblocks);
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nblocks);
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nblocks);
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nblocks);
void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nblocks);

// The 6-bit scale/min pair i (0..7) of a Q4_K/Q5_K block, and its inverse.
inline void unpack_scale_min_k4(const uint8_t* s, int i, int* sc, int* m) {
    if (i < 4) {
        *sc = s[i] & 63;
        *m = s[i + 4] & 63;
    } else {
        *sc = (s[i + 4] & 0x0f) | ((s[i - 4] >> 6) << 4);
        *m = (s[i + 4] >> 4) | ((s[i] >> 6) << 4);
    }
}

// The 6-bit scale i (0..15) of a Q3_K block as stored (0..63; the value is this minus 32).
inline int unpack_scale_q3_k(const uint8_t* s, int i) {
    const int low = (s[i % 8] >> (4 * (i / 8))) & 0x0f;
    const int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
    return low | (high << 4);
}

}  // namespace qe
