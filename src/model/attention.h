// Grouped-query causal attention over the KV cache, threaded (fast path).
#pragma once

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/config.h"
#include "model/kv_cache.h"

namespace qe {

// Batch row t attends to positions 0 .. pos[t] of its sequence's cache caches[t] (rows of one
// sequence or of several); query head h reads KV head h / (n_heads / n_kv_heads). Work is split
// over (tile, KV head) pairs, a tile being one row or a few consecutive positions of one
// sequence, so each cached row is read once for every query head of the tile that shares it.
// A row's output does not depend on the tiles (bit for bit).   q, out: [n, n_heads * head_dim]
void attention(ThreadPool& pool, const KernelTable& k, float* out, const float* q,
               const KVCache* const* caches, const int* pos, int n, int layer,
               const ModelConfig& c);

}  // namespace qe
