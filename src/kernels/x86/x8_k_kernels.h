// The kernels of Q4_K and Q6_K for the x86 tables, over 256-bit registers, for both layouts a
// matrix can have: x8-packed (pack_x8.h: 8 rows per register, 4 activation bytes broadcast) and
// GGUF rows (one row at a time, its partial sums gathered across 8 rows by exact integer adds).
// Per super-block of 256 elements, row and token, either layout gives the same two exact integers:
//   isum = sum over sub-blocks j of sc_j * (q . a)_j   (Q6_K: minus 32 * sum_j sc_j * asum_j)
//   msum = sum over sub-blocks j of m_j * asum_j        (Q4_K's mins)
// (asum_j: the sum of the activation's quants over sub-block j)
// and the same float operations follow, per row, in the same order:
//   acc = fma(float(isum), d * d_a, acc);  acc = fma(-float(msum), dmin * d_a, acc)
// so a row's product is bit-identical in both layouts and for any number of tokens or rows in
// the tile (the engine repacks in the background; no answer may depend on when that finishes).
//
// The integer dot is a policy (Dot): `scaled_sum` adds sc * (w . a) over a sub-block's groups
// (maddubs then madd by the scale in the AVX2 table; vpdpbusd then one multiply in the AVX-512
// table), `pairs` adds a16 . b16 over int16 pairs (the mins and Q6_K's offset against the
// activation's 16-element sums, which come in pairs per 32 elements).
//
// Internal linkage on purpose (see x8_kernels.h). Include after the intrinsics header.
#pragma once

#include <cstdint>

#include "kernels/act_layout.h"
#include "kernels/kernels.h"
#include "kernels/pack_x8.h"
#include "kernels/prefetch.h"
#include "kernels/x86/x8_kernels.h"
#include "kernels/x86/x8_loops.h"
#include "quant/blocks.h"
#include "quant/codecs.h"

namespace qe {
namespace {

inline __m256i load_si256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// The 32-bit word at p (two int16 activation sums), in every lane.
inline __m256i bcast_pair16(const int16_t* p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

// Lane r = the sum of the 8 lanes of v[r] (exact integer adds).
inline __m256i sum_lanes8(const __m256i* v) {
    // [v0:01 v0:23 v1:01 v1:23 | v0:45 v0:67 v1:45 v1:67] and so on (a:ij = a_i + a_j)
    const __m256i h01 = _mm256_hadd_epi32(v[0], v[1]), h23 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i h45 = _mm256_hadd_epi32(v[4], v[5]), h67 = _mm256_hadd_epi32(v[6], v[7]);
    // [v0:0123 v1:0123 v2:0123 v3:0123 | v0:4567 v1:4567 v2:4567 v3:4567]
    const __m256i q0 = _mm256_hadd_epi32(h01, h23), q1 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20),
                            _mm256_permute2x128_si256(q0, q1, 0x31));
}

// Groups of a packed sub-block: w(k) the unsigned quants of group k (8 rows x 4 elements), off(k)
// the offset of its 4 elements inside the sub-block.

// Q4_K: chunk p holds group p (low nibbles) and group p + 4 (high); k = 2p + h.
struct Q4KGroups {
    const uint8_t* qs;  // the sub-block's 4 chunks
    __m256i w(int k) const {
        const __m256i v = load_si256(qs + 32 * (k / 2));
        return _mm256_and_si256(k % 2 ? _mm256_srli_epi16(v, 4) : v, _mm256_set1_epi8(0x0f));
    }
    static int off(int k) { return 4 * (k / 2) + 16 * (k % 2); }
};

// Q6_K: chunks 0, 1 of ql hold groups 0, 1 (low nibbles) and 2, 3 (high); qh bits 2g, 2g + 1
// the top two bits of group g.
struct Q6KGroups {
    const uint8_t* ql;  // the sub-block's 2 chunks
    __m256i qh;         // its chunk of top bits
    __m256i w(int g) const {
        const __m256i v = load_si256(ql + 32 * (g % 2));
        const __m256i low =
            _mm256_and_si256(g < 2 ? v : _mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
        const __m256i top = g == 0   ? _mm256_slli_epi16(qh, 4)
                            : g == 1 ? _mm256_slli_epi16(qh, 2)
                            : g == 2 ? qh
                                     : _mm256_srli_epi16(qh, 2);
        return _mm256_or_si256(low, _mm256_and_si256(top, _mm256_set1_epi8(0x30)));
    }
    static int off(int g) { return 4 * g; }
};

// Q4_K: value d * sc_j * q - dmin * m_j, q = 0..15, sub-blocks of 32.
struct KQ4 {
    using Rec = x8::Q4_K;
    using Block = BlockQ4_K;
    static constexpr bool kMin = true;

    template <class Dot, int T>
    static void packed(const Rec& p, const act::Q8_256Row* a, int64_t i, __m256i* isum,
                       __m256i* msum) {
        for (int t = 0; t < T; ++t) isum[t] = msum[t] = _mm256_setzero_si256();
#pragma GCC unroll 2
        for (int j = 0; j < 8; ++j) {
            const __m256i sc = _mm256_cvtepu8_epi32(
                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p.sc + 8 * j)));
            const int8_t* at[T];
            for (int t = 0; t < T; ++t) at[t] = a[t].qs + 256 * i + 32 * j;
            // 8 groups of q <= 15: the maddubs pairs of all 8 fit an int16 sum
            Dot::template scaled_sum<T, 8, 8>(Q4KGroups{p.qs + 128 * j}, at, sc, isum);
            // m_j against both 16-element sums of the sub-block
            const __m256i m = _mm256_cvtepu8_epi32(
                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p.m + 8 * j)));
            const __m256i m2 = _mm256_or_si256(m, _mm256_slli_epi32(m, 16));
            for (int t = 0; t < T; ++t)
                msum[t] = Dot::pairs(msum[t], m2, bcast_pair16(a[t].bsums + 16 * i + 2 * j));
        }
    }

    // One GGUF row's partial sums (8 lanes each).
    template <int T>
    static void row(const Block& b, const act::Q8_256Row* a, int64_t i, __m256i* isum,
                    __m256i* msum) {
        int sc[8], m[8];
        for (int j = 0; j < 8; ++j) unpack_scale_min_k4(b.scales, j, &sc[j], &m[j]);
        for (int t = 0; t < T; ++t) isum[t] = msum[t] = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {  // GGUF chunk c: sub-blocks 2c (low nibbles), 2c + 1
            const __m256i v = load_si256(b.qs + 32 * c);
            const __m256i lo = _mm256_and_si256(v, _mm256_set1_epi8(0x0f));
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
            const __m256i sc_lo = _mm256_set1_epi16(short(sc[2 * c]));
            const __m256i sc_hi = _mm256_set1_epi16(short(sc[2 * c + 1]));
            for (int t = 0; t < T; ++t) {
                const int8_t* q8 = a[t].qs + 256 * i + 64 * c;
                const __m256i plo = _mm256_maddubs_epi16(lo, load_si256(q8));
                const __m256i phi = _mm256_maddubs_epi16(hi, load_si256(q8 + 32));
                isum[t] = _mm256_add_epi32(
                    isum[t],
                    _mm256_add_epi32(_mm256_madd_epi16(plo, sc_lo), _mm256_madd_epi16(phi, sc_hi)));
            }
        }
        const __m256i m16 = _mm256_setr_epi16(short(m[0]), short(m[0]), short(m[1]), short(m[1]),
                                              short(m[2]), short(m[2]), short(m[3]), short(m[3]),
                                              short(m[4]), short(m[4]), short(m[5]), short(m[5]),
                                              short(m[6]), short(m[6]), short(m[7]), short(m[7]));
        for (int t = 0; t < T; ++t)
            msum[t] = _mm256_madd_epi16(load_si256(a[t].bsums + 16 * i), m16);
    }
    static uint16_t d(const Block& b) {
        return b.d;
    }
    static uint16_t dmin(const Block& b) {
        return b.dmin;
    }
};

// Q6_K: value d * sc_j * (q - 32), q = 0..63, sub-blocks of 16 with signed 8-bit scales; the -32
// comes off in integer through the activation sums.
struct KQ6 {
    using Rec = x8::Q6_K;
    using Block = BlockQ6_K;
    static constexpr bool kMin = false;

    template <class Dot, int T>
    static void packed(const Rec& p, const act::Q8_256Row* a, int64_t i, __m256i* isum, __m256i*) {
        __m256i off[T];
        for (int t = 0; t < T; ++t) isum[t] = off[t] = _mm256_setzero_si256();
#pragma GCC unroll 2
        for (int pr = 0; pr < 8; ++pr) {  // sub-blocks 2pr, 2pr + 1
            // [r: sc_2pr, sc_2pr+1] as int16
            const __m256i sc16 = _mm256_cvtepi8_epi16(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(p.sc + 16 * pr)));
            for (int h = 0; h < 2; ++h) {
                const int j = 2 * pr + h;
                const __m256i sc = h ? _mm256_srai_epi32(sc16, 16)
                                     : _mm256_srai_epi32(_mm256_slli_epi32(sc16, 16), 16);
                const int8_t* at[T];
                for (int t = 0; t < T; ++t) at[t] = a[t].qs + 256 * i + 16 * j;
                // q <= 63: the maddubs pairs of 2 groups fit an int16 sum
                Dot::template scaled_sum<T, 4, 2>(
                    Q6KGroups{p.ql + 64 * j, load_si256(p.qh + 32 * j)}, at, sc, isum);
            }
            for (int t = 0; t < T; ++t)
                off[t] = Dot::pairs(off[t], sc16, bcast_pair16(a[t].bsums + 16 * i + 2 * pr));
        }
        for (int t = 0; t < T; ++t)
            isum[t] = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(off[t], 5));
    }

    template <int T>
    static void row(const Block& b, const act::Q8_256Row* a, int64_t i, __m256i* isum, __m256i*) {
        const __m256i m4 = _mm256_set1_epi8(0x0f), m30 = _mm256_set1_epi8(0x30);
        const int8_t* sc = b.scales;
        for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = load_si256(b.ql + 64 * h), ql1 = load_si256(b.ql + 64 * h + 32);
            const __m256i qh = load_si256(b.qh + 32 * h);
            for (int s = 0; s < 4; ++s) {  // elements 128h + 32s + l (GGUF order, quant_k.cpp)
                const __m256i ql = s % 2 ? ql1 : ql0;
                const __m256i low = _mm256_and_si256(s < 2 ? ql : _mm256_srli_epi16(ql, 4), m4);
                const __m256i top =
                    _mm256_and_si256(s == 0 ? _mm256_slli_epi16(qh, 4)
                                            : (s == 1 ? _mm256_slli_epi16(qh, 2)
                                                      : (s == 2 ? qh : _mm256_srli_epi16(qh, 2))),
                                     m30);
                const __m256i q = _mm256_or_si256(low, top);
                const int k = 8 * h + 2 * s;  // scales of elements 0..15 and 16..31 of these 32
                const __m256i scv =
                    _mm256_set_m128i(_mm_set1_epi16(sc[k + 1]), _mm_set1_epi16(sc[k]));
                for (int t = 0; t < T; ++t) {
                    const __m256i pq =
                        _mm256_maddubs_epi16(q, load_si256(a[t].qs + 256 * i + 128 * h + 32 * s));
                    isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(pq, scv));
                }
            }
        }
        const __m256i sc16 =
            _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)));
        for (int t = 0; t < T; ++t) {
            const __m256i off = _mm256_madd_epi16(load_si256(a[t].bsums + 16 * i), sc16);
            isum[t] = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(off, 5));
        }
    }
    static uint16_t d(const Block& b) {
        return b.d;
    }
    static uint16_t dmin(const Block&) {
        return 0;
    }
};

// Sources of a group of 8 rows, super-block by super-block: sums<T>(i, a, isum, msum) gives
// lane r = row r's isum and msum (above) for token t; d(i), dmin(i) the rows' scales as floats.

template <class Dot, class Tr>
struct KPackedRows {
    const typename Tr::Rec* rec;
    KPackedRows(const Matrix& w, int64_t g) : rec(x8::group<typename Tr::Rec, kBlockK>(w, g)) {}
    template <int T>
    void sums(int64_t i, const act::Q8_256Row* a, __m256i* isum, __m256i* msum) const {
        if constexpr (T == 1) prefetch_ahead(&rec[i]);
        Tr::template packed<Dot, T>(rec[i], a, i, isum, msum);
    }
    __m256 d(int64_t i) const { return halves8(rec[i].d); }
    __m256 dmin(int64_t i) const {
        if constexpr (Tr::kMin) return halves8(rec[i].dmin);
        return _mm256_setzero_ps();
    }
};

// 8 GGUF rows (group_rows), one at a time, their partial sums gathered by sum_lanes8.
template <class Tr>
struct KGgufRows {
    using Block = typename Tr::Block;
    const Block* row[8];
    KGgufRows(const Matrix& w, int64_t g) { group_rows(w, g, row); }
    template <int T>
    void sums(int64_t i, const act::Q8_256Row* a, __m256i* isum, __m256i* msum) const {
        __m256i pi[T][8], pm[T][8];
        for (int r = 0; r < 8; ++r) {
            __m256i ri[T], rm[T];
            Tr::template row<T>(row[r][i], a, i, ri, rm);
            for (int t = 0; t < T; ++t) {
                pi[t][r] = ri[t];
                if constexpr (Tr::kMin) pm[t][r] = rm[t];
            }
        }
        for (int t = 0; t < T; ++t) {
            isum[t] = sum_lanes8(pi[t]);
            if constexpr (Tr::kMin) msum[t] = sum_lanes8(pm[t]);
        }
    }
    __m256 d(int64_t i) const { return gather_halves(i, Tr::d); }
    __m256 dmin(int64_t i) const { return gather_halves(i, Tr::dmin); }

  private:
    __m256 gather_halves(int64_t i, uint16_t (*field)(const Block&)) const {
        uint16_t h[8];
        for (int r = 0; r < 8; ++r) h[r] = field(row[r][i]);
        return halves8(h);
    }
};

// The tile of x8_loops.h: 8 rows of either source against T tokens.
template <class Tr, class Source>
struct KTile {
    using Act = act::Q8_256Row;
    static Act act_row(const uint8_t* p, int64_t cols) { return act::q8_256_row(p, cols); }
    template <int T>
    static void run(const Matrix& w, int64_t g, const Act* a, __m256* acc) {
        const Source src(w, g);
        for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
        for (int64_t i = 0; i < w.cols / kBlockK; ++i) {
            __m256i isum[T], msum[T];
            src.template sums<T>(i, a, isum, msum);
            const __m256 dw = src.d(i);
            const __m256 dm = src.dmin(i);
            for (int t = 0; t < T; ++t) {
                const __m256 da = _mm256_set1_ps(a[t].d[i]);
                acc[t] =
                    _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dw, da), acc[t]);
                if constexpr (Tr::kMin)
                    acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum[t]), _mm256_mul_ps(dm, da),
                                              acc[t]);
            }
        }
    }
};

template <class Dot, class Tr>
using KPackedTile = KTile<Tr, KPackedRows<Dot, Tr>>;
template <class Tr>
using KRowsTile = KTile<Tr, KGgufRows<Tr>>;

template <class Dot, class Tr>
constexpr MatKernels mat_k8() {
    return {matvec_either<KPackedTile<Dot, Tr>, KRowsTile<Tr>>,
            matmul_either<KPackedTile<Dot, Tr>, KRowsTile<Tr>>};
}

}  // namespace
}  // namespace qe
