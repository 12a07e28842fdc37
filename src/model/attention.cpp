#include "model/attention.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/half.h"

namespace qe {
namespace {

// A cached row as floats: F32 rows are used in place, F16 rows are converted into buf.
const float* cached_row(const void* rows, DType type, int pos, int head_dim, float* buf) {
    if (type == DType::F32) return static_cast<const float*>(rows) + size_t(pos) * head_dim;
    const uint16_t* src = static_cast<const uint16_t*>(rows) + size_t(pos) * head_dim;
    for (int i = 0; i < head_dim; ++i) buf[i] = f16_to_f32(src[i]);
    return buf;
}

float dot(const float* a, const float* b, int n) {
    float acc[4] = {};
    int i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; ++j) acc[j] += a[i + j] * b[i + j];
    float sum = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

}  // namespace

void attention(ThreadPool& pool, float* out, const float* q, const KVCache& kv, int layer, int n,
               int start_pos, const ModelConfig& c) {
    const int hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
    const float scale = 1.0f / std::sqrt(float(hd));
    const int max_seen = start_pos + n;

    pool.parallel_for(int64_t(n) * c.n_kv_heads, [&](int64_t task) {
        const int t = int(task / c.n_kv_heads), kvh = int(task % c.n_kv_heads);
        const int n_seen = start_pos + t + 1;
        const int h0 = kvh * group;  // first query head of the group
        thread_local std::vector<float> scores, row;
        scores.resize(size_t(group) * size_t(max_seen));  // [group, n_seen]
        row.resize(size_t(hd));

        const void* k_rows = kv.k_rows(layer, kvh);
        for (int j = 0; j < n_seen; ++j) {
            const float* k = cached_row(k_rows, kv.type(), j, hd, row.data());
            for (int g = 0; g < group; ++g) {
                const float* qh = q + (size_t(t) * c.n_heads + h0 + g) * hd;
                scores[size_t(g) * n_seen + j] = dot(qh, k, hd) * scale;
            }
        }
        for (int g = 0; g < group; ++g) {
            float* s = &scores[size_t(g) * n_seen];
            const float max_score = *std::max_element(s, s + n_seen);
            float sum = 0;
            for (int j = 0; j < n_seen; ++j) {
                s[j] = std::exp(s[j] - max_score);
                sum += s[j];
            }
            const float inv = 1.0f / sum;
            for (int j = 0; j < n_seen; ++j) s[j] *= inv;
            std::fill_n(out + (size_t(t) * c.n_heads + h0 + g) * hd, hd, 0.0f);
        }
        const void* v_rows = kv.v_rows(layer, kvh);
        for (int j = 0; j < n_seen; ++j) {
            const float* v = cached_row(v_rows, kv.type(), j, hd, row.data());
            for (int g = 0; g < group; ++g) {
                const float p = scores[size_t(g) * n_seen + j];
                float* o = out + (size_t(t) * c.n_heads + h0 + g) * hd;
                for (int i = 0; i < hd; ++i) o[i] += p * v[i];
            }
        }
    });
}

}  // namespace qe
