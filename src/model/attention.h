// Grouped-query causal attention over the KV cache, threaded (fast path).
#pragma once

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/config.h"
#include "model/kv_cache.h"

namespace qe {

// Position start_pos + t of the batch attends to cache positions 0 .. start_pos + t; query head h
// reads KV head h / (n_heads / n_kv_heads). Work is split over (position, KV head) pairs, so each
// cached row is read once for the whole group of query heads that share it.
// q, out: [n, n_heads * head_dim]
void attention(ThreadPool& pool, const KernelTable& k, float* out, const float* q,
               const KVCache& kv, int layer, int n, int start_pos, const ModelConfig& c);

}  // namespace qe
