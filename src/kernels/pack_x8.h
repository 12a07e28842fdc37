// The x8 layout of the 32-element block types, read by the x86 tables: groups of 8 rows, and in
// each group one record per block index holding that block of all 8 rows, scales first. One
// 32-byte load of quants then feeds 8 rows at once with the activations broadcast, the 8 row
// scales convert with one vcvtph2ps, and the 8 results land in one register: no per-block scalar
// work and no horizontal sums. Same bytes as the GGUF rows (rows padded to a multiple of 8 with
// zero rows).
//
// Quant bytes, chunk c of 32 bytes: byte 4r + i = GGUF byte 4c + i of row r. For Q4/Q5 its low
// nibble is element 4c + i and its high nibble element 16 + 4c + i ("group" c and c + 4: a group
// g holds elements 4g' .. 4g' + 3 of every row, g' = g for the low nibbles). For Q8_0 (8 chunks)
// chunk c holds elements 4c .. 4c + 3.
// Q5 fifth bits, transposed: byte 4r + i of qh has bit g set when element 4g + i of row r (in
// group order: g < 4 low nibbles of chunk g, g >= 4 high nibbles of chunk g - 4) has its 5th bit.
#pragma once

#include <cstdint>

#include "kernels/kernels.h"

namespace qe::x8 {

struct Q4_0 {
    uint16_t d[8];
    uint8_t qs[128];
};
struct Q4_1 {
    uint16_t d[8];
    uint16_t m[8];
    uint8_t qs[128];
};
struct Q5_0 {
    uint16_t d[8];
    uint8_t qh[32];
    uint8_t qs[128];
};
struct Q5_1 {
    uint16_t d[8];
    uint16_t m[8];
    uint8_t qh[32];
    uint8_t qs[128];
};
struct Q8_0 {
    uint16_t d[8];
    int8_t qs[256];
};
static_assert(sizeof(Q4_0) == 8 * 18 && sizeof(Q4_1) == 8 * 20 && sizeof(Q5_0) == 8 * 22);
static_assert(sizeof(Q5_1) == 8 * 24 && sizeof(Q8_0) == 8 * 34);

// Repacks a Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 matrix into the x8 layout; other types are left as they are.
void pack(Matrix& m);

// The records of row group g (rows 8g .. 8g + 7), nb = cols / 32 of them. (Internal linkage:
// included by files compiled with different ISA flags.)
namespace {
template <typename Rec>
const Rec* group(const Matrix& m, int64_t g) {
    return reinterpret_cast<const Rec*>(m.packed.get()) + g * (m.cols / 32);
}
}  // namespace

}  // namespace qe::x8
