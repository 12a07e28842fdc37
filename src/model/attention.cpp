#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/kernels.h"

namespace qe {
namespace {

// The kernels' f16 or f32 versions of the two loops of attention.
struct CacheOps {
    const KernelTable& k;
    DType type;

    float dot(const void* rows, int pos, int hd, const float* q) const {
        if (type == DType::F16)
            return k.dot_f16(static_cast<const uint16_t*>(rows) + size_t(pos) * hd, q, hd);
        return k.dot_f32(static_cast<const float*>(rows) + size_t(pos) * hd, q, hd);
    }
    // out += p * row
    void axpy(float p, const void* rows, int pos, int hd, float* out) const {
        if (type == DType::F16)
            return k.axpy_f16(p, static_cast<const uint16_t*>(rows) + size_t(pos) * hd, out, hd);
        const float* v = static_cast<const float*>(rows) + size_t(pos) * hd;
        for (int i = 0; i < hd; ++i) out[i] += p * v[i];
    }
};

}  // namespace

void attention(ThreadPool& pool, const KernelTable& k, float* out, const float* q,
               const KVCache* const* caches, const int* pos, int n, int layer,
               const ModelConfig& c) {
    const int hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
    const float scale = 1.0f / std::sqrt(float(hd));

    pool.parallel_for(int64_t(n) * c.n_kv_heads, [&](int64_t task) {
        const int t = int(task / c.n_kv_heads), kvh = int(task % c.n_kv_heads);
        const KVCache& kv = *caches[t];
        const CacheOps ops{k, kv.type()};
        const int n_seen = pos[t] + 1;
        const int h0 = kvh * group;  // first query head of the group
        thread_local std::vector<float> scores;
        scores.resize(size_t(group) * size_t(n_seen));  // [group, n_seen]

        const void* k_rows = kv.k_rows(layer, kvh);
        for (int g = 0; g < group; ++g) {
            const float* qh = q + (size_t(t) * c.n_heads + h0 + g) * hd;
            float* s = &scores[size_t(g) * n_seen];
            for (int j = 0; j < n_seen; ++j) s[j] = ops.dot(k_rows, j, hd, qh) * scale;
            ops.k.softmax(s, n_seen);
        }
        const void* v_rows = kv.v_rows(layer, kvh);
        for (int g = 0; g < group; ++g) {
            const float* s = &scores[size_t(g) * n_seen];
            float* o = out + (size_t(t) * c.n_heads + h0 + g) * hd;
            std::fill_n(o, hd, 0.0f);
            for (int j = 0; j < n_seen; ++j) ops.axpy(s[j], v_rows, j, hd, o);
        }
    });
}

}  // namespace qe
