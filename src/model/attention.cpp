#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/kernels.h"

namespace qe {
namespace {

// The f32 cache (a debugging option): plain loops over the kernels' dot product.
void attend_f32(const KernelTable& k, const float* q, int nq, const float* keys,
                const float* values, int n, int hd, float scale, float* scores, float* out) {
    for (int g = 0; g < nq; ++g)
        for (int j = 0; j < n; ++j)
            scores[size_t(g) * n + j] = scale * k.dot_f32(keys + size_t(j) * hd, q + g * hd, hd);
    for (int g = 0; g < nq; ++g) k.softmax(scores + size_t(g) * n, n);
    std::fill_n(out, size_t(nq) * hd, 0.0f);
    for (int g = 0; g < nq; ++g)
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < hd; ++i)
                out[g * hd + i] += scores[size_t(g) * n + j] * values[size_t(j) * hd + i];
}

}  // namespace

void attention(ThreadPool& pool, const KernelTable& k, float* out, const float* q,
               const KVCache* const* caches, const int* pos, int n, int layer,
               const ModelConfig& c) {
    const int hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
    const float scale = 1.0f / std::sqrt(float(hd));

    pool.parallel_for(int64_t(n) * c.n_kv_heads, [&](int64_t task) {
        const int t = int(task / c.n_kv_heads), kvh = int(task % c.n_kv_heads);
        const KVCache& kv = *caches[t];
        const int n_seen = pos[t] + 1;
        // The group's query heads (and their outputs) are contiguous: heads h0 .. h0 + group - 1.
        const size_t h0 = size_t(t) * c.n_heads + size_t(kvh) * group;
        const float* qg = q + h0 * hd;
        float* og = out + h0 * hd;
        thread_local std::vector<float> scores;
        scores.resize(size_t(group) * size_t(n_seen));  // [group, n_seen]

        if (kv.type() != DType::F16) {
            attend_f32(k, qg, group, static_cast<const float*>(kv.k_rows(layer, kvh)),
                       static_cast<const float*>(kv.v_rows(layer, kvh)), n_seen, hd, scale,
                       scores.data(), og);
            return;
        }
        k.attn_scores_f16(qg, group, static_cast<const uint16_t*>(kv.k_rows(layer, kvh)), n_seen,
                          hd, scale, scores.data());
        for (int g = 0; g < group; ++g) k.softmax(&scores[size_t(g) * n_seen], n_seen);
        k.attn_values_f16(scores.data(), group, static_cast<const uint16_t*>(kv.v_rows(layer, kvh)),
                          n_seen, hd, og);
    });
}

}  // namespace qe
