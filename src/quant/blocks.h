// Fixed-layout quantization blocks, byte-compatible with GGUF (ggml's block types). Every field is
// a byte array or a little-endian scalar at its natural place, so a pointer into a mapped file can
// be read as an array of these structs (all have alignment 1 or 2, and GGUF aligns tensor data to
// at least 32 bytes). f16 fields are raw IEEE half bits (see core/half.h).
//
// Element order inside a block (the part that is easy to get wrong):
// - Q4_0/Q4_1: qs[j] low nibble is element j, high nibble element j + 16.
// - Q5_0/Q5_1: as Q4, plus bit j of the little-endian uint32 qh is the 5th bit of element j.
// - K-types hold 256 elements in sub-blocks of 16 or 32; see each struct and quant_k.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qe {

inline constexpr int kBlock32 = 32;  // elements per block of the Q4_0 .. Q8_1 family
inline constexpr int kBlockK = 256;  // elements per super-block of the K family
inline constexpr int kScalesK = 12;  // bytes of packed 6-bit scales in Q3_K/Q4_K/Q5_K

// x = d * (q - 8), q in 0..15
struct BlockQ4_0 {
    uint16_t d;                // f16 scale
    uint8_t qs[kBlock32 / 2];  // nibbles
};

// x = d * q + m, q in 0..15
struct BlockQ4_1 {
    uint16_t d;  // f16 scale
    uint16_t m;  // f16 offset (the block minimum)
    uint8_t qs[kBlock32 / 2];
};

// x = d * (q - 16), q in 0..31
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];  // 5th bits, little-endian uint32, bit j = element j
    uint8_t qs[kBlock32 / 2];
};

// x = d * q + m, q in 0..31
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kBlock32 / 2];
};

// x = d * q, q in -127..127
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kBlock32];
};

// x = d * q; s = d * sum(q), kept so dot products with offset types need no extra pass
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[kBlock32];
};

// 16 sub-blocks of 16: x = d * (scales[i] & 15) * q - dmin * (scales[i] >> 4), q in 0..3.
// qs: 2 halves of 128 elements; in half h, byte l of 32 holds 4 elements at bit shifts 0,2,4,6:
// element 128h + 32s + l for shift 2s.
struct BlockQ2_K {
    uint8_t scales[kBlockK / 16];  // low nibble scale, high nibble min
    uint8_t qs[kBlockK / 4];
    uint16_t d;     // f16 super-scale of the scales
    uint16_t dmin;  // f16 super-scale of the mins
};

// 16 sub-blocks of 16: x = d * (sc[i] - 32) * (q - (hbit ? 0 : 4)), q in 0..3 (low 2 bits laid
// out as in Q2_K); hbit of element e is bit e / 32 of hmask[e % 32]. sc: 16 x 6 bits; low 4 bits
// of sc[i] in nibble i / 8 of scales[i % 8], high 2 bits at bit 2 * (i / 4) of scales[8 + i % 4].
struct BlockQ3_K {
    uint8_t hmask[kBlockK / 8];  // high bit of each quant
    uint8_t qs[kBlockK / 4];     // low 2 bits
    uint8_t scales[kScalesK];    // 16 x 6-bit signed (offset 32) scales
    uint16_t d;                  // f16 super-scale
};

// 8 sub-blocks of 32: x = d * sc[i] * q - dmin * m[i], q in 0..15. sc/m are 6 bits, packed:
// i < 4: low 6 bits of scales[i] / scales[i + 4]; i >= 4: low / high nibble of scales[i + 4]
// with the top 2 bits in bits 6..7 of scales[i - 4] / scales[i].
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kScalesK];
    uint8_t qs[kBlockK / 2];  // 4 chunks of 64: low nibbles = first 32, high = next 32
};

// As Q4_K with a 5th bit per element in qh.
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kScalesK];
    uint8_t qh[kBlockK / 8];  // 5th bit of element e: bit e / 32 of qh[e % 32]
    uint8_t qs[kBlockK / 2];
};

// 16 sub-blocks of 16: x = d * scales[i] * (q - 32), q in 0..63. Element e = 128h + 32s + l:
// low 4 bits in nibble s / 2 of ql[64h + 32(s % 2) + l], high 2 bits at bit 2s of qh[32h + l].
struct BlockQ6_K {
    uint8_t ql[kBlockK / 2];
    uint8_t qh[kBlockK / 4];
    int8_t scales[kBlockK / 16];
    uint16_t d;
};

// Activation block for K-type dot products: x = d * q; bsums[i] = sum of q over sub-block i of 16.
struct BlockQ8_K {
    float d;
    int8_t qs[kBlockK];
    int16_t bsums[kBlockK / 16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

}  // namespace qe
