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
//
// The K-types Q4_K and Q6_K: one record per super-block of 256 elements of the 8 rows, the quants
// as unsigned values (Q4_K 0..15, Q6_K 0..63) in "groups" of 4 elements x 8 rows (32 bytes: byte
// 4r + i = element 4g + i of row r), sub-block by sub-block; the scales unpacked to one byte per
// row and sub-block, so a sub-block's 8 scales widen with one instruction. Q4_K: sub-block j (32
// elements) is chunks 4j .. 4j + 3 of qs; chunk 4j + p holds group p in its low nibbles and group p
// + 4 in its high nibbles. sc, m: byte 8j + r = scale, min of sub-block j of row r (6 bits). 32
// bytes more than the 8 GGUF blocks (the scales no longer 6-bit packed). Q6_K: sub-block j (16
// elements) is chunks 2j, 2j + 1 of ql (low nibbles: groups 0, 1; high nibbles: groups 2, 3) and
// chunk j of qh (bits 2g, 2g + 1: the top two bits of group g). sc: byte 16p + 2r + i = scale of
// sub-block 2p + i of row r (pairs of sub-blocks, as the activation's sums of 16 come in pairs).
// Same size as the 8 GGUF blocks.
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
struct Q4_K {
    uint16_t d[8];
    uint16_t dmin[8];
    uint8_t sc[64];
    uint8_t m[64];
    uint8_t qs[1024];
};
struct Q6_K {
    uint16_t d[8];
    int8_t sc[128];
    uint8_t ql[1024];
    uint8_t qh[512];
};
static_assert(sizeof(Q4_0) == 8 * 18 && sizeof(Q4_1) == 8 * 20 && sizeof(Q5_0) == 8 * 22);
static_assert(sizeof(Q5_1) == 8 * 24 && sizeof(Q8_0) == 8 * 34);
static_assert(sizeof(Q4_K) == 8 * 144 + 32 && sizeof(Q6_K) == 8 * 210);

// Repacks a Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q4_K/Q6_K matrix into the x8 layout; other types are left as
// they are.
void pack(Matrix& m);

// The records of row group g (rows 8g .. 8g + 7), cols / kElems of them (kElems: 32, or 256 for
// the K-types). (Internal linkage: included by files compiled with different ISA flags.)
namespace {
template <typename Rec, int kElems = 32>
const Rec* group(const Matrix& m, int64_t g) {
    return reinterpret_cast<const Rec*>(m.packed.get()) + g * (m.cols / kElems);
}
}  // namespace

}  // namespace qe::x8
