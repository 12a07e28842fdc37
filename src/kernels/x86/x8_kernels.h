// Kernels of the x8 layout (pack_x8.h) for the x86 tables, over 256-bit registers: one group of
// 8 rows per register, activations broadcast 4 bytes at a time. The dot product of the 8 groups
// is a policy (Dot::dot8, for T tokens at once): maddubs in the AVX2 table, vpdpbusd in the AVX-512
// table.
//
// Internal linkage on purpose: each ISA file includes this header and compiles it with its own
// flags; shared out-of-line copies could carry instructions the running CPU lacks. Include after
// the intrinsics header.
#pragma once

#include <cstdint>

#include "kernels/act_layout.h"
#include "kernels/kernels.h"
#include "kernels/pack_x8.h"
#include "kernels/prefetch.h"

namespace qe {
namespace {

inline __m256i bcast4(const int8_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// 0x10 in each byte whose bit g is set (bit g moved to bit 4; the byte mask drops what a 16-bit
// shift carries in from the neighbouring byte).
inline __m256i fifth_bits_group(__m256i qh, int g) {
    const __m256i moved = g <= 4 ? _mm256_slli_epi16(qh, 4 - g) : _mm256_srli_epi16(qh, g - 4);
    return _mm256_and_si256(moved, _mm256_set1_epi8(0x10));
}

// Traits of each record type: group(p, k) unpacks group vector k of a record (u8, or s8 for
// Q8_0: kSigned), one at a time so that only the vector in use takes a register; offset(k) is
// the element offset of group k inside the block; kOffset the value the format subtracts from
// every quant (applied through the activation sum); kMin whether it adds a per-block min; kAdd16
// how many maddubs results fit an int16 sum (AVX2).
template <typename R>
inline __m256i nibble_group(const R& p, int k) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.qs + 32 * (k & 3)));
    return _mm256_and_si256(k < 4 ? v : _mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
}

template <typename R>
inline __m256i q5_group(const R& p, int k) {
    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.qh));
    return _mm256_or_si256(nibble_group(p, k), fifth_bits_group(qh, k));
}

inline int nibble_offset(int k) {
    return k < 4 ? 4 * k : 16 + 4 * (k - 4);
}

struct X8Q4_0 {
    using Rec = x8::Q4_0;
    static constexpr int kAdd16 = 8, kOffset = 8;
    static constexpr bool kSigned = false, kMin = false;
    static __m256i group(const Rec& p, int k) { return nibble_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q4_1 {
    using Rec = x8::Q4_1;
    static constexpr int kAdd16 = 8, kOffset = 0;
    static constexpr bool kSigned = false, kMin = true;
    static __m256i group(const Rec& p, int k) { return nibble_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q5_0 {
    using Rec = x8::Q5_0;
    static constexpr int kAdd16 = 4, kOffset = 16;
    static constexpr bool kSigned = false, kMin = false;
    static __m256i group(const Rec& p, int k) { return q5_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q5_1 {
    using Rec = x8::Q5_1;
    static constexpr int kAdd16 = 4, kOffset = 0;
    static constexpr bool kSigned = false, kMin = true;
    static __m256i group(const Rec& p, int k) { return q5_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q8_0 {
    using Rec = x8::Q8_0;
    static constexpr int kAdd16 = 1, kOffset = 0;
    static constexpr bool kSigned = true, kMin = false;
    static __m256i group(const Rec& p, int k) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.qs + 32 * k));
    }
    static int offset(int k) { return 4 * k; }
};

// One group of 8 rows against T activation rows: acc[t] lane r = row r . token t.
template <class Dot, class Tr, int T>
inline void x8_tile(const typename Tr::Rec* rec, const act::Q8_32Row* a, int64_t nb, __m256* acc) {
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const auto& p = rec[b];
        if constexpr (T == 1) prefetch_ahead(&p);
        __m256i i32[T];
        Dot::template dot8<Tr, T>(p, a, b, i32);
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.d)));
        __m256 mw = _mm256_setzero_ps();
        if constexpr (Tr::kMin)
            mw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p.m)));
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const float da = a[t].d[b];
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32[t]),
                                     _mm256_mul_ps(dw, _mm256_set1_ps(da)), acc[t]);
            if constexpr (Tr::kMin)
                acc[t] = _mm256_fmadd_ps(mw, _mm256_set1_ps(da * float(a[t].sum[b])), acc[t]);
        }
    }
}

// Stores the rows of group g that fall in [r0, r1) (and inside the matrix).
inline void store_group(__m256 v, float* y, int64_t g, int64_t r0, int64_t r1) {
    const int64_t base = 8 * g;
    if (base >= r0 && base + 8 <= r1) {
        _mm256_storeu_ps(y + base, v);
        return;
    }
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (int i = 0; i < 8; ++i)
        if (base + i >= r0 && base + i < r1) y[base + i] = tmp[i];
}

template <class Dot, class Tr>
void matvec_x8(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const int64_t nb = w.cols / 32;
    const act::Q8_32Row a = act::q8_32_row(xq, w.cols);
    for (int64_t g = r0 / 8; g * 8 < r1; ++g) {
        __m256 acc[1];
        x8_tile<Dot, Tr, 1>(x8::group<typename Tr::Rec>(w, g), &a, nb, acc);
        store_group(acc[0], y, g, r0, r1);
    }
}

template <class Dot, class Tr, int T>
void matmul_x8_tokens(const Matrix& w, const act::Q8_32Row* a, float* y, int64_t ldy, int64_t g0,
                      int64_t g1, int64_t r0, int64_t r1) {
    const int64_t nb = w.cols / 32;
    for (int64_t g = g0; g < g1; ++g) {
        __m256 acc[T];
        x8_tile<Dot, Tr, T>(x8::group<typename Tr::Rec>(w, g), a, nb, acc);
        for (int t = 0; t < T; ++t) store_group(acc[t], y + t * ldy, g, r0, r1);
    }
}

template <class Dot, class Tr>
void matmul_x8(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
               int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kGroupChunk = 8;  // 64 rows of weights stay in L1/L2 across all tokens
    const int64_t gend = (r1 + 7) / 8;
    for (int64_t gc = r0 / 8; gc < gend; gc += kGroupChunk) {
        const int64_t gc1 = gc + kGroupChunk < gend ? gc + kGroupChunk : gend;
        for (int64_t t = 0; t < n; t += 4) {
            act::Q8_32Row a[4];
            const int nt = int(n - t < 4 ? n - t : 4);
            for (int i = 0; i < nt; ++i)
                a[i] = act::q8_32_row(xq + size_t(t + i) * xq_row_bytes, w.cols);
            float* yt = y + t * ldy;
            switch (nt) {
                case 4:
                    matmul_x8_tokens<Dot, Tr, 4>(w, a, yt, ldy, gc, gc1, r0, r1);
                    break;
                case 3:
                    matmul_x8_tokens<Dot, Tr, 3>(w, a, yt, ldy, gc, gc1, r0, r1);
                    break;
                case 2:
                    matmul_x8_tokens<Dot, Tr, 2>(w, a, yt, ldy, gc, gc1, r0, r1);
                    break;
                default:
                    matmul_x8_tokens<Dot, Tr, 1>(w, a, yt, ldy, gc, gc1, r0, r1);
                    break;
            }
        }
    }
}

}  // namespace
}  // namespace qe
