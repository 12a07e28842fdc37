// The plain float32 steps the reference forward passes are written in: one thread, weights decoded
// a row at a time, sums in the obvious order. Shared by every architecture's reference pass.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "model/config.h"
#include "model/activation_dump.h"
#include "model/batch.h"
#include "model/kv_cache.h"
#include "model/weights.h"

namespace qe::ref {

float dot(const float* a, const float* b, int64_t n);
float silu(float x);

// Row `row` of a matrix as stored in the file (any tensor type).
const uint8_t* row_pointer(const TensorView& w, int64_t row);

// out[t][r] = sum_c w[r][c] * x[t][c]       x: [n, cols], w: [rows, cols], out: [n, rows]
void matmul(float* out, const float* x, const TensorView& w, int n);

// x[t] += bias for every position.     x: [n, size], bias: [size]
void add_bias(float* x, const std::vector<float>& bias, int n);

// out[t] = x[t] / sqrt(mean(x[t]^2) + eps) * weight       x, out: [n, weight.size()]
void rmsnorm(float* out, const float* x, const std::vector<float>& weight, int n, float eps);

// Rotary position embedding, "NeoX" pairing over the first rot_dims of each head: element i turns
// with element i + rot_dims / 2 by angle pos * theta^(-2i / rot_dims); the rest stay as they are.
// x: [n, n_heads * head_dim]
void rope(float* x, int n, int n_heads, int head_dim, int rot_dims, int start_pos, float theta);

// Grouped-query causal attention over layer `layer` of the cache: position start_pos + t sees
// positions 0 .. start_pos + t; query head h reads KV head h / (n_heads / n_kv_heads).
// q, out: [n, n_heads * head_dim]
void attention(float* out, const float* q, const KVCache& kv, int layer, int n, int start_pos,
               const ModelConfig& c);

// The end of a reference pass over n positions of hidden states x [n, dim]: the final RMSNorm of
// the positions `which` asks for, then the hidden states (`hidden`) or the logits [rows, vocab].
std::vector<float> output_head(const ModelConfig& c, const Weights& w, const std::vector<float>& x,
                               int n, int start_pos, LogitsFor which, const ActivationDump* d,
                               bool hidden);

}  // namespace qe::ref
