#include "core/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace qe {
namespace {

TEST(Half, EveryF16RoundTripsThroughF32) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(uint16_t(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << h;
            continue;
        }
        EXPECT_EQ(f32_to_f16(f), h) << "half bits " << h;
    }
}

TEST(Half, KnownValues) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);  // rounds up to infinity
    EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: zero
    EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie to even: down
    EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie to even: up
}

TEST(Half, NearestRoundingMatchesDoubleArithmetic) {
    // For a sweep of floats, the chosen half is never farther than its neighbours.
    for (float f = -70000.0f; f < 70000.0f; f += 3.3719f) {
        const uint16_t h = f32_to_f16(f);
        const float got = f16_to_f32(h);
        if (std::isinf(got)) continue;
        const float up = f16_to_f32(uint16_t(h + 1));
        const float down = f16_to_f32(uint16_t(h - 1));
        EXPECT_LE(std::fabs(double(got) - f), std::fabs(double(up) - f) + 1e-12) << f;
        EXPECT_LE(std::fabs(double(got) - f), std::fabs(double(down) - f) + 1e-12) << f;
    }
}

TEST(BFloat16, RoundsToNearestEven) {
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie, even stays
    EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f818000u)), 0x3f82);  // tie, odd rounds up
    EXPECT_EQ(f32_to_bf16(std::bit_cast<float>(0x3f808001u)), 0x3f81);
    EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

}  // namespace
}  // namespace qe
