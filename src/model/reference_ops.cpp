#include "model/reference_ops.h"

#include <algorithm>
#include <cmath>

#include "quant/quant.h"

namespace qe::ref {

float dot(const float* a, const float* b, int64_t n) {
    float sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

const uint8_t* row_pointer(const TensorView& w, int64_t row) {
    return static_cast<const uint8_t*>(w.data) + size_t(row) * *row_bytes(w.dtype, w.cols());
}

// out[t][r] = sum_c w[r][c] * x[t][c]       x: [n, cols], w: [rows, cols], out: [n, rows]
// Each weight row is decoded once and used for every position of the batch.
void matmul(float* out, const float* x, const TensorView& w, int n) {
    const int64_t rows = w.rows(), cols = w.cols();
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        dequantize_row(w.dtype, row_pointer(w, r), row.data(), cols);
        for (int t = 0; t < n; ++t) out[t * rows + r] = dot(row.data(), x + t * cols, cols);
    }
}

// x[t] += bias for every position.     x: [n, size], bias: [size]
void add_bias(float* x, const std::vector<float>& bias, int n) {
    const size_t size = bias.size();
    for (int t = 0; t < n; ++t)
        for (size_t i = 0; i < size; ++i) x[t * size + i] += bias[i];
}

// out[t] = x[t] / sqrt(mean(x[t]^2) + eps) * weight       x, out: [n, dim]
void rmsnorm(float* out, const float* x, const std::vector<float>& weight, int n, float eps) {
    const size_t dim = weight.size();
    for (int t = 0; t < n; ++t) {
        double sum_sq = 0;
        for (size_t i = 0; i < dim; ++i) sum_sq += double(x[t * dim + i]) * x[t * dim + i];
        const float scale = float(1.0 / std::sqrt(sum_sq / double(dim) + double(eps)));
        for (size_t i = 0; i < dim; ++i) out[t * dim + i] = x[t * dim + i] * scale * weight[i];
    }
}

void rope(float* x, int n, int n_heads, int head_dim, int rot_dims, int start_pos, float theta) {
    const int half = rot_dims / 2;
    for (int t = 0; t < n; ++t) {
        const double pos = start_pos + t;
        for (int i = 0; i < half; ++i) {
            const double angle = pos * std::pow(double(theta), -2.0 * i / rot_dims);
            const float c = float(std::cos(angle)), s = float(std::sin(angle));
            for (int h = 0; h < n_heads; ++h) {
                float* v = x + (size_t(t) * n_heads + h) * head_dim;
                const float x0 = v[i], x1 = v[i + half];
                v[i] = x0 * c - x1 * s;
                v[i + half] = x0 * s + x1 * c;
            }
        }
    }
}

// Grouped-query causal attention over the cache: position start_pos + t sees positions
// 0 .. start_pos + t; query head h reads KV head h / (n_heads / n_kv_heads).
// q, out: [n, n_heads * head_dim]
void attention(float* out, const float* q, const KVCache& kv, int layer, int n, int start_pos,
               const ModelConfig& c) {
    const int hd = c.head_dim, group = c.n_heads / c.n_kv_heads;
    const float scale = 1.0f / std::sqrt(float(hd));
    std::vector<float> scores(static_cast<size_t>(start_pos + n)), row(static_cast<size_t>(hd));
    for (int t = 0; t < n; ++t) {
        const int n_seen = start_pos + t + 1;
        for (int h = 0; h < c.n_heads; ++h) {
            const float* qh = q + (size_t(t) * c.n_heads + h) * hd;
            float* oh = out + (size_t(t) * c.n_heads + h) * hd;
            const int kvh = h / group;

            float max_score = -INFINITY;
            for (int j = 0; j < n_seen; ++j) {
                kv.load_k(layer, kvh, j, row.data());
                scores[j] = dot(qh, row.data(), hd) * scale;
                max_score = std::max(max_score, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j < n_seen; ++j) {
                scores[j] = std::exp(scores[j] - max_score);
                sum += scores[j];
            }
            for (int i = 0; i < hd; ++i) oh[i] = 0;
            for (int j = 0; j < n_seen; ++j) {
                kv.load_v(layer, kvh, j, row.data());
                const float p = float(scores[j] / sum);
                for (int i = 0; i < hd; ++i) oh[i] += p * row[i];
            }
        }
    }
}

float silu(float x) {
    return x / (1.0f + std::exp(-x));
}

std::vector<float> output_head(const ModelConfig& c, const Weights& w, const std::vector<float>& x,
                               int n, int start_pos, LogitsFor which, const ActivationDump* d,
                               bool hidden) {
    const size_t dim = size_t(c.dim);
    const int first = which == LogitsFor::All ? 0 : n - 1;
    const int n_out = n - first;
    std::vector<float> xn(size_t(n_out) * dim);
    rmsnorm(xn.data(), &x[size_t(first) * dim], w.output_norm, n_out, c.rms_eps);
    dump(d, "output_norm", start_pos + first, xn.data(), n_out, c.dim);
    if (hidden) return xn;
    std::vector<float> logits(size_t(n_out) * c.vocab_size);  // [n_out, vocab_size]
    matmul(logits.data(), xn.data(), w.output, n_out);
    dump(d, "logits", start_pos + first, logits.data(), n_out, c.vocab_size);
    return logits;
}

}  // namespace qe::ref
