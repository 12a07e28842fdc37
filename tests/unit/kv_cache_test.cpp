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

TEST(KVCache, RejectsBadSizesAndTypes) {
    EXPECT_THROW(KVCache(small_config(), 0), Error);
    EXPECT_THROW(KVCache(small_config(), -5), Error);
    EXPECT_THROW(KVCache(small_config(), 4, DType::BF16), Error);
}

}  // namespace
}  // namespace qe
