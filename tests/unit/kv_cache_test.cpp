#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/half.h"

namespace qe {
namespace {

ModelConfig small_config() {
    ModelConfig c;
    c.n_layers = 3;
    c.n_kv_heads = 2;
    c.head_dim = 8;
    return c;
}

// Row t of a batch: distinct values per (layer, position, element) so misplaced rows show.
std::vector<float> rows(int layer, int pos, int n, int kv_dim, float sign) {
    std::vector<float> v(size_t(n) * size_t(kv_dim));
    for (int t = 0; t < n; ++t)
        for (int i = 0; i < kv_dim; ++i)
            v[size_t(t * kv_dim + i)] = sign * (layer * 1000.0f + (pos + t) * 10.0f + i * 0.25f);
    return v;
}

TEST(KVCache, StoresEachHeadsRowsWhereItReadsThem) {
    const ModelConfig c = small_config();
    const int kv_dim = c.n_kv_heads * c.head_dim;
    for (DType type : {DType::F32, DType::F16}) {
        KVCache kv(c, 16, type);
        EXPECT_EQ(kv.bytes(), size_t(2 * 3 * 2 * 16 * 8) * (type == DType::F16 ? 2 : 4));
        for (int l = 0; l < c.n_layers; ++l) {
            kv.store(l, 0, 5, rows(l, 0, 5, kv_dim, 1).data(), rows(l, 0, 5, kv_dim, -1).data());
            kv.store(l, 5, 1, rows(l, 5, 1, kv_dim, 1).data(), rows(l, 5, 1, kv_dim, -1).data());
        }
        std::vector<float> got(8);
        for (int l = 0; l < c.n_layers; ++l) {
            const auto k = rows(l, 0, 6, kv_dim, 1), v = rows(l, 0, 6, kv_dim, -1);
            for (int pos = 0; pos < 6; ++pos) {
                for (int h = 0; h < c.n_kv_heads; ++h) {
                    kv.load_k(l, h, pos, got.data());
                    for (int i = 0; i < 8; ++i) {
                        const float want = k[size_t(pos * kv_dim + h * 8 + i)];
                        // F16 keeps 11 significant bits: relative error at most 2^-11.
                        EXPECT_NEAR(got[size_t(i)], want, std::fabs(want) * 0x1p-11f);
                    }
                    kv.load_v(l, h, pos, got.data());
                    for (int i = 0; i < 8; ++i) {
                        const float want = v[size_t(pos * kv_dim + h * 8 + i)];
                        EXPECT_NEAR(got[size_t(i)], want, std::fabs(want) * 0x1p-11f);
                    }
                }
            }
        }
    }
}

TEST(KVCache, RawRowsAreContiguousPerHead) {
    const ModelConfig c = small_config();
    KVCache kv(c, 4, DType::F16);
    const int kv_dim = c.n_kv_heads * c.head_dim;
    kv.store(2, 3, 1, rows(2, 3, 1, kv_dim, 1).data(), rows(2, 3, 1, kv_dim, -1).data());
    const auto* k = static_cast<const uint16_t*>(kv.k_rows(2, 1));
    EXPECT_EQ(k[3 * 8 + 2], f32_to_f16(rows(2, 3, 1, kv_dim, 1)[8 + 2]));
    const auto* v = static_cast<const uint16_t*>(kv.v_rows(2, 1));
    EXPECT_EQ(v[3 * 8 + 2], f32_to_f16(rows(2, 3, 1, kv_dim, -1)[8 + 2]));
}

TEST(KVCache, CopyPrefixTakesTheFirstPositionsOfEveryHead) {
    const ModelConfig c = small_config();
    const int kv_dim = c.n_kv_heads * c.head_dim;
    KVCache source(c, 6, DType::F32), copy(c, 9, DType::F32);
    for (int layer = 0; layer < c.n_layers; ++layer) {
        source.store(layer, 0, 6, rows(layer, 0, 6, kv_dim, 1).data(),
                     rows(layer, 0, 6, kv_dim, -1).data());
        copy.store(layer, 0, 9, rows(layer, 50, 9, kv_dim, 1).data(),
                   rows(layer, 50, 9, kv_dim, -1).data());
    }
    copy.copy_prefix(source, 4);
    std::vector<float> got(size_t(c.head_dim)), want(size_t(c.head_dim));
    for (int layer = 0; layer < c.n_layers; ++layer)
        for (int h = 0; h < c.n_kv_heads; ++h)
            for (int pos = 0; pos < 9; ++pos) {
                // Positions 0..3 from the source, the rest as stored before.
                for (const float sign : {1.0f, -1.0f}) {
                    const std::vector<float> all = pos < 4 ? rows(layer, pos, 1, kv_dim, sign)
                                                           : rows(layer, 50 + pos, 1, kv_dim, sign);
                    want.assign(all.begin() + h * c.head_dim, all.begin() + (h + 1) * c.head_dim);
                    if (sign > 0)
                        copy.load_k(layer, h, pos, got.data());
                    else
                        copy.load_v(layer, h, pos, got.data());
                    EXPECT_EQ(got, want) << layer << " " << h << " " << pos;
                }
            }
}

TEST(KVCache, CopyPrefixRefusesOtherLayoutsAndLengths) {
    const ModelConfig c = small_config();
    KVCache a(c, 4, DType::F16), b(c, 8, DType::F16), f32(c, 8, DType::F32);
    EXPECT_THROW(b.copy_prefix(a, 5), Error);  // more than the source holds
    EXPECT_THROW(a.copy_prefix(b, 5), Error);  // more than the target holds
    EXPECT_THROW(f32.copy_prefix(a, 2), Error);
    ModelConfig other = c;
    other.n_kv_heads = 1;
    KVCache narrow(other, 8, DType::F16);
    EXPECT_THROW(narrow.copy_prefix(a, 2), Error);
    EXPECT_NO_THROW(b.copy_prefix(a, 4));
}

TEST(KVCache, RejectsBadSizesAndTypes) {
    EXPECT_THROW(KVCache(small_config(), 0), Error);
    EXPECT_THROW(KVCache(small_config(), -5), Error);
    EXPECT_THROW(KVCache(small_config(), 4, DType::BF16), Error);
}

}  // namespace
}  // namespace qe
