// The int8 vector kernels (knowledge/vector_dot.h) against the scalar reference, and the vector
// index's search (knowledge/vector_index.h) against a naive loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "knowledge/vector_dot.h"
#include "knowledge/vector_index.h"

namespace qe::knowledge {
namespace {

std::vector<int8_t> random_i8(std::mt19937& rng, size_t n) {
    std::uniform_int_distribution<int> d(-127, 127);
    std::vector<int8_t> v(n);
    for (int8_t& x : v) x = int8_t(d(rng));
    return v;
}

TEST(VectorDot, EveryKernelEqualsTheReferenceForEveryLengthAndOffset) {
    std::mt19937 rng(7);
    const std::vector<int8_t> a = random_i8(rng, 1200), b = random_i8(rng, 1200);
    for (const DotKernel& k : dot_i8_kernels()) {
        for (size_t n = 0; n <= 130; ++n) {
            for (size_t offset = 0; offset < 4; ++offset) {
                ASSERT_EQ(k.fn(a.data() + offset, b.data() + 3 - offset, n),
                          dot_i8_reference(a.data() + offset, b.data() + 3 - offset, n))
                    << k.name << " n=" << n << " offset=" << offset;
            }
        }
        EXPECT_EQ(k.fn(a.data(), b.data(), 1024), dot_i8_reference(a.data(), b.data(), 1024));
    }
}

TEST(VectorDot, DispatchPicksTheFastestKernel) {
    const std::vector<DotKernel> kernels = dot_i8_kernels();
    std::string names;
    for (const DotKernel& k : kernels) names += std::string(" ") + k.name;
    RecordProperty("kernels", names);
    std::printf("int8 dot kernels on this CPU:%s\n", names.c_str());
    EXPECT_EQ(dot_i8(), kernels.back().fn);
#if defined(__aarch64__)
    EXPECT_GE(kernels.size(), 2u);  // NEON is part of every ARMv8-A CPU
#endif
}

TEST(VectorDot, ExtremesDoNotOverflow) {
    const std::vector<int8_t> a(65536, 127), b(65536, -127);
    for (const DotKernel& k : dot_i8_kernels()) {
        EXPECT_EQ(k.fn(a.data(), b.data(), a.size()), -127 * 127 * 65536) << k.name;
    }
}

TEST(VectorDot, QuantizeKeepsTheLargestValueAndSigns) {
    const std::vector<float> x = {0.5f, -1.0f, 0.25f, 0.0f};
    const QuantizedVector q = quantize_i8(x);
    EXPECT_FLOAT_EQ(q.scale, 1.0f / 127);
    EXPECT_EQ(q.values, (std::vector<int8_t>{64, -127, 32, 0}));
    const std::vector<float> odd = {0.0f, std::numeric_limits<float>::quiet_NaN(),
                                    std::numeric_limits<float>::infinity()};
    EXPECT_EQ(quantize_i8(odd).values, (std::vector<int8_t>{0, 0, 0}));
}

TEST(VectorIndex, SearchEqualsANaiveLoop) {
    std::mt19937 rng(11);
    std::normal_distribution<float> d;
    const int dims = 96;
    VectorIndex index(dims);
    std::vector<QuantizedVector> stored;
    for (int64_t id = 0; id < 500; ++id) {
        std::vector<float> v(dims);
        for (float& x : v) x = d(rng);
        stored.push_back(quantize_i8(v));
        index.add(id * 3, stored.back().scale, stored.back().values);
    }
    std::vector<float> query(dims);
    for (float& x : query) x = d(rng);
    const QuantizedVector q = quantize_i8(query);
    std::vector<VectorHit> naive;
    for (size_t i = 0; i < stored.size(); ++i) {
        int32_t sum = 0;
        for (int j = 0; j < dims; ++j) sum += int32_t(q.values[j]) * stored[i].values[j];
        naive.push_back({int64_t(i) * 3, float(sum) * q.scale * stored[i].scale});
    }
    std::sort(naive.begin(), naive.end(), [](const VectorHit& a, const VectorHit& b) {
        return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    });
    for (const DotKernel& k : dot_i8_kernels()) {
        const std::vector<VectorHit> hits = index.search(query, 20, k.fn);
        ASSERT_EQ(hits.size(), 20u);
        for (size_t i = 0; i < hits.size(); ++i) {
            EXPECT_EQ(hits[i].chunk_id, naive[i].chunk_id) << k.name << " rank " << i;
            EXPECT_EQ(hits[i].score, naive[i].score) << k.name << " rank " << i;
        }
    }
    EXPECT_EQ(index.search(query, 1000).size(), 500u);
    EXPECT_TRUE(index.search(query, 0).empty());
}

TEST(VectorIndex, WrongQuerySizeIsAnError) {
    VectorIndex index(8);
    const std::vector<float> q(7, 1.0f);
    EXPECT_THROW(index.search(q, 3), Error);
}

}  // namespace
}  // namespace qe::knowledge
