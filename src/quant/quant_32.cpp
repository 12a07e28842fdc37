// Codecs of the 32-element block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1. Quantizers round to
// nearest against the f16-rounded scale that is stored, so decode(encode(x)) is as close as the
// format allows for that scale.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "quant/codecs.h"
#include "quant/rounding.h"

namespace qe {
namespace {

constexpr int kHalf = kBlock32 / 2;

uint32_t load_qh(const uint8_t* qh) {
    return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

void store_qh(uint8_t* qh, uint32_t v) {
    for (int i = 0; i < 4; ++i) qh[i] = uint8_t(v >> (8 * i));
}

// The element of largest magnitude, with its sign (symmetric types map it to the extra negative
// level, e.g. -8 for Q4_0).
float signed_absmax(const float* x) {
    float best = 0.0f;
    for (int j = 0; j < kBlock32; ++j)
        if (std::fabs(x[j]) > std::fabs(best)) best = x[j];
    return best;
}

// Quantizes one block symmetrically to q in [0, 2*half) with value d * (q - half).
float quantize_symmetric(const float* x, int half, uint8_t* q) {
    const float d = f16_round(signed_absmax(x) / float(-half));
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < kBlock32; ++j)
        q[j] = uint8_t(round_clamp(x[j] * id, -half, half - 1) + half);
    return d;
}

// Quantizes one block to q in [0, levels) with value d * q + m.
void quantize_offset(const float* x, int levels, uint8_t* q, float* d_out, float* m_out) {
    float lo = x[0], hi = x[0];
    for (int j = 1; j < kBlock32; ++j) {
        lo = std::min(lo, x[j]);
        hi = std::max(hi, x[j]);
    }
    const float m = f16_round(lo);
    const float d = f16_round((hi - lo) / float(levels - 1));
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < kBlock32; ++j) q[j] = uint8_t(round_clamp((x[j] - m) * id, 0, levels - 1));
    *d_out = d;
    *m_out = m;
}

void pack_nibbles(const uint8_t* q, uint8_t* qs) {
    for (int j = 0; j < kHalf; ++j) qs[j] = uint8_t((q[j] & 0x0f) | (q[j + kHalf] & 0x0f) << 4);
}

uint32_t high_bits(const uint8_t* q) {
    uint32_t h = 0;
    for (int j = 0; j < kBlock32; ++j) h |= uint32_t((q[j] >> 4) & 1) << j;
    return h;
}

}  // namespace

void dequantize_q4_0(const BlockQ4_0* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = d * float((x[b].qs[j] & 0x0f) - 8);
            y[j + kHalf] = d * float((x[b].qs[j] >> 4) - 8);
        }
    }
}

void dequantize_q4_1(const BlockQ4_1* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d), m = f16_to_f32(x[b].m);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = d * float(x[b].qs[j] & 0x0f) + m;
            y[j + kHalf] = d * float(x[b].qs[j] >> 4) + m;
        }
    }
}

void dequantize_q5_0(const BlockQ5_0* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        const uint32_t qh = load_qh(x[b].qh);
        for (int j = 0; j < kHalf; ++j) {
            const int lo = (x[b].qs[j] & 0x0f) | int((qh >> j) & 1) << 4;
            const int hi = (x[b].qs[j] >> 4) | int((qh >> (j + kHalf)) & 1) << 4;
            y[j] = d * float(lo - 16);
            y[j + kHalf] = d * float(hi - 16);
        }
    }
}

void dequantize_q5_1(const BlockQ5_1* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d), m = f16_to_f32(x[b].m);
        const uint32_t qh = load_qh(x[b].qh);
        for (int j = 0; j < kHalf; ++j) {
            const int lo = (x[b].qs[j] & 0x0f) | int((qh >> j) & 1) << 4;
            const int hi = (x[b].qs[j] >> 4) | int((qh >> (j + kHalf)) & 1) << 4;
            y[j] = d * float(lo) + m;
            y[j + kHalf] = d * float(hi) + m;
        }
    }
}

void dequantize_q8_0(const BlockQ8_0* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (int j = 0; j < kBlock32; ++j) y[j] = d * float(x[b].qs[j]);
    }
}

void dequantize_q8_1(const BlockQ8_1* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (int j = 0; j < kBlock32; ++j) y[j] = d * float(x[b].qs[j]);
    }
}

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        uint8_t q[kBlock32];
        y[b].d = f32_to_f16(quantize_symmetric(x, 8, q));
        pack_nibbles(q, y[b].qs);
    }
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        uint8_t q[kBlock32];
        float d, m;
        quantize_offset(x, 16, q, &d, &m);
        y[b].d = f32_to_f16(d);
        y[b].m = f32_to_f16(m);
        pack_nibbles(q, y[b].qs);
    }
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        uint8_t q[kBlock32];
        y[b].d = f32_to_f16(quantize_symmetric(x, 16, q));
        store_qh(y[b].qh, high_bits(q));
        pack_nibbles(q, y[b].qs);
    }
}

void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        uint8_t q[kBlock32];
        float d, m;
        quantize_offset(x, 32, q, &d, &m);
        y[b].d = f32_to_f16(d);
        y[b].m = f32_to_f16(m);
        store_qh(y[b].qh, high_bits(q));
        pack_nibbles(q, y[b].qs);
    }
}

namespace {

// Symmetric 8-bit: d = absmax / 127, q = round(x / d). Returns d and the sum of q.
float quantize_8bit(const float* x, int8_t* qs, int* sum) {
    float amax = 0.0f;
    for (int j = 0; j < kBlock32; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = f16_round(amax / 127.0f);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    int s = 0;
    for (int j = 0; j < kBlock32; ++j) {
        qs[j] = int8_t(round_clamp(x[j] * id, -127, 127));
        s += qs[j];
    }
    *sum = s;
    return d;
}

}  // namespace

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        int sum;
        y[b].d = f32_to_f16(quantize_8bit(x, y[b].qs, &sum));
    }
}

void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlock32) {
        int sum;
        const float d = quantize_8bit(x, y[b].qs, &sum);
        y[b].d = f32_to_f16(d);
        y[b].s = f32_to_f16(d * float(sum));
    }
}

}  // namespace qe
