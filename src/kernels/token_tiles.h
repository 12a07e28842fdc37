// The token loop shared by the matmul kernels of every ISA: tokens in tiles of up to 4, each tile
// handed to a kernel instantiated for its token count, so the weights a tile reads are unpacked
// once for all its tokens. What a kernel computes for one token must not depend on T (the tables
// keep each row's products bit-identical for any batch; see kernels_test).
//
// Internal linkage on purpose (see x86/x8_kernels.h): the kernels it instantiates are compiled
// with the including file's ISA flags.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qe {
namespace {

constexpr int kMaxTileTokens = 4;

// For t0 = 0, 4, 8, ... < n: row(t) for the tile's tokens t0 .. t0 + T - 1 into a[], then
// tile.template operator()<T>(a, t0). Row is the activation row view (act::Q8_32Row, a float
// pointer, ...).
template <typename Row, class MakeRow, class Tile>
inline void for_token_tiles(int64_t n, const MakeRow& row, const Tile& tile) {
    for (int64_t t0 = 0; t0 < n; t0 += kMaxTileTokens) {
        Row a[kMaxTileTokens];
        const int nt = int(n - t0 < kMaxTileTokens ? n - t0 : kMaxTileTokens);
        for (int i = 0; i < nt; ++i) a[i] = row(t0 + i);
        switch (nt) {
            case 4:
                tile.template operator()<4>(a, t0);
                break;
            case 3:
                tile.template operator()<3>(a, t0);
                break;
            case 2:
                tile.template operator()<2>(a, t0);
                break;
            default:
                tile.template operator()<1>(a, t0);
                break;
        }
    }
}

}  // namespace
}  // namespace qe
