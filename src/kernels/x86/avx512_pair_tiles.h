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
#include "kernels/x86/x8_k_kernels.h"
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
template <class Tr>
struct Q32Pairs {
    template <int T>
    static void run(const Matrix& w, int64_t g, const act::Q8_32Row* a, __m512* acc) {
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
                    i32[t] = _mm512_dpbusd_epi32(i32[t], wk,
                                                 bcast4_512(a[t].qs + 32 * b + Tr::offset(k)));
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
};

// ---- Q4_K and Q6_K (x8_k_kernels.h): the same integers and float steps as KQ4 / KQ6 ----

inline __m512i load_pair(const uint8_t* lo, const uint8_t* hi) {
    return join(load_si256(lo), load_si256(hi));
}
// 8 bytes of each record, widened to 16 int32 lanes.
inline __m512i bytes8_to_i32(const uint8_t* lo, const uint8_t* hi) {
    const __m128i both = _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(lo)),
                                            _mm_loadl_epi64(reinterpret_cast<const __m128i*>(hi)));
    return _mm512_cvtepu8_epi32(both);
}

// acc[t] += sc * sum over the groups w[k] of w[k] . (4 activation bytes at at[t] + off[k])
template <int T, int G>
inline void scaled_sum16(const __m512i* w, const int* off, const int8_t* const* at, __m512i sc,
                         __m512i* acc) {
    __m512i s[T];
    for (int t = 0; t < T; ++t) s[t] = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int k = 0; k < G; ++k)
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t)
            s[t] = _mm512_dpbusd_epi32(s[t], w[k], bcast4_512(at[t] + off[k]));
    for (int t = 0; t < T; ++t) acc[t] = _mm512_add_epi32(acc[t], _mm512_mullo_epi32(s[t], sc));
}

template <int T>
void pair_sums(const x8::Q4_K& lo, const x8::Q4_K& hi, const act::Q8_256Row* a, int64_t i,
               __m512i* isum, __m512i* msum) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    static constexpr int kOff[8] = {0, 16, 4, 20, 8, 24, 12, 28};  // Q4KGroups::off
    for (int t = 0; t < T; ++t) isum[t] = msum[t] = _mm512_setzero_si512();
    for (int j = 0; j < 8; ++j) {
        __m512i w[8];
        for (int p = 0; p < 4; ++p) {
            const __m512i v = load_pair(lo.qs + 128 * j + 32 * p, hi.qs + 128 * j + 32 * p);
            w[2 * p] = _mm512_and_si512(v, m4);
            w[2 * p + 1] = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
        }
        const int8_t* at[T];
        for (int t = 0; t < T; ++t) at[t] = a[t].qs + 256 * i + 32 * j;
        scaled_sum16<T, 8>(w, kOff, at, bytes8_to_i32(lo.sc + 8 * j, hi.sc + 8 * j), isum);
        const __m512i m = bytes8_to_i32(lo.m + 8 * j, hi.m + 8 * j);
        const __m512i m2 = _mm512_or_si512(m, _mm512_slli_epi32(m, 16));
        for (int t = 0; t < T; ++t) {
            int32_t pair;
            __builtin_memcpy(&pair, a[t].bsums + 16 * i + 2 * j, 4);
            msum[t] = _mm512_dpwssd_epi32(msum[t], m2, _mm512_set1_epi32(pair));
        }
    }
}

template <int T>
void pair_sums(const x8::Q6_K& lo, const x8::Q6_K& hi, const act::Q8_256Row* a, int64_t i,
               __m512i* isum, __m512i*) {
    const __m512i m4 = _mm512_set1_epi8(0x0f), m30 = _mm512_set1_epi8(0x30);
    static constexpr int kOff[4] = {0, 4, 8, 12};
    __m512i off[T];
    for (int t = 0; t < T; ++t) isum[t] = off[t] = _mm512_setzero_si512();
    for (int pr = 0; pr < 8; ++pr) {
        const __m256i sc8 =
            _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hi.sc + 16 * pr)),
                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(lo.sc + 16 * pr)));
        const __m512i sc16 = _mm512_cvtepi8_epi16(sc8);  // [r: sc_2pr, sc_2pr+1], 16 rows
        for (int h = 0; h < 2; ++h) {
            const int j = 2 * pr + h;
            const __m512i sc = h ? _mm512_srai_epi32(sc16, 16)
                                 : _mm512_srai_epi32(_mm512_slli_epi32(sc16, 16), 16);
            const __m512i v0 = load_pair(lo.ql + 64 * j, hi.ql + 64 * j);
            const __m512i v1 = load_pair(lo.ql + 64 * j + 32, hi.ql + 64 * j + 32);
            const __m512i qh = load_pair(lo.qh + 32 * j, hi.qh + 32 * j);
            const __m512i w[4] = {_mm512_or_si512(_mm512_and_si512(v0, m4),
                                                  _mm512_and_si512(_mm512_slli_epi16(qh, 4), m30)),
                                  _mm512_or_si512(_mm512_and_si512(v1, m4),
                                                  _mm512_and_si512(_mm512_slli_epi16(qh, 2), m30)),
                                  _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(v0, 4), m4),
                                                  _mm512_and_si512(qh, m30)),
                                  _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(v1, 4), m4),
                                                  _mm512_and_si512(_mm512_srli_epi16(qh, 2), m30))};
            const int8_t* at[T];
            for (int t = 0; t < T; ++t) at[t] = a[t].qs + 256 * i + 16 * j;
            scaled_sum16<T, 4>(w, kOff, at, sc, isum);
        }
        for (int t = 0; t < T; ++t) {
            int32_t pair;
            __builtin_memcpy(&pair, a[t].bsums + 16 * i + 2 * pr, 4);
            off[t] = _mm512_dpwssd_epi32(off[t], sc16, _mm512_set1_epi32(pair));
        }
    }
    for (int t = 0; t < T; ++t) isum[t] = _mm512_sub_epi32(isum[t], _mm512_slli_epi32(off[t], 5));
}

// As KTile::run for groups g and g + 1 of an x8-packed matrix.
template <class Tr>
struct KPairs {
    template <int T>
    static void run(const Matrix& w, int64_t g, const act::Q8_256Row* a, __m512* acc) {
        using Rec = typename Tr::Rec;
        const Rec* lo = x8::group<Rec, kBlockK>(w, g);
        const Rec* hi = x8::group<Rec, kBlockK>(w, g + 1);
        for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
        for (int64_t i = 0; i < w.cols / kBlockK; ++i) {
            __m512i isum[T], msum[T];
            pair_sums<T>(lo[i], hi[i], a, i, isum, msum);
            const __m512 dw = join(halves8(lo[i].d), halves8(hi[i].d));
            __m512 dm = _mm512_setzero_ps();
            if constexpr (Tr::kMin) dm = join(halves8(lo[i].dmin), halves8(hi[i].dmin));
            for (int t = 0; t < T; ++t) {
                const __m512 da = _mm512_set1_ps(a[t].d[i]);
                acc[t] =
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(dw, da), acc[t]);
                if constexpr (Tr::kMin)
                    acc[t] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum[t]), _mm512_mul_ps(dm, da),
                                              acc[t]);
            }
        }
    }
};

// An 8-row tile of x8_loops.h that also takes pairs of groups, computed by Pair::run<T>(w, g, a,
// acc) (acc[t]: group g's rows in the low half, g + 1's in the high half). Used for the prompt
// (matmul) only: decoding (matvec) keeps the 8-row tile, since one stream of records per thread
// reads memory faster than two (measured: tg 35.5 against 39-45 tokens/s with the pairs).
template <class Base, class Pair>
struct WithPairs : Base {
    static constexpr bool kPairs = true;
    template <int T>
    static void run_pair(const Matrix& w, int64_t g, const typename Base::Act* a, float* y,
                         int64_t ldy, int64_t r0, int64_t r1) {
        __m512 acc[T];
        Pair::template run<T>(w, g, a, acc);
        for (int t = 0; t < T; ++t) {
            store_group(_mm512_castps512_ps256(acc[t]), y + t * ldy, g, r0, r1);
            store_group(high_half(acc[t]), y + t * ldy, g + 1, r0, r1);
        }
    }
};

template <class Dot, class Tr>
constexpr MatKernels mat_k_pairs() {
    return {matvec_either<KPackedTile<Dot, Tr>, KRowsTile<Tr>>,
            matmul_either<WithPairs<KPackedTile<Dot, Tr>, KPairs<Tr>>, KRowsTile<Tr>>};
}

template <class Dot, class Tr>
constexpr MatKernels mat_q32_pairs() {
    return {matvec_either<Q32PackedTile<Dot, Tr>, Q32RowsTile<Dot, Tr>>,
            matmul_either<WithPairs<Q32PackedTile<Dot, Tr>, Q32Pairs<Tr>>, Q32RowsTile<Dot, Tr>>};
}

}  // namespace
}  // namespace qe
