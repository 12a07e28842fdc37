// A small seeded random Qwen2 model built in memory (no file), for tests of the forward pass that
// need to control every weight. Matrices can be stored in any tensor type through quantize_row.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/config.h"
#include "model/weights.h"
#include "quant/quant.h"

namespace qe::test {

struct MemoryModel {
    ModelConfig config;
    Weights weights;
    std::vector<std::unique_ptr<std::vector<uint8_t>>> storage;  // bytes the views point into

    // Stores values [rows, cols] as a matrix of type t.
    TensorView matrix(const std::string& name, const std::vector<float>& values, int64_t rows,
                      int64_t cols, DType t) {
        const size_t row_size = *row_bytes(t, cols);
        auto bytes = std::make_unique<std::vector<uint8_t>>(row_size * size_t(rows));
        for (int64_t r = 0; r < rows; ++r)
            quantize_row(t, &values[size_t(r * cols)], bytes->data() + size_t(r) * row_size, cols);
        TensorView v{name, t, {rows, cols}, bytes->data(), bytes->size()};
        storage.push_back(std::move(bytes));
        return v;
    }
};

inline ModelConfig memory_model_config(int dim = 64, int n_heads = 4, int n_kv_heads = 2,
                                       int ffn = 96) {
    ModelConfig c;
    c.architecture = "qwen2";
    c.name = "memory";
    c.n_layers = 2;
    c.dim = dim;
    c.n_heads = n_heads;
    c.n_kv_heads = n_kv_heads;
    c.head_dim = dim / n_heads;
    c.ffn_dim = ffn;
    c.vocab_size = 100;
    c.context_length = 256;
    c.rope_theta = 1e6f;
    c.rms_eps = 1e-6f;
    c.tied_embeddings = true;
    return c;
}

// Random weights (normal, std `scale`; norms around 1) with matrices of type t.
inline std::unique_ptr<MemoryModel> make_memory_model(uint32_t seed, DType t = DType::F32,
                                                      ModelConfig c = memory_model_config(),
                                                      float scale = 0.15f) {
    auto m = std::make_unique<MemoryModel>();
    m->config = c;
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    auto random = [&](size_t n, float mean = 0.0f) {
        std::vector<float> v(n);
        for (auto& x : v) x = mean + normal(rng);
        return v;
    };
    auto mat = [&](const std::string& name, int64_t rows, int64_t cols) {
        return m->matrix(name, random(size_t(rows * cols)), rows, cols, t);
    };
    const int q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
    Weights& w = m->weights;
    w.token_embd = m->matrix("token_embd.weight", random(size_t(c.vocab_size) * c.dim, 0.0f),
                             c.vocab_size, c.dim, t);
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights L;
        L.attn_norm = random(size_t(c.dim), 1.0f);
        L.wq = mat(p + "attn_q.weight", q_dim, c.dim);
        L.bq = random(size_t(q_dim));
        L.wk = mat(p + "attn_k.weight", kv_dim, c.dim);
        L.bk = random(size_t(kv_dim));
        L.wv = mat(p + "attn_v.weight", kv_dim, c.dim);
        L.bv = random(size_t(kv_dim));
        L.wo = mat(p + "attn_output.weight", c.dim, q_dim);
        L.ffn_norm = random(size_t(c.dim), 1.0f);
        L.w_gate = mat(p + "ffn_gate.weight", c.ffn_dim, c.dim);
        L.w_up = mat(p + "ffn_up.weight", c.ffn_dim, c.dim);
        L.w_down = mat(p + "ffn_down.weight", c.dim, c.ffn_dim);
        w.layers.push_back(std::move(L));
    }
    w.output_norm = random(size_t(c.dim), 1.0f);
    w.output = w.token_embd;
    return m;
}

}  // namespace qe::test
