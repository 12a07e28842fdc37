// The NEON kernels (internal), shared by two tables compiled with different flags: arm/neon.cpp
// (ARMv8.2-A + dotprod: Raspberry Pi 5, Cortex-A76) and arm/neon_plain.cpp (ARMv8.0-A: Raspberry
// Pi 4, Cortex-A72). The including file first defines, in namespace qe::{anonymous},
//     int32x4_t dot_i8(int32x4_t acc, int8x16_t a, int8x16_t b);
// which adds the products a[i] * b[i] (exact, in int32) to acc's lanes, in any grouping: only the
// sum of the 4 lanes is used.
//
// Quantized dot products (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1): each weight block unpacks to two int8x16
// halves (nibbles with their offset already subtracted, so Q4_0/Q5_0 need no correction), dot_i8
// multiplies them with the int8 activations into 4 exact int32 lanes; one FMA per block applies
// both scales. Q4_1/Q5_1 add their minimum through the activation block sum.
// Tiles: matvec does 4 rows at once (4 independent FMA chains); matmul does 2 rows x 4 tokens so
// each weight block is unpacked once per 4 tokens.
//
// Not written here yet (the generic kernels are used): the K-quant types (Q2_K .. Q6_K) and the
// float weight matrices (F32, F16, BF16).
//
// Everything has internal linkage, and no header with shared inline functions (core/half.h) is
// included: an out-of-line copy built with one file's flags could be picked by the linker for
// another file and run on a CPU without those instructions.
#pragma once

#include <arm_neon.h>

#include <cmath>

#include "kernels/act_layout.h"
#include "kernels/delta_chunk.h"
#include "kernels/tables.h"
#include "kernels/token_tiles.h"
#include "quant/blocks.h"

namespace qe {
namespace {

inline float half(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

// ---- activation quantization (bit-identical to the generic table) ----

inline float absmax(const float* x, int n) {
    float32x4_t m = vdupq_n_f32(0.0f);
    // maxnm ignores NaN, as std::fmax does in the generic table.
    for (int k = 0; k < n; k += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + k)));
    return vmaxnmvq_f32(m);
}

// Rounds 16 floats (times id) to int8 (nearest even, saturated, NaN -> -128 like the generic
// table) in element order; returns their sum.
inline int32_t round_pack_16(const float* x, float id, int8_t* out) {
    int32x4_t q[4];
    for (int k = 0; k < 4; ++k) {
        const float32x4_t v = vmulq_n_f32(vld1q_f32(x + 4 * k), id);
        int32x4_t i = vcvtnq_s32_f32(v);
        i = vmaxq_s32(vminq_s32(i, vdupq_n_s32(127)), vdupq_n_s32(-128));
        q[k] = vbslq_s32(vceqq_f32(v, v), i, vdupq_n_s32(-128));
    }
    const int16x8_t lo = vcombine_s16(vmovn_s32(q[0]), vmovn_s32(q[1]));
    const int16x8_t hi = vcombine_s16(vmovn_s32(q[2]), vmovn_s32(q[3]));
    vst1q_s8(out, vcombine_s8(vmovn_s16(lo), vmovn_s16(hi)));
    return vaddvq_s32(vaddq_s32(vaddq_s32(q[0], q[1]), vaddq_s32(q[2], q[3])));
}

void quantize_f32(const float* x, uint8_t* xq, int64_t cols) {
    auto* y = reinterpret_cast<float*>(xq);
    for (int64_t i = 0; i < cols; ++i) y[i] = x[i];
}

void quantize_q8_32(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 32;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* sum = reinterpret_cast<int32_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        const float amax = absmax(x + 32 * b, 32);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        sum[b] = round_pack_16(x + 32 * b, id, qs + 32 * b) +
                 round_pack_16(x + 32 * b + 16, id, qs + 32 * b + 16);
    }
}

void quantize_q8_256(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 256;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* bsums = reinterpret_cast<int16_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        const float amax = absmax(x + 256 * b, 256);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        for (int g = 0; g < 16; ++g)
            bsums[16 * b + g] =
                int16_t(round_pack_16(x + 256 * b + 16 * g, id, qs + 256 * b + 16 * g));
    }
}

// ---- weight block decoders for the 32-element types ----
// load() gives elements 0..15 and 16..31 as signed int8 (offsets applied); d() the scale;
// kHasMin types add m() * d_a * (activation block sum).

// 0x10 in byte j where bit j (of 16, starting at bit 16 * part) of the little-endian qh is set.
inline uint8x16_t fifth_bits(const uint8_t* qh, int part) {
    const uint8x16_t bytes =
        vreinterpretq_u8_u16(vdupq_n_u16(uint16_t(qh[2 * part] | unsigned(qh[2 * part + 1]) << 8)));
    // byte k of the result looks at qh byte k / 8 (bytes 0, 1 of the 16-bit lane), bit k % 8.
    static const uint8_t kIndex[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t spread = vqtbl1q_u8(bytes, vld1q_u8(kIndex));
    return vandq_u8(vtstq_u8(spread, vld1q_u8(kBit)), vdupq_n_u8(0x10));
}

inline void nibbles(const uint8_t* qs, uint8x16_t& lo, uint8x16_t& hi) {
    const uint8x16_t q = vld1q_u8(qs);
    lo = vandq_u8(q, vdupq_n_u8(0x0f));
    hi = vshrq_n_u8(q, 4);
}

struct Q4_0K {
    using Block = BlockQ4_0;
    static constexpr bool kHasMin = false;
    static void load(const Block& b, int8x16_t& lo, int8x16_t& hi) {
        uint8x16_t l, h;
        nibbles(b.qs, l, h);
        lo = vsubq_s8(vreinterpretq_s8_u8(l), vdupq_n_s8(8));
        hi = vsubq_s8(vreinterpretq_s8_u8(h), vdupq_n_s8(8));
    }
    static float d(const Block& b) { return half(b.d); }
    static float m(const Block&) { return 0.0f; }
};

struct Q4_1K {
    using Block = BlockQ4_1;
    static constexpr bool kHasMin = true;
    static void load(const Block& b, int8x16_t& lo, int8x16_t& hi) {
        uint8x16_t l, h;
        nibbles(b.qs, l, h);
        lo = vreinterpretq_s8_u8(l);
        hi = vreinterpretq_s8_u8(h);
    }
    static float d(const Block& b) { return half(b.d); }
    static float m(const Block& b) { return half(b.m); }
};

struct Q5_0K {
    using Block = BlockQ5_0;
    static constexpr bool kHasMin = false;
    static void load(const Block& b, int8x16_t& lo, int8x16_t& hi) {
        uint8x16_t l, h;
        nibbles(b.qs, l, h);
        lo = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(l, fifth_bits(b.qh, 0))), vdupq_n_s8(16));
        hi = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(h, fifth_bits(b.qh, 1))), vdupq_n_s8(16));
    }
    static float d(const Block& b) { return half(b.d); }
    static float m(const Block&) { return 0.0f; }
};

struct Q5_1K {
    using Block = BlockQ5_1;
    static constexpr bool kHasMin = true;
    static void load(const Block& b, int8x16_t& lo, int8x16_t& hi) {
        uint8x16_t l, h;
        nibbles(b.qs, l, h);
        lo = vreinterpretq_s8_u8(vorrq_u8(l, fifth_bits(b.qh, 0)));
        hi = vreinterpretq_s8_u8(vorrq_u8(h, fifth_bits(b.qh, 1)));
    }
    static float d(const Block& b) { return half(b.d); }
    static float m(const Block& b) { return half(b.m); }
};

struct Q8_0K {
    using Block = BlockQ8_0;
    static constexpr bool kHasMin = false;
    static void load(const Block& b, int8x16_t& lo, int8x16_t& hi) {
        lo = vld1q_s8(b.qs);
        hi = vld1q_s8(b.qs + 16);
    }
    static float d(const Block& b) { return half(b.d); }
    static float m(const Block&) { return 0.0f; }
};

// R weight rows x T activation rows over nb blocks; res[r][t] = dot.
template <class K, int R, int T>
inline void tile32(const typename K::Block* const* w, const act::Q8_32Row* a, int64_t nb,
                   float (*res)[T]) {
    float32x4_t acc[R][T];
    float corr[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) {
            acc[r][t] = vdupq_n_f32(0.0f);
            corr[r][t] = 0.0f;
        }
    for (int64_t b = 0; b < nb; ++b) {
        int8x16_t alo[T], ahi[T];
        for (int t = 0; t < T; ++t) {
            alo[t] = vld1q_s8(a[t].qs + 32 * b);
            ahi[t] = vld1q_s8(a[t].qs + 32 * b + 16);
        }
        for (int r = 0; r < R; ++r) {
            const auto& blk = w[r][b];
            int8x16_t lo, hi;
            K::load(blk, lo, hi);
            const float dw = K::d(blk);
            for (int t = 0; t < T; ++t) {
                const float da = a[t].d[b];
                const int32x4_t p = dot_i8(dot_i8(vdupq_n_s32(0), lo, alo[t]), hi, ahi[t]);
                acc[r][t] = vfmaq_n_f32(acc[r][t], vcvtq_f32_s32(p), dw * da);
                if constexpr (K::kHasMin) corr[r][t] += K::m(blk) * da * float(a[t].sum[b]);
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) res[r][t] = vaddvq_f32(acc[r][t]) + corr[r][t];
}

template <class K>
const typename K::Block* row_ptr(const Matrix& w, int64_t r) {
    return reinterpret_cast<const typename K::Block*>(w.data + size_t(r) * w.row_bytes);
}

template <class K>
void matvec32(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const int64_t nb = w.cols / 32;
    const act::Q8_32Row a = act::q8_32_row(xq, w.cols);
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const typename K::Block* rows[4] = {row_ptr<K>(w, r), row_ptr<K>(w, r + 1),
                                            row_ptr<K>(w, r + 2), row_ptr<K>(w, r + 3)};
        float res[4][1];
        tile32<K, 4, 1>(rows, &a, nb, res);
        for (int i = 0; i < 4; ++i) y[r + i] = res[i][0];
    }
    for (; r < r1; ++r) {
        const typename K::Block* rows[1] = {row_ptr<K>(w, r)};
        float res[1][1];
        tile32<K, 1, 1>(rows, &a, nb, res);
        y[r] = res[0][0];
    }
}

template <class K, int T>
void matmul32_tokens(const Matrix& w, const act::Q8_32Row* a, float* y, int64_t ldy, int64_t r0,
                     int64_t r1) {
    const int64_t nb = w.cols / 32;
    int64_t r = r0;
    for (; r + 2 <= r1; r += 2) {
        const typename K::Block* rows[2] = {row_ptr<K>(w, r), row_ptr<K>(w, r + 1)};
        float res[2][T];
        tile32<K, 2, T>(rows, a, nb, res);
        for (int i = 0; i < 2; ++i)
            for (int t = 0; t < T; ++t) y[t * ldy + r + i] = res[i][t];
    }
    for (; r < r1; ++r) {
        const typename K::Block* rows[1] = {row_ptr<K>(w, r)};
        float res[1][T];
        tile32<K, 1, T>(rows, a, nb, res);
        for (int t = 0; t < T; ++t) y[t * ldy + r] = res[0][t];
    }
}

// Rows in chunks whose weights stay in cache while every token passes over them; 4 tokens per
// tile.
template <class K>
void matmul32(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
              int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kRowChunk = 64;
    for (int64_t rc = r0; rc < r1; rc += kRowChunk) {
        const int64_t rc1 = rc + kRowChunk < r1 ? rc + kRowChunk : r1;
        for_token_tiles<act::Q8_32Row>(
            n, [&](int64_t t) { return act::q8_32_row(xq + size_t(t) * xq_row_bytes, w.cols); },
            [&]<int T>(const act::Q8_32Row* a, int64_t t0) {
                matmul32_tokens<K, T>(w, a, y + t0 * ldy, ldy, rc, rc1);
            });
    }
}

template <class K>
constexpr MatKernels mat32() {
    return {matvec32<K>, matmul32<K>};
}

// ---- vector ops ----

inline float32x4_t load4_f16(const uint16_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}

// The last n < 4 halves, zero-padded, converted.
inline float32x4_t load_tail_f16(const uint16_t* p, int64_t n) {
    uint16_t buf[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < n; ++i) buf[i] = p[i];
    return load4_f16(buf);
}

float dot_f32(const float* a, const float* b, int64_t n) {
    float32x4_t acc[4] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f), vdupq_n_f32(0.0f),
                          vdupq_n_f32(0.0f)};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 4; ++k)
            acc[k] = vfmaq_f32(acc[k], vld1q_f32(a + i + 4 * k), vld1q_f32(b + i + 4 * k));
    for (; i + 4 <= n; i += 4) acc[0] = vfmaq_f32(acc[0], vld1q_f32(a + i), vld1q_f32(b + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

// Attention over the f16 cache, as in the AVX2 table: blocks of 8 (keys) or 16 (values) rows
// converted once to f32 for every query head of the group, 8 keys' scores reduced together,
// the weighted values summed in registers. Other head sizes (not a multiple of 4 for the scores,
// of 32 for the values, or above 256) take the generic kernels.
constexpr int64_t kMaxHeadDim = 256;

// rows [0, m) of f16 (hd each, hd % 4 == 0) to f32 at dst; rows [m, rows) zero.
inline void convert_rows(const uint16_t* src, int64_t m, int64_t rows, int64_t hd, float* dst) {
    for (int64_t i = 0; i < m * hd; i += 4) vst1q_f32(dst + i, load4_f16(src + i));
    for (int64_t i = m * hd; i < rows * hd; ++i) dst[i] = 0.0f;
}

void attn_scores_f16(const float* q, int64_t nq, const uint16_t* k, const int64_t* nk, int64_t n,
                     int64_t hd, float scale, float* s) {
    if (hd % 4 != 0 || hd > kMaxHeadDim)
        return generic_table().attn_scores_f16(q, nq, k, nk, n, hd, scale, s);
    alignas(16) float kb[8 * kMaxHeadDim];
    for (int64_t j0 = 0; j0 < n; j0 += 8) {
        const int64_t m = n - j0 < 8 ? n - j0 : 8;
        convert_rows(k + j0 * hd, m, 8, hd, kb);
        for (int64_t g = 0; g < nq; ++g) {
            if (j0 >= nk[g]) continue;
            // A lane's sum is its key's alone: the rows past this query's keys change nothing.
            const int64_t mg = nk[g] - j0 < 8 ? nk[g] - j0 : 8;
            const float* qg = q + g * hd;
            float32x4_t acc[8];
            for (auto& a : acc) a = vdupq_n_f32(0.0f);
            for (int64_t c = 0; c < hd; c += 4) {
                const float32x4_t qv = vld1q_f32(qg + c);
                for (int i = 0; i < 8; ++i)
                    acc[i] = vfmaq_f32(acc[i], qv, vld1q_f32(kb + i * hd + c));
            }
            // lane i of r0 (r1) = the sum of acc[i] (acc[4 + i])
            const float32x4_t r0 =
                vpaddq_f32(vpaddq_f32(acc[0], acc[1]), vpaddq_f32(acc[2], acc[3]));
            const float32x4_t r1 =
                vpaddq_f32(vpaddq_f32(acc[4], acc[5]), vpaddq_f32(acc[6], acc[7]));
            alignas(16) float tmp[8];
            vst1q_f32(tmp, vmulq_n_f32(r0, scale));
            vst1q_f32(tmp + 4, vmulq_n_f32(r1, scale));
            for (int64_t i = 0; i < mg; ++i) s[g * n + j0 + i] = tmp[i];
        }
    }
}

// out[0, 32) += sum over the m rows of p[i] * vb row i (32 columns: 8 registers of sums).
inline void add_weighted_rows(const float* p, const float* vb, int64_t m, int64_t hd, float* out) {
    float32x4_t acc[8];
    for (int c = 0; c < 8; ++c) acc[c] = vld1q_f32(out + 4 * c);
    for (int64_t i = 0; i < m; ++i)
        for (int c = 0; c < 8; ++c)
            acc[c] = vfmaq_n_f32(acc[c], vld1q_f32(vb + i * hd + 4 * c), p[i]);
    for (int c = 0; c < 8; ++c) vst1q_f32(out + 4 * c, acc[c]);
}

void attn_values_f16(const float* p, int64_t nq, const uint16_t* v, const int64_t* nk, int64_t n,
                     int64_t hd, float* out) {
    if (hd % 32 != 0 || hd > kMaxHeadDim)
        return generic_table().attn_values_f16(p, nq, v, nk, n, hd, out);
    for (int64_t i = 0; i < nq * hd; ++i) out[i] = 0.0f;
    constexpr int64_t kRows = 16;
    alignas(16) float vb[kRows * kMaxHeadDim];
    for (int64_t j0 = 0; j0 < n; j0 += kRows) {
        const int64_t m = n - j0 < kRows ? n - j0 : kRows;
        convert_rows(v + j0 * hd, m, m, hd, vb);
        for (int64_t g = 0; g < nq; ++g) {
            const int64_t mg = nk[g] - j0 < m ? nk[g] - j0 : m;  // this query's rows of the block
            if (mg <= 0) continue;
            for (int64_t c0 = 0; c0 < hd; c0 += 32)
                add_weighted_rows(p + g * n + j0, vb + c0, mg, hd, out + g * hd + c0);
        }
    }
}

void f16_to_f32_row(const uint16_t* x, float* y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, load4_f16(x + i));
    if (i < n) {
        float buf[4];
        vst1q_f32(buf, load_tail_f16(x + i, n - i));
        for (int64_t k = 0; i + k < n; ++k) y[i + k] = buf[k];
    }
}

// Rounds to nearest even (the default FPCR mode, which Linux never changes for user code).
void f32_to_f16_row(const float* x, uint16_t* y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1_u16(y + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
    if (i < n) {
        float in[4] = {0, 0, 0, 0};
        uint16_t out[4];
        for (int64_t k = 0; i + k < n; ++k) in[k] = x[i + k];
        vst1_u16(out, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(in))));
        for (int64_t k = 0; i + k < n; ++k) y[i + k] = out[k];
    }
}

void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps) {
    const float ss = dot_f32(x, x, n);
    const float scale = 1.0f / std::sqrt(ss / float(n) + eps);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vmulq_f32(vmulq_n_f32(vld1q_f32(x + i), scale), vld1q_f32(w + i)));
    for (; i < n; ++i) y[i] = x[i] * scale * w[i];
}

// e^x for 4 lanes, relative error ~1e-7: x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor
// series to r^7 (remainder < 1e-8), times 2^k built in the exponent bits. x is clamped to the
// range where 2^k is a normal float (results below e^-87 become ~1e-38, not 0).
inline float32x4_t exp4(float32x4_t x) {
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.0f)), vdupq_n_f32(88.0f));
    const float32x4_t k = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
    float32x4_t r = vfmsq_f32(x, k, vdupq_n_f32(0.693359375f));  // ln2 high part (exact k * hi)
    r = vfmsq_f32(r, k, vdupq_n_f32(-2.12194440e-4f));           // ln2 low part
    float32x4_t p = vdupq_n_f32(1.0f / 5040.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 720.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

void softmax(float* x, int64_t n) {
    if (n <= 0) return;
    float mx = x[0];
    int64_t i = 0;
    if (n >= 4) {
        float32x4_t m = vld1q_f32(x);
        for (i = 4; i + 4 <= n; i += 4) m = vmaxnmq_f32(m, vld1q_f32(x + i));
        mx = vmaxnmvq_f32(m);
    }
    for (; i < n; ++i) mx = std::fmax(mx, x[i]);
    float32x4_t vsum = vdupq_n_f32(0.0f);
    const float32x4_t vmx = vdupq_n_f32(mx);
    for (i = 0; i + 4 <= n; i += 4) {
        const float32x4_t e = exp4(vsubq_f32(vld1q_f32(x + i), vmx));
        vst1q_f32(x + i, e);
        vsum = vaddq_f32(vsum, e);
    }
    float sum = vaddvq_f32(vsum);
    for (; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);
        sum += x[i];
    }
    const float inv = 1.0f / sum;
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_n_f32(vld1q_f32(x + i), inv));
    for (; i < n; ++i) x[i] *= inv;
}

void silu_mul(const float* gate, const float* up, float* y, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t g = vld1q_f32(gate + i);
        const float32x4_t s = vdivq_f32(g, vaddq_f32(vdupq_n_f32(1.0f), exp4(vnegq_f32(g))));
        vst1q_f32(y + i, vmulq_f32(s, vld1q_f32(up + i)));
    }
    for (; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

// The gated delta rule's one-token step (KernelTable::delta_rule_step) in 4 lanes, walked in
// column blocks of 16 (4 registers): the block's sums stay in registers while the rows stream.
template <int V>
inline void decay_recall(float* S, const float* k, float decay, float* u, int64_t dk, int64_t dv,
                         int64_t j0) {
    float32x4_t acc[V];
    for (int c = 0; c < V; ++c) acc[c] = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        for (int c = 0; c < V; ++c) {
            const float32x4_t x = vmulq_n_f32(vld1q_f32(row + 4 * c), decay);
            vst1q_f32(row + 4 * c, x);
            acc[c] = vfmaq_n_f32(acc[c], x, k[i]);
        }
    }
    for (int c = 0; c < V; ++c) vst1q_f32(u + j0 + 4 * c, acc[c]);
}

template <int V>
inline void write_read(float* S, const float* k, const float* q, const float* u, float* out,
                       int64_t dk, int64_t dv, int64_t j0) {
    float32x4_t uu[V], acc[V];
    for (int c = 0; c < V; ++c) {
        uu[c] = vld1q_f32(u + j0 + 4 * c);
        acc[c] = vdupq_n_f32(0.0f);
    }
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        for (int c = 0; c < V; ++c) {
            const float32x4_t x = vfmaq_n_f32(vld1q_f32(row + 4 * c), uu[c], k[i]);
            vst1q_f32(row + 4 * c, x);
            acc[c] = vfmaq_n_f32(acc[c], x, q[i]);
        }
    }
    for (int c = 0; c < V; ++c) vst1q_f32(out + j0 + 4 * c, acc[c]);
}

void delta_rule_step(float* S, const float* k, const float* v, const float* q, float decay,
                     float beta, float* out, float* u, int64_t dk, int64_t dv) {
    int64_t j = 0;
    for (; j + 16 <= dv; j += 16) decay_recall<4>(S, k, decay, u, dk, dv, j);
    for (; j + 4 <= dv; j += 4) decay_recall<1>(S, k, decay, u, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] *= decay;
            acc += S[i * dv + j] * k[i];
        }
        u[j] = acc;
    }
    for (j = 0; j < dv; ++j) u[j] = (v[j] - u[j]) * beta;
    for (j = 0; j + 16 <= dv; j += 16) write_read<4>(S, k, q, u, out, dk, dv, j);
    for (; j + 4 <= dv; j += 4) write_read<1>(S, k, q, u, out, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] += k[i] * u[j];
            acc += S[i * dv + j] * q[i];
        }
        out[j] = acc;
    }
}

// The chunked delta rule's register tiles: C[MR, 4 NV] (+)= A[MR, k] B[k, 4 NV].
struct NeonTiles {
    static constexpr int W = 4, kRows = 4, kVectors = 4;
    template <int MR, int NV>
    static void tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc, int64_t k, bool accumulate) {
        float32x4_t c[MR][NV];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j)
                c[r][j] = accumulate ? vld1q_f32(C + r * ldc + 4 * j) : vdupq_n_f32(0.0f);
        for (int64_t p = 0; p < k; ++p) {
            float32x4_t b[NV];
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) b[j] = vld1q_f32(B + p * ldb + 4 * j);
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const float a = A[r * lda + p];
#pragma GCC unroll 8
                for (int j = 0; j < NV; ++j) c[r][j] = vfmaq_n_f32(c[r][j], b[j], a);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) vst1q_f32(C + r * ldc + 4 * j, c[r][j]);
    }
};

void delta_rule_chunked(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv, float* scratch) {
    delta_rule_chunked_impl<NeonTiles>(S, run, dk, dv, scratch);
}

KernelTable make_neon_table(Isa isa, const char* name) {
    // Types and ops not written here keep the generic kernels: K-quants, F32/F16/BF16 matrices.
    KernelTable t = generic_table();
    t.isa = isa;
    t.name = name;
    t.pack = nullptr;
    t.quantize[int(ActFormat::F32)] = quantize_f32;
    t.quantize[int(ActFormat::Q8_32)] = quantize_q8_32;
    t.quantize[int(ActFormat::Q8_256)] = quantize_q8_256;
    t.mat[int(DType::Q4_0)] = mat32<Q4_0K>();
    t.mat[int(DType::Q4_1)] = mat32<Q4_1K>();
    t.mat[int(DType::Q5_0)] = mat32<Q5_0K>();
    t.mat[int(DType::Q5_1)] = mat32<Q5_1K>();
    t.mat[int(DType::Q8_0)] = mat32<Q8_0K>();
    t.dot_f32 = dot_f32;
    t.attn_scores_f16 = attn_scores_f16;
    t.attn_values_f16 = attn_values_f16;
    t.f16_to_f32 = f16_to_f32_row;
    t.f32_to_f16 = f32_to_f16_row;
    t.rmsnorm = rmsnorm;
    t.softmax = softmax;
    t.silu_mul = silu_mul;
    t.delta_rule_step = delta_rule_step;
    t.delta_rule_chunked = delta_rule_chunked;
    return t;
}

}  // namespace

}  // namespace qe
