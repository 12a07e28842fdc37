// quantize_row then dequantize_row stays within each type's error bound on random data, and
// degenerate blocks (zeros, constants, one outlier, NaN-free extremes) decode sensibly.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "quant/quant.h"

namespace qe {
namespace {

struct Bound {
    DType type;
    double max_rel_rmse;  // RMS error / RMS of the data, for N(0, 1) input
};

// A b-bit quantizer over a block's range has RMS error ~ step / sqrt(12), step ~ range / 2^b;
// Gaussian blocks of 32 span ~4 sigma, so 4 bits give ~0.07, 5 bits ~0.035, 8 bits ~0.005. The
// bounds are the values measured on this seeded data with ~15% headroom.
const Bound kBounds[] = {
    {DType::F32, 0.0},     {DType::F16, 3e-4},    // 11-bit mantissa: measured 0.0002
    {DType::BF16, 2e-3},                          // 8-bit mantissa: measured 0.0017
    {DType::Q8_0, 0.0065},                        // measured 0.0054
    {DType::Q8_1, 0.0065}, {DType::Q5_0, 0.050},  // measured 0.043
    {DType::Q5_1, 0.044},                         // measured 0.038
    {DType::Q4_0, 0.100},                         // measured 0.088
    {DType::Q4_1, 0.090},                         // measured 0.079
    {DType::Q8_K, 0.0085},                        // one absmax per 256: measured 0.0072
    {DType::Q6_K, 0.021},                         // measured 0.0176
    {DType::Q5_K, 0.042},                         // measured 0.036
    {DType::Q4_K, 0.085},                         // measured 0.073
    {DType::Q3_K, 0.17},                          // measured 0.147
    {DType::Q2_K, 0.31},                          // measured 0.270
};

std::vector<float> gaussian(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> x(n);
    for (auto& v : x) v = dist(rng);
    return x;
}

std::vector<float> round_trip(DType t, const std::vector<float>& x) {
    const int64_t n = int64_t(x.size());
    std::vector<uint8_t> q(*row_bytes(t, n));
    quantize_row(t, x.data(), q.data(), n);
    std::vector<float> y(x.size());
    dequantize_row(t, q.data(), y.data(), n);
    return y;
}

double relative_rmse(const std::vector<float>& x, const std::vector<float>& y) {
    double err = 0, ref = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        err += double(x[i] - y[i]) * double(x[i] - y[i]);
        ref += double(x[i]) * double(x[i]);
    }
    return std::sqrt(err / ref);
}

TEST(QuantRoundTrip, GaussianWithinPerTypeBound) {
    const auto x = gaussian(16 * 256, 1234);
    for (const auto& b : kBounds) {
        const double e = relative_rmse(x, round_trip(b.type, x));
        EXPECT_LE(e, b.max_rel_rmse) << dtype_name(b.type);
        // Also no better than lossless would allow: catches a bound that tests nothing.
        if (b.type != DType::F32) {
            EXPECT_GT(e, 0.0) << dtype_name(b.type);
        }
        std::printf("%-5s rel rmse %.4f (bound %.4f)\n", std::string(dtype_name(b.type)).c_str(), e,
                    b.max_rel_rmse);
    }
}

TEST(QuantRoundTrip, MoreBitsMeanLessError) {
    const auto x = gaussian(8 * 256, 99);
    auto err = [&](DType t) { return relative_rmse(x, round_trip(t, x)); };
    EXPECT_LT(err(DType::Q8_0), err(DType::Q5_0));
    EXPECT_LT(err(DType::Q5_0), err(DType::Q4_0));
    EXPECT_LT(err(DType::Q6_K), err(DType::Q5_K));
    EXPECT_LT(err(DType::Q5_K), err(DType::Q4_K));
    EXPECT_LT(err(DType::Q4_K), err(DType::Q3_K));
    EXPECT_LT(err(DType::Q3_K), err(DType::Q2_K));
}

TEST(QuantRoundTrip, ZerosStayZero) {
    const std::vector<float> x(512, 0.0f);
    for (const auto& b : kBounds) {
        const auto y = round_trip(b.type, x);
        for (float v : y) ASSERT_EQ(v, 0.0f) << dtype_name(b.type);
    }
}

TEST(QuantRoundTrip, ConstantAndOutlierBlocks) {
    // A constant block, and a block of small values with one large outlier: every type keeps the
    // outlier within a few percent and the constant within its bound.
    std::vector<float> x(512, 0.75f);
    for (size_t i = 256; i < 512; ++i) x[i] = 0.01f * float(int(i % 7) - 3);
    x[300] = -40.0f;
    for (const auto& b : kBounds) {
        const auto y = round_trip(b.type, x);
        EXPECT_NEAR(y[300], -40.0f, 40.0f * 0.05f) << dtype_name(b.type);
        EXPECT_NEAR(y[0], 0.75f, 0.75f * 0.05f) << dtype_name(b.type);
        for (float v : y) ASSERT_TRUE(std::isfinite(v)) << dtype_name(b.type);
    }
}

TEST(QuantRoundTrip, NonFiniteInputDoesNotCrash) {
    std::vector<float> x(256, 1.0f);
    x[3] = NAN;
    x[100] = INFINITY;
    x[200] = -INFINITY;
    for (const auto& b : kBounds) {
        auto y = round_trip(b.type, x);  // values are unspecified; only defined behaviour matters
        EXPECT_EQ(y.size(), x.size());
    }
}

TEST(QuantRoundTrip, EightBitIsExactOnItsOwnGrid) {
    // Values already on a Q8_0 grid (d = 0.5, q = -127..127) survive a round trip exactly.
    std::vector<float> x(64);
    for (int i = 0; i < 64; ++i) x[size_t(i)] = 0.5f * float((i * 53) % 255 - 127);
    x[0] = 63.5f;
    x[32] = -63.5f;
    EXPECT_EQ(round_trip(DType::Q8_0, x), x);
}

}  // namespace
}  // namespace qe
