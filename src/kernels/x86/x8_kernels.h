// The kernels of the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) for the x86 tables,
// over 256-bit registers, for both layouts a matrix can have: x8-packed (pack_x8.h: one group of 8
// rows per register, activations broadcast 4 bytes at a time) and GGUF rows (8 rows read at once,
// their per-block int32 sums gathered into one register by exact integer horizontal adds). Either
// way each block gives the exact integer dot of every row, offsets (Q4_0's -8, Q5_0's -16)
// included, and the same float operations follow per row, in the same order: so a row's product is
// bit-identical in both layouts, and for any number of tokens or rows sharing the tile (the engine
// reads rows first and repacks in the background; no answer may depend on when that finishes).
// The integer dot is a policy (Dot): maddubs in the AVX2 table, vpdpbusd in the AVX-512 table.
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
#include "kernels/x86/x8_loops.h"
#include "quant/blocks.h"

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

// Traits of each type: group(p, k) unpacks group vector k of an x8 record (u8, or s8 for Q8_0:
// kSigned), one at a time so that only the vector in use takes a register; offset(k) is the
// element offset of group k inside the block; quants(b) unpacks a GGUF block the same way, in
// element order; kOffset the value the format subtracts from every quant (applied through the
// activation sum); kMin whether it adds a per-block min; kAdd16 how many maddubs results fit an
// int16 sum (AVX2).
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

// A GGUF block's 16 bytes of nibbles as 32 bytes in element order.
inline __m256i row_nibbles(const uint8_t* qs) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

// 0x10 in byte j where bit j of a GGUF block's little-endian qh is set.
inline __m256i row_fifth_bits(const uint8_t* qh_bytes) {
    uint32_t qh;
    __builtin_memcpy(&qh, qh_bytes, 4);
    const __m256i shuf =
        _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(int(qh)), shuf);
    v = _mm256_or_si256(v, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));  // all bits but bit j % 8
    v = _mm256_cmpeq_epi8(v, _mm256_set1_epi64x(-1));
    return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

struct X8Q4_0 {
    using Rec = x8::Q4_0;
    using Block = BlockQ4_0;
    static __m256i quants(const Block& b) { return row_nibbles(b.qs); }
    static constexpr int kAdd16 = 8, kOffset = 8;
    static constexpr bool kSigned = false, kMin = false;
    static __m256i group(const Rec& p, int k) { return nibble_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q4_1 {
    using Rec = x8::Q4_1;
    using Block = BlockQ4_1;
    static __m256i quants(const Block& b) { return row_nibbles(b.qs); }
    static constexpr int kAdd16 = 8, kOffset = 0;
    static constexpr bool kSigned = false, kMin = true;
    static __m256i group(const Rec& p, int k) { return nibble_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q5_0 {
    using Rec = x8::Q5_0;
    using Block = BlockQ5_0;
    static __m256i quants(const Block& b) {
        return _mm256_or_si256(row_nibbles(b.qs), row_fifth_bits(b.qh));
    }
    static constexpr int kAdd16 = 4, kOffset = 16;
    static constexpr bool kSigned = false, kMin = false;
    static __m256i group(const Rec& p, int k) { return q5_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q5_1 {
    using Rec = x8::Q5_1;
    using Block = BlockQ5_1;
    static __m256i quants(const Block& b) {
        return _mm256_or_si256(row_nibbles(b.qs), row_fifth_bits(b.qh));
    }
    static constexpr int kAdd16 = 4, kOffset = 0;
    static constexpr bool kSigned = false, kMin = true;
    static __m256i group(const Rec& p, int k) { return q5_group(p, k); }
    static int offset(int k) { return nibble_offset(k); }
};
struct X8Q8_0 {
    using Rec = x8::Q8_0;
    using Block = BlockQ8_0;
    static __m256i quants(const Block& b) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs));
    }
    static constexpr int kAdd16 = 1, kOffset = 0;
    static constexpr bool kSigned = true, kMin = false;
    static __m256i group(const Rec& p, int k) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.qs + 32 * k));
    }
    static int offset(int k) { return 4 * k; }
};

inline __m256 halves8(const uint16_t* h) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)));
}

// Sources of 8 rows (group g: rows 8g .. 8g + 7), block by block: dot<T>(b, a, i32) gives i32[t]
// lane r = the exact integer dot of block b of row r with token t, offsets applied; d(b) and m(b)
// the 8 rows' scales and mins as floats.

// A group of an x8-packed matrix.
template <class Dot, class Tr>
struct PackedRows {
    const typename Tr::Rec* rec;
    PackedRows(const Matrix& w, int64_t g) : rec(x8::group<typename Tr::Rec>(w, g)) {}
    template <int T>
    void dot(int64_t b, const act::Q8_32Row* a, __m256i* i32) const {
        if constexpr (T == 1 && Dot::kPrefetch) prefetch_ahead(&rec[b]);
        Dot::template dot8<Tr, T>(rec[b], a, b, i32);
    }
    __m256 d(int64_t b) const { return halves8(rec[b].d); }
    __m256 m(int64_t b) const { return halves8(rec[b].m); }
};

// The 8 GGUF rows of group g. Rows past the matrix's end read its last row again (their results
// are not stored).
template <typename Block>
inline void group_rows(const Matrix& w, int64_t g, const Block** row) {
    for (int i = 0; i < 8; ++i) {
        const int64_t r = 8 * g + i < w.rows ? 8 * g + i : w.rows - 1;
        row[i] = reinterpret_cast<const Block*>(w.data + size_t(r) * w.row_bytes);
    }
}

// 8 GGUF rows. Per row and token the Dot's 8 int32 partial sums; hadd pairs them up across rows,
// so that after three rounds lane r holds row r's sum.
template <class Dot, class Tr>
struct GgufRows {
    using Block = typename Tr::Block;
    const Block* row[8];
    GgufRows(const Matrix& w, int64_t g) { group_rows(w, g, row); }
    // rows r, r + 1: lanes [r:01 r:23 r+1:01 r+1:23 | r:45 r:67 r+1:45 r+1:67] (a:ij = a_i + a_j)
    template <int T>
    void pair(int r, int64_t b, const __m256i* av, __m256i* out) const {
        const __m256i w0 = Tr::quants(row[r][b]), w1 = Tr::quants(row[r + 1][b]);
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t)
            out[t] = _mm256_hadd_epi32(Dot::template dot32<Tr>(w0, av[t]),
                                       Dot::template dot32<Tr>(w1, av[t]));
    }
    template <int T>
    void dot(int64_t b, const act::Q8_32Row* a, __m256i* i32) const {
        __m256i av[T], quad[2][T];
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t)
            av[t] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[t].qs + 32 * b));
        for (int h = 0; h < 2; ++h) {  // rows 4h .. 4h + 3: [sums of lanes 0-3 | lanes 4-7]
            __m256i p01[T], p23[T];
            pair<T>(4 * h, b, av, p01);
            pair<T>(4 * h + 2, b, av, p23);
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t) quad[h][t] = _mm256_hadd_epi32(p01[t], p23[t]);
        }
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const __m256i sums =
                _mm256_add_epi32(_mm256_permute2x128_si256(quad[0][t], quad[1][t], 0x20),
                                 _mm256_permute2x128_si256(quad[0][t], quad[1][t], 0x31));
            constexpr int kOffset = Dot::template offset<Tr>();
            i32[t] = kOffset == 0
                         ? sums
                         : _mm256_sub_epi32(sums, _mm256_set1_epi32(kOffset * a[t].sum[b]));
        }
    }
    __m256 d(int64_t b) const {
        const uint16_t h[8] = {row[0][b].d, row[1][b].d, row[2][b].d, row[3][b].d,
                               row[4][b].d, row[5][b].d, row[6][b].d, row[7][b].d};
        return halves8(h);
    }
    __m256 m(int64_t b) const {
        const uint16_t h[8] = {row[0][b].m, row[1][b].m, row[2][b].m, row[3][b].m,
                               row[4][b].m, row[5][b].m, row[6][b].m, row[7][b].m};
        return halves8(h);
    }
};

// 8 rows against T activation rows: acc[t] lane r = row r . token t. Per block, row and token:
// acc += float(dot) * (d_w * d_a), then (Q4_1, Q5_1) acc += m_w * (d_a * float(sum_a)).
template <class Tr, class Rows, int T>
inline void tile8(const Rows& rows, const act::Q8_32Row* a, int64_t nb, __m256* acc) {
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        __m256i i32[T];
        rows.template dot<T>(b, a, i32);
        const __m256 dw = rows.d(b);
        __m256 mw = _mm256_setzero_ps();
        if constexpr (Tr::kMin) mw = rows.m(b);
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

// The group loops (x8_loops.h) run a tile of 8 rows of either source.
template <class Tr, class Rows>
struct Q32Tile {
    using Act = act::Q8_32Row;
    static Act act_row(const uint8_t* p, int64_t cols) { return act::q8_32_row(p, cols); }
    template <int T>
    static void run(const Matrix& w, int64_t g, const Act* a, __m256* acc) {
        tile8<Tr, Rows, T>(Rows(w, g), a, w.cols / 32, acc);
    }
};

template <class Dot, class Tr>
using Q32PackedTile = Q32Tile<Tr, PackedRows<Dot, Tr>>;
template <class Dot, class Tr>
using Q32RowsTile = Q32Tile<Tr, GgufRows<Dot, Tr>>;

template <class Dot, class Tr>
constexpr MatKernels mat_q32() {
    return {matvec_either<Q32PackedTile<Dot, Tr>, Q32RowsTile<Dot, Tr>>,
            matmul_either<Q32PackedTile<Dot, Tr>, Q32RowsTile<Dot, Tr>>};
}

}  // namespace
}  // namespace qe
