// Scalar codecs decode hand-built blocks to hand-computed values. Each case sets a few bytes of a
// block by hand and checks elements whose value was worked out on paper from the GGUF layout, so
// the nibble order, high bits, signs and scale packing of every type are pinned down.
#include <gtest/gtest.h>

#include <cstring>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "core/half.h"
#include "quant/blocks.h"
#include "quant/quant.h"

namespace qe {
namespace {

// f16 bit patterns of a few exact values.
constexpr uint16_t kHalf0_25 = 0x3400, kHalf0_5 = 0x3800, kHalf1 = 0x3c00, kHalf2 = 0x4000,
                   kHalfMinus1 = 0xbc00;

template <typename Block>
std::vector<float> decode(DType t, const Block& b) {
    std::vector<float> y(size_t(dtype_info(t).block_elems));
    dequantize_row(t, &b, y.data(), int64_t(y.size()));
    return y;
}

void expect_values(const std::vector<float>& y, std::vector<std::pair<int, float>> expected) {
    for (auto [i, v] : expected) EXPECT_EQ(y[size_t(i)], v) << "element " << i;
}

TEST(BlockLayout, SizesMatchDtypeTable) {
    EXPECT_EQ(sizeof(BlockQ4_0), dtype_info(DType::Q4_0).block_bytes);
    EXPECT_EQ(sizeof(BlockQ4_1), dtype_info(DType::Q4_1).block_bytes);
    EXPECT_EQ(sizeof(BlockQ5_0), dtype_info(DType::Q5_0).block_bytes);
    EXPECT_EQ(sizeof(BlockQ5_1), dtype_info(DType::Q5_1).block_bytes);
    EXPECT_EQ(sizeof(BlockQ8_0), dtype_info(DType::Q8_0).block_bytes);
    EXPECT_EQ(sizeof(BlockQ8_1), dtype_info(DType::Q8_1).block_bytes);
    EXPECT_EQ(sizeof(BlockQ2_K), dtype_info(DType::Q2_K).block_bytes);
    EXPECT_EQ(sizeof(BlockQ3_K), dtype_info(DType::Q3_K).block_bytes);
    EXPECT_EQ(sizeof(BlockQ4_K), dtype_info(DType::Q4_K).block_bytes);
    EXPECT_EQ(sizeof(BlockQ5_K), dtype_info(DType::Q5_K).block_bytes);
    EXPECT_EQ(sizeof(BlockQ6_K), dtype_info(DType::Q6_K).block_bytes);
    EXPECT_EQ(sizeof(BlockQ8_K), dtype_info(DType::Q8_K).block_bytes);
    EXPECT_EQ(dtype_info(DType::Q4_0).block_elems, kBlock32);
    EXPECT_EQ(dtype_info(DType::Q6_K).block_elems, kBlockK);
}

TEST(Dequantize, FloatTypes) {
    const float f[3] = {1.5f, -2.0f, 0.0f};
    float y[3];
    dequantize_row(DType::F32, f, y, 3);
    EXPECT_EQ(y[0], 1.5f);
    EXPECT_EQ(y[1], -2.0f);
    const uint16_t h[3] = {0x3e00, 0xc000, 0x0001};  // 1.5, -2, smallest subnormal
    dequantize_row(DType::F16, h, y, 3);
    EXPECT_EQ(y[0], 1.5f);
    EXPECT_EQ(y[1], -2.0f);
    EXPECT_EQ(y[2], 5.9604644775390625e-8f);
    const uint16_t b[3] = {0x3fc0, 0xc000, 0x4049};  // 1.5, -2, 3.140625
    dequantize_row(DType::BF16, b, y, 3);
    EXPECT_EQ(y[0], 1.5f);
    EXPECT_EQ(y[1], -2.0f);
    EXPECT_EQ(y[2], 3.140625f);
}

TEST(Dequantize, Q4_0LowNibbleFirstHalfHighNibbleSecondHalf) {
    BlockQ4_0 b;
    b.d = kHalf0_5;
    std::memset(b.qs, 0x88, sizeof(b.qs));  // 8 - 8 = 0 everywhere
    b.qs[0] = 0x1f;
    b.qs[15] = 0x80;
    expect_values(decode(DType::Q4_0, b),
                  {{0, 3.5f}, {16, -3.5f}, {15, -4.0f}, {31, 0.0f}, {1, 0.0f}, {17, 0.0f}});
}

TEST(Dequantize, Q4_1AddsMin) {
    BlockQ4_1 b;
    b.d = kHalf0_5;
    b.m = kHalfMinus1;
    std::memset(b.qs, 0, sizeof(b.qs));
    b.qs[0] = 0x1f;
    expect_values(decode(DType::Q4_1, b), {{0, 6.5f}, {16, -0.5f}, {1, -1.0f}, {31, -1.0f}});
}

TEST(Dequantize, Q5_0HighBitsAreLittleEndianBitPerElement) {
    BlockQ5_0 b;
    b.d = kHalf1;
    std::memset(b.qs, 0, sizeof(b.qs));
    const uint8_t qh[4] = {0x01, 0x00, 0x02, 0x00};  // bits 0 and 17
    std::memcpy(b.qh, qh, 4);
    b.qs[0] = 0x2f;
    b.qs[1] = 0x13;
    expect_values(decode(DType::Q5_0, b),
                  {{0, 15.0f}, {16, -14.0f}, {1, -13.0f}, {17, 1.0f}, {2, -16.0f}, {31, -16.0f}});
}

TEST(Dequantize, Q5_1TopBitIsElement31) {
    BlockQ5_1 b;
    b.d = kHalf0_25;
    b.m = kHalf2;
    std::memset(b.qs, 0, sizeof(b.qs));
    const uint8_t qh[4] = {0, 0, 0, 0x80};
    std::memcpy(b.qh, qh, 4);
    b.qs[15] = 0xa0;
    expect_values(decode(DType::Q5_1, b), {{15, 2.0f}, {31, 8.5f}, {30, 2.0f}});
}

TEST(Dequantize, Q8_0AndQ8_1AreSigned) {
    BlockQ8_0 a;
    a.d = kHalf0_5;
    std::memset(a.qs, 0, sizeof(a.qs));
    a.qs[0] = -127;
    a.qs[31] = 100;
    expect_values(decode(DType::Q8_0, a), {{0, -63.5f}, {31, 50.0f}, {1, 0.0f}});
    BlockQ8_1 b;
    b.d = kHalf2;
    b.s = 0;
    std::memset(b.qs, 0, sizeof(b.qs));
    b.qs[5] = -3;
    expect_values(decode(DType::Q8_1, b), {{5, -6.0f}, {4, 0.0f}});
}

TEST(Dequantize, Q2_KScaleLowNibbleMinHighNibbleAndShiftOrder) {
    BlockQ2_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = kHalf1;
    b.dmin = kHalf0_5;
    b.scales[0] = 0x21;  // sub-block 0: scale 1, min 2 -> q - 1
    b.scales[1] = 0x03;  // sub-block 1: scale 3, min 0
    b.scales[2] = 0x01;
    b.scales[4] = 0x01;
    b.scales[6] = 0x11;   // scale 1, min 1 -> q - 0.5
    b.scales[9] = 0x42;   // scale 2, min 4 -> 2q - 2
    b.scales[15] = 0xf1;  // scale 1, min 15 -> q - 7.5
    b.qs[0] = 0xe4;       // 2-bit fields 0,1,2,3 = elements 0, 32, 64, 96
    b.qs[16] = 0x03;      // element 16
    b.qs[48] = 0x03;      // element 128 + 16
    b.qs[63] = 0xc0;      // element 128 + 96 + 31 = 255
    expect_values(decode(DType::Q2_K, b), {{0, -1.0f},
                                           {1, -1.0f},
                                           {32, 1.0f},
                                           {64, 2.0f},
                                           {96, 2.5f},
                                           {16, 9.0f},
                                           {144, 4.0f},
                                           {145, -2.0f},
                                           {255, -4.5f},
                                           {254, -7.5f}});
}

TEST(Dequantize, Q3_KSixBitScalesAndHighMask) {
    BlockQ3_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = kHalf0_5;
    // Stored scales (value + 32): sub-block 0 -> 33 (value 1), sub-block 13 -> 29 (value -3),
    // all others 32 (value 0). Low nibbles: scale 0 in scales[0] low, scale 13 in scales[5] high.
    b.scales[0] = 0x01;
    b.scales[5] = 0xd0;
    // High 2 bits: scale i at bits 2 * (i / 4) of scales[8 + i % 4]; all 2 except scale 13 (1).
    b.scales[8] = 0xaa;
    b.scales[9] = 0x6a;
    b.scales[10] = 0xaa;
    b.scales[11] = 0xaa;
    b.qs[0] = 0x02;     // element 0: low bits 2
    b.hmask[0] = 0x01;  // element 0: high bit set -> q = 2
    // element 1: low bits 0, high bit clear -> q = -4
    b.qs[48] = 0x30;     // element 208 (half 1, shift 4, l 16): low bits 3
    b.hmask[16] = 0x40;  // element 208: bit 208 / 32 = 6 of hmask[16] -> q = 3
    b.qs[49] = 0x10;     // element 209: low bits 1, high clear -> q = -3
    expect_values(decode(DType::Q3_K, b),
                  {{0, 1.0f}, {1, -2.0f}, {208, -4.5f}, {209, 4.5f}, {16, 0.0f}, {255, 0.0f}});
}

// Q4_K and Q5_K share the 6-bit scale/min packing; these bytes give sub-block 0 scale 3 min 4,
// sub-block 5 scale 37 min 50 (split across low nibbles and top bits), sub-block 7 scale 63.
void set_k4_scales(uint8_t* s) {
    s[0] = 3;
    s[4] = 4;
    s[9] = 0x25;   // sub-block 5: low nibbles of scale (5) and min (2)
    s[1] = 0x80;   // sub-block 5 scale's top bits (2), sub-block 1 scale 0
    s[5] = 0xc0;   // sub-block 5 min's top bits (3), sub-block 1 min 0
    s[11] = 0x0f;  // sub-block 7 scale low nibble 15, min 0
    s[3] = 0xc0;   // sub-block 7 scale's top bits (3)
}

TEST(Dequantize, Q4_KPackedScalesAndChunkOrder) {
    BlockQ4_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = kHalf0_5;
    b.dmin = kHalf0_25;
    set_k4_scales(b.scales);
    b.qs[0] = 0x0a;    // element 0 (chunk 0 low nibble): 0.5 * 3 * 10 - 0.25 * 4
    b.qs[64] = 0x70;   // element 160 (chunk 2 high nibble): 0.5 * 37 * 7 - 0.25 * 50
    b.qs[127] = 0xf0;  // element 255: 0.5 * 63 * 15
    expect_values(decode(DType::Q4_K, b), {{0, 14.0f},
                                           {1, -1.0f},
                                           {32, 0.0f},
                                           {160, 117.0f},
                                           {161, -12.5f},
                                           {128, 0.0f},
                                           {255, 472.5f},
                                           {224, 0.0f}});
}

TEST(Dequantize, Q5_KFifthBitIsBitEOver32OfQh) {
    BlockQ5_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = kHalf0_5;
    b.dmin = kHalf0_25;
    set_k4_scales(b.scales);
    b.qs[0] = 0x0a;
    b.qs[64] = 0x70;
    b.qs[127] = 0xf0;
    b.qh[0] = 0x21;   // 5th bits of elements 0 and 160
    b.qh[31] = 0x80;  // 5th bit of element 255
    expect_values(decode(DType::Q5_K, b),
                  {{0, 38.0f}, {1, -1.0f}, {160, 413.0f}, {161, -12.5f}, {255, 976.5f}});
}

TEST(Dequantize, Q6_KLowNibblesAndHighPairs) {
    BlockQ6_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = kHalf0_5;
    b.scales[0] = 2;
    b.scales[3] = -1;
    b.scales[4] = 1;
    b.scales[15] = 4;
    b.ql[0] = 0x65;    // element 0 low nibble 5, element 64 low nibble 6
    b.qh[0] = 0x12;    // element 0 high bits 2 (q 37), element 64 high bits 1 (q 22)
    b.ql[48] = 0x0f;   // element 48 (half 0, quarter 1, l 16): low nibble 15
    b.qh[16] = 0x0c;   // element 48 high bits 3 -> q 63
    b.ql[127] = 0x30;  // element 255 (half 1, quarter 3, l 31): high nibble 3
    b.qh[63] = 0x40;   // element 255 high bits 1 -> q 19
    expect_values(decode(DType::Q6_K, b),
                  {{0, 5.0f}, {1, -32.0f}, {64, -5.0f}, {48, -15.5f}, {255, -26.0f}, {100, 0.0f}});
}

TEST(Dequantize, Q8_KUsesF32Scale) {
    BlockQ8_K b;
    std::memset(&b, 0, sizeof(b));
    b.d = 0.25f;
    b.qs[7] = -9;
    b.qs[255] = 127;
    expect_values(decode(DType::Q8_K, b), {{7, -2.25f}, {255, 31.75f}, {0, 0.0f}});
}

TEST(Quantize, Q8_KBlockSumsMatchQuants) {
    std::vector<float> x(kBlockK);
    for (int i = 0; i < kBlockK; ++i) x[size_t(i)] = float((i * 37) % 101 - 50) * 0.1f;
    BlockQ8_K b;
    quantize_row(DType::Q8_K, x.data(), &b, kBlockK);
    for (int s = 0; s < 16; ++s) {
        int sum = 0;
        for (int i = 0; i < 16; ++i) sum += b.qs[16 * s + i];
        EXPECT_EQ(b.bsums[s], sum);
    }
    EXPECT_FLOAT_EQ(b.d, 5.0f / 127.0f);
}

TEST(Quantize, Q8_1SumIsScaledSumOfQuants) {
    std::vector<float> x(kBlock32);
    for (int i = 0; i < kBlock32; ++i) x[size_t(i)] = float(i) - 10.0f;
    BlockQ8_1 b;
    quantize_row(DType::Q8_1, x.data(), &b, kBlock32);
    int sum = 0;
    for (int i = 0; i < kBlock32; ++i) sum += b.qs[i];
    EXPECT_NEAR(f16_to_f32(b.s), f16_to_f32(b.d) * float(sum), 0.01f * std::abs(float(sum)));
}

}  // namespace
}  // namespace qe
