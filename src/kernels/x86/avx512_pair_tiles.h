// The AVX-512 table's tiles of 16 rows: two x8 groups side by side in one 512-bit register (group
// g in the low half, g + 1 in the high half), so each broadcast activation, each scale conversion
// and each float operation serves 16 rows instead of 8. Per lane the operations are those of the
// 8-row tiles (x8_kernels.h) in the same order, so a row's result is bit-identical whichever tile
// computes it (the group loops give pairs to these and the odd group out to the 8-row tile).
//
// Internal linkage on purpose (see x8_kernels.h); only avx512.cpp includes it, after
// x8_kernels.h.
#pragma once

#include <cstdint>

#include "kernels/act_layout.h"
#include "kernels/kernels.h"
#include "kernels/pack_x8.h"
#include "kernels/x86/x8_kernels.h"
#include "kernels/x86/x8_loops.h"

namespace qe {
namespace {

inline __m512i join(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
inline __m512 join(__m256 lo, __m256 hi) {
    return _mm512_castpd_ps(
        _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(lo)), _mm256_castps_pd(hi), 1));
}
inline __m256 high_half(__m512 v) {
    return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

inline __m512i bcast4_512(const int8_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

// The 32-element types: groups g and g + 1 of an x8-packed matrix against T tokens; as tile8 with
// PackedRows and the VNNI dot (vpdpbusd, signed weights as w + 128, offsets through the
// activation sums).
template <class Tr, int T>
void tile16_q32(const Matrix& w, int64_t g, const act::Q8_32Row* a, __m512* acc) {
    using Rec = typename Tr::Rec;
    const Rec* lo = x8::group<Rec>(w, g);
    const Rec* hi = x8::group<Rec>(w, g + 1);
    constexpr int kOffset = Tr::kSigned ? 128 : Tr::kOffset;
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < w.cols / 32; ++b) {
        __m512i i32[T];
        for (int t = 0; t < T; ++t) i32[t] = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
            __m512i wk = join(Tr::group(lo[b], k), Tr::group(hi[b], k));
            if constexpr (Tr::kSigned) wk = _mm512_xor_si512(wk, _mm512_set1_epi8(char(0x80)));
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t)
                i32[t] =
                    _mm512_dpbusd_epi32(i32[t], wk, bcast4_512(a[t].qs + 32 * b + Tr::offset(k)));
        }
        const __m512 dw = join(halves8(lo[b].d), halves8(hi[b].d));
        __m512 mw = _mm512_setzero_ps();
        if constexpr (Tr::kMin) mw = join(halves8(lo[b].m), halves8(hi[b].m));
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            if constexpr (kOffset != 0)
                i32[t] = _mm512_sub_epi32(i32[t], _mm512_set1_epi32(kOffset * a[t].sum[b]));
            const float da = a[t].d[b];
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(i32[t]),
                                     _mm512_mul_ps(dw, _mm512_set1_ps(da)), acc[t]);
            if constexpr (Tr::kMin)
                acc[t] = _mm512_fmadd_ps(mw, _mm512_set1_ps(da * float(a[t].sum[b])), acc[t]);
        }
    }
}

// The x8-packed 32-element types in the group loops of a prompt (matmul): pairs of groups here,
// the odd one out in the 8-row tile. Decoding (matvec) keeps the 8-row tile: one stream of
// records per thread reads memory faster than two (measured: tg 35.5 against 39-45 tokens/s).
template <class Dot, class Tr>
struct Q32PairTile : Q32Tile<Tr, PackedRows<Dot, Tr>> {
    static constexpr bool kPairs = true;
    template <int T>
    static void run_pair(const Matrix& w, int64_t g, const act::Q8_32Row* a, float* y, int64_t ldy,
                         int64_t r0, int64_t r1) {
        __m512 acc[T];
        tile16_q32<Tr, T>(w, g, a, acc);
        for (int t = 0; t < T; ++t) {
            store_group(_mm512_castps512_ps256(acc[t]), y + t * ldy, g, r0, r1);
            store_group(high_half(acc[t]), y + t * ldy, g + 1, r0, r1);
        }
    }
};

template <class Dot, class Tr>
void matmul_q32_pairs(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                      int64_t ldy, int64_t r0, int64_t r1) {
    if (w.layout == kLayoutX8)
        return matmul_groups<Q32PairTile<Dot, Tr>>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
    matmul_groups<Q32Tile<Tr, GgufRows<Dot, Tr>>>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
}

template <class Dot, class Tr>
constexpr MatKernels mat_q32_pairs() {
    return {matvec_q32<Dot, Tr>, matmul_q32_pairs<Dot, Tr>};
}

}  // namespace
}  // namespace qe
