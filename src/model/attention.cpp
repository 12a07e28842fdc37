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

// Queries that share a KV head read its cache together: the group's heads at up to this many
// queries' worth of consecutive positions of one sequence (a prompt's chunk), so a model with few
// heads per group (Qwen3: 2) converts each cached row for many queries, as one with many does.
constexpr int kQueriesPerTile = 16;

// Batch rows [first, first + count): one sequence's consecutive positions.
struct Tile {
    int first, count;
};

std::vector<Tile> make_tiles(const KVCache* const* caches, const int* pos, int n, int max_rows) {
    std::vector<Tile> tiles;
    for (int t = 0; t < n; ++t) {
        Tile* last = tiles.empty() ? nullptr : &tiles.back();
        if (last && last->count < max_rows && caches[t] == caches[t - 1] && pos[t] == pos[t - 1] + 1)
            ++last->count;
        else
            tiles.push_back({t, 1});
    }
    return tiles;
}

}  // namespace

void attention(ThreadPool& pool, const KernelTable& k, float* out, const float* q,
               const KVCache* const* caches, const int* pos, int n, int layer,
               const ModelConfig& c) {
    const int hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
    const float scale = 1.0f / std::sqrt(float(hd));
    const std::vector<Tile> tiles =
        make_tiles(caches, pos, n, std::max(1, kQueriesPerTile / group));

    pool.parallel_for(int64_t(tiles.size()) * c.n_kv_heads, [&](int64_t task) {
        const Tile tile = tiles[size_t(task / c.n_kv_heads)];
        const int kvh = int(task % c.n_kv_heads);
        const KVCache& kv = *caches[tile.first];
        const int nq = tile.count * group;
        const int n_seen = pos[tile.first + tile.count - 1] + 1;  // the last row's keys
        // Row t's group of query heads (and their outputs): heads h0 .. h0 + group - 1.
        auto head0 = [&](int t) { return (size_t(t) * c.n_heads + size_t(kvh) * group) * hd; };
        thread_local std::vector<float> scores, queries, outputs;
        thread_local std::vector<int64_t> keys_seen;
        scores.resize(size_t(nq) * size_t(n_seen));  // [nq, n_seen]

        if (kv.type() != DType::F16) {
            for (int t = tile.first; t < tile.first + tile.count; ++t)
                attend_f32(k, q + head0(t), group, static_cast<const float*>(kv.k_rows(layer, kvh)),
                           static_cast<const float*>(kv.v_rows(layer, kvh)), pos[t] + 1, hd, scale,
                           scores.data(), out + head0(t));
            return;
        }
        // One row's queries are contiguous; a tile's are gathered (and its outputs scattered).
        const bool gather = tile.count > 1;
        keys_seen.resize(size_t(nq));
        if (gather) {
            queries.resize(size_t(nq) * hd);
            outputs.resize(size_t(nq) * hd);
        }
        for (int r = 0; r < tile.count; ++r) {
            const int t = tile.first + r;
            std::fill_n(keys_seen.begin() + r * group, group, int64_t(pos[t]) + 1);
            if (gather)
                std::copy_n(q + head0(t), size_t(group) * hd, queries.begin() + size_t(r) * group * hd);
        }
        const float* qg = gather ? queries.data() : q + head0(tile.first);
        float* og = gather ? outputs.data() : out + head0(tile.first);
        const auto* keys = static_cast<const uint16_t*>(kv.k_rows(layer, kvh));
        const auto* values = static_cast<const uint16_t*>(kv.v_rows(layer, kvh));
        k.attn_scores_f16(qg, nq, keys, keys_seen.data(), n_seen, hd, scale, scores.data());
        for (int g = 0; g < nq; ++g) k.softmax(&scores[size_t(g) * n_seen], keys_seen[size_t(g)]);
        k.attn_values_f16(scores.data(), nq, values, keys_seen.data(), n_seen, hd, og);
        if (gather)
            for (int r = 0; r < tile.count; ++r)
                std::copy_n(outputs.begin() + size_t(r) * group * hd, size_t(group) * hd,
                            out + head0(tile.first + r));
    });
}

}  // namespace qe
