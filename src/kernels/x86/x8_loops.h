// The row-group loops of the x86 matrix kernels: a matrix is walked in groups of 8 rows, each
// group computed by a tile policy against 1 (matvec) or up to 4 (matmul) tokens at once, with
// 8 results per token landing in one register.
//
// A Tile policy provides: `Act`, the activation row view; `act_row(p, cols)`, the view of one
// quantized activation row; `run<T>(w, g, a, acc)`, acc[t] lane r = row 8g + r of w . token a[t].
// A tile with `kPairs` also has `run_pair<T>(w, g, a, y, ldy, r0, r1)`, which computes and
// stores groups g and g + 1 at once (512-bit registers); the loops give it every pair of groups
// they can, and `run` the rest. Its rows must equal run's bit for bit.
//
// Internal linkage on purpose (see x8_kernels.h). Include after the intrinsics header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"
#include "kernels/token_tiles.h"

namespace qe {
namespace {

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

template <class Tile>
constexpr bool kTakesPairs = requires {
    Tile::kPairs;
};

template <class Tile>
void matvec_groups(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const typename Tile::Act a = Tile::act_row(xq, w.cols);
    int64_t g = r0 / 8;
    if constexpr (kTakesPairs<Tile>)
        for (; (g + 1) * 8 < r1; g += 2) Tile::template run_pair<1>(w, g, &a, y, 0, r0, r1);
    for (; g * 8 < r1; ++g) {
        __m256 acc[1];
        Tile::template run<1>(w, g, &a, acc);
        store_group(acc[0], y, g, r0, r1);
    }
}

template <class Tile, int T>
void matmul_groups_tokens(const Matrix& w, const typename Tile::Act* a, float* y, int64_t ldy,
                          int64_t g0, int64_t g1, int64_t r0, int64_t r1) {
    int64_t g = g0;
    if constexpr (kTakesPairs<Tile>)
        for (; g + 1 < g1; g += 2) Tile::template run_pair<T>(w, g, a, y, ldy, r0, r1);
    for (; g < g1; ++g) {
        __m256 acc[T];
        Tile::template run<T>(w, g, a, acc);
        for (int t = 0; t < T; ++t) store_group(acc[t], y + t * ldy, g, r0, r1);
    }
}

template <class Tile>
void matmul_groups(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                   int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kGroupChunk = 8;  // 64 rows of weights stay in L1/L2 across all tokens
    using Act = typename Tile::Act;
    const int64_t gend = (r1 + 7) / 8;
    for (int64_t gc = r0 / 8; gc < gend; gc += kGroupChunk) {
        const int64_t gc1 = gc + kGroupChunk < gend ? gc + kGroupChunk : gend;
        for_token_tiles<Act>(
            n, [&](int64_t t) { return Tile::act_row(xq + size_t(t) * xq_row_bytes, w.cols); },
            [&]<int T>(const Act* a, int64_t t0) {
                matmul_groups_tokens<Tile, T>(w, a, y + t0 * ldy, ldy, gc, gc1, r0, r1);
            });
    }
}

// Entries that take either layout a matrix can have: the Packed tile for an x8-packed matrix, the
// Rows tile for the file's rows.
template <class Packed, class Rows>
void matvec_either(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    if (w.layout == kLayoutX8) return matvec_groups<Packed>(w, xq, y, r0, r1);
    matvec_groups<Rows>(w, xq, y, r0, r1);
}

template <class Packed, class Rows>
void matmul_either(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                   int64_t ldy, int64_t r0, int64_t r1) {
    if (w.layout == kLayoutX8) return matmul_groups<Packed>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
    matmul_groups<Rows>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
}

}  // namespace
}  // namespace qe
