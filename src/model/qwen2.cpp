#include "model/qwen2.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "model/attention.h"
#include "model/matmul.h"
#include "quant/quant.h"

namespace qe {
namespace {

// x[t] += bias for every position.     x: [n, size], bias: [size]
void add_bias(float* x, const std::vector<float>& bias, int n) {
    const size_t size = bias.size();
    for (int t = 0; t < n; ++t)
        for (size_t i = 0; i < size; ++i) x[t * size + i] += bias[i];
}

// out[t] = x[t] / sqrt(mean(x[t]^2) + eps) * weight      x, out: [n, dim]
void rmsnorm(ThreadPool& pool, const KernelTable& k, float* out, const float* x,
             const std::vector<float>& weight, int n, float eps) {
    const int64_t dim = int64_t(weight.size());
    auto one = [&](int64_t t) { k.rmsnorm(x + t * dim, weight.data(), out + t * dim, dim, eps); };
    if (n == 1) {
        one(0);
    } else {
        pool.parallel_for(n, one);
    }
}

// cos/sin of each batch position's rotary angles: [n, head_dim / 2] each.
void rope_angles(float* cos_out, float* sin_out, const int* pos, int n, int head_dim, float theta) {
    const int half = head_dim / 2;
    for (int i = 0; i < half; ++i) {
        const double freq = std::pow(double(theta), -2.0 * i / head_dim);
        for (int t = 0; t < n; ++t) {
            const double angle = double(pos[t]) * freq;
            cos_out[t * half + i] = float(std::cos(angle));
            sin_out[t * half + i] = float(std::sin(angle));
        }
    }
}

// Rotate-half ("NeoX") RoPE with precomputed angles.    x: [n, n_heads * head_dim]
void rope(float* x, int n, int n_heads, int head_dim, const float* cos_t, const float* sin_t) {
    const int half = head_dim / 2;
    for (int t = 0; t < n; ++t) {
        const float* c = cos_t + t * half;
        const float* s = sin_t + t * half;
        for (int h = 0; h < n_heads; ++h) {
            float* v = x + (size_t(t) * n_heads + h) * head_dim;
            for (int i = 0; i < half; ++i) {
                const float x0 = v[i], x1 = v[i + half];
                v[i] = x0 * c[i] - x1 * s[i];
                v[i + half] = x0 * s[i] + x1 * c[i];
            }
        }
    }
}

// gate = silu(gate) * up, split across threads.      gate, up: [size]
void swiglu(ThreadPool& pool, const KernelTable& k, float* gate, const float* up, size_t size) {
    pool.run([&](int thread, int n_threads) {
        const Range r = split_range(int64_t(size), thread, n_threads, 16);
        k.silu_mul(gate + r.begin, up + r.begin, gate + r.begin, r.end - r.begin);
    });
}

void add(float* x, const float* y, size_t size) {
    for (size_t i = 0; i < size; ++i) x[i] += y[i];
}

// Each position's keys/values into its sequence's cache, a run of consecutive positions of one
// sequence (a prompt chunk) at a time.       k, v: [n, kv_dim]
void store_keys_values(int layer, const int* pos, KVCache* const* caches, int n, const float* k,
                       const float* v, int kv_dim) {
    for (int t = 0; t < n;) {
        int end = t + 1;
        while (end < n && caches[end] == caches[t] && pos[end] == pos[end - 1] + 1) ++end;
        caches[t]->store(layer, pos[t], end - t, k + size_t(t) * kv_dim, v + size_t(t) * kv_dim);
        t = end;
    }
}

const uint8_t* row_pointer(const TensorView& w, int64_t row) {
    return static_cast<const uint8_t*>(w.data) + size_t(row) * *row_bytes(w.dtype, w.cols());
}

}  // namespace

RunState::RunState(const ModelConfig& c, int max_batch_) : max_batch(max_batch_) {
    const size_t b = size_t(max_batch), q_dim = size_t(c.n_heads) * c.head_dim,
                 kv_dim = size_t(c.n_kv_heads) * c.head_dim;
    x.resize(b * c.dim);
    xn.resize(b * c.dim);
    q.resize(b * q_dim);
    k.resize(b * kv_dim);
    v.resize(b * kv_dim);
    att.resize(b * q_dim);
    proj.resize(b * c.dim);
    gate.resize(b * c.ffn_dim);
    up.resize(b * c.ffn_dim);
    rope_cos.resize(b * (c.head_dim / 2));
    rope_sin.resize(b * (c.head_dim / 2));
    ids.resize(b);
    pos.resize(b);
    caches.resize(b);
}

Qwen2::Qwen2(const ModelConfig& config, const Weights& weights, const Matrices& matrices,
             ThreadPool& pool, int max_batch)
    : config_(config),
      weights_(weights),
      matrices_(matrices),
      pool_(pool),
      k_(*matrices.table),
      s_(config, std::max(1, max_batch)) {}

std::span<const float> Qwen2::forward(KVCache& kv, std::span<const int> ids, int start_pos,
                                      LogitsFor which, const ActivationDump* dump) {
    check_batch(config_, kv.n_ctx(), ids, start_pos);
    const int n = int(ids.size());
    const size_t vocab = size_t(config_.vocab_size);
    const bool all = which == LogitsFor::All;
    s_.logits.resize((all ? size_t(n) : 1) * vocab);
    for (int done = 0; done < n; done += s_.max_batch) {
        const int m = std::min(s_.max_batch, n - done);
        for (int t = 0; t < m; ++t) {
            s_.pos[size_t(t)] = start_pos + done + t;
            s_.caches[size_t(t)] = &kv;
        }
        float* out = all ? &s_.logits[size_t(done) * vocab] : s_.logits.data();
        forward_piece(ids.subspan(size_t(done), size_t(m)), all, done + m == n, out, dump);
    }
    return s_.logits;
}

std::span<const float> Qwen2::forward_steps(std::span<const SequenceStep> steps) {
    if (steps.empty()) throw Error("no sequences to advance (the step is empty)");
    for (size_t i = 0; i < steps.size(); ++i) {
        if (!steps[i].kv) throw Error("sequence " + std::to_string(i) + " has no KV cache");
        try {
            check_batch(config_, steps[i].kv->n_ctx(), {&steps[i].id, 1}, steps[i].pos);
        } catch (const Error& e) {
            throw Error("sequence " + std::to_string(i) + ": " + e.what());
        }
    }
    const int n = int(steps.size());
    const size_t vocab = size_t(config_.vocab_size);
    s_.logits.resize(size_t(n) * vocab);
    for (int done = 0; done < n; done += s_.max_batch) {
        const int m = std::min(s_.max_batch, n - done);
        for (int t = 0; t < m; ++t) {
            const SequenceStep& step = steps[size_t(done + t)];
            s_.ids[size_t(t)] = step.id;
            s_.pos[size_t(t)] = step.pos;
            s_.caches[size_t(t)] = step.kv;
        }
        forward_piece(std::span(s_.ids).first(size_t(m)), true, true,
                      &s_.logits[size_t(done) * vocab], nullptr);
    }
    return s_.logits;
}

void Qwen2::forward_piece(std::span<const int> ids, bool logits_all, bool logits_last,
                          float* logits_out, const ActivationDump* d) {
    const ModelConfig& c = config_;
    const Weights& w = weights_;
    RunState& s = s_;
    const int n = int(ids.size());
    const int start_pos = s.pos[0];  // names the dumps (which only single sequences make)
    const int q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;

    for (int t = 0; t < n; ++t)
        dequantize_row(w.token_embd.dtype, row_pointer(w.token_embd, ids[t]),
                       &s.x[size_t(t) * c.dim], c.dim);
    dump(d, "embd", start_pos, s.x.data(), n, c.dim);
    rope_angles(s.rope_cos.data(), s.rope_sin.data(), s.pos.data(), n, c.head_dim, c.rope_theta);

    for (int l = 0; l < c.n_layers; ++l) {
        if (safe_point_) safe_point_();
        const LayerWeights& L = w.layers[l];
        const LayerMatrices& M = matrices_.layers[size_t(l)];
        const std::string p = d ? "blk." + std::to_string(l) + "." : std::string();

        // Attention block.
        rmsnorm(pool_, k_, s.xn.data(), s.x.data(), L.attn_norm, n, c.rms_eps);
        dump(d, p + "attn_norm", start_pos, s.xn.data(), n, c.dim);
        s.xn_in.set(s.xn.data(), n, c.dim);
        matmul(pool_, k_, s.xn_in, {{s.q.data(), &M.wq}, {s.k.data(), &M.wk}, {s.v.data(), &M.wv}});
        add_bias(s.q.data(), L.bq, n);
        add_bias(s.k.data(), L.bk, n);
        add_bias(s.v.data(), L.bv, n);
        dump(d, p + "q", start_pos, s.q.data(), n, q_dim);
        dump(d, p + "k", start_pos, s.k.data(), n, kv_dim);
        dump(d, p + "v", start_pos, s.v.data(), n, kv_dim);
        rope(s.q.data(), n, c.n_heads, c.head_dim, s.rope_cos.data(), s.rope_sin.data());
        rope(s.k.data(), n, c.n_kv_heads, c.head_dim, s.rope_cos.data(), s.rope_sin.data());
        dump(d, p + "q_rope", start_pos, s.q.data(), n, q_dim);
        dump(d, p + "k_rope", start_pos, s.k.data(), n, kv_dim);
        store_keys_values(l, s.pos.data(), s.caches.data(), n, s.k.data(), s.v.data(), kv_dim);
        attention(pool_, k_, s.att.data(), s.q.data(), s.caches.data(), s.pos.data(), n, l, c);
        dump(d, p + "attn_out", start_pos, s.att.data(), n, q_dim);
        s.att_in.set(s.att.data(), n, q_dim);
        matmul(pool_, k_, s.proj.data(), s.att_in, M.wo);
        dump(d, p + "attn_proj", start_pos, s.proj.data(), n, c.dim);
        add(s.x.data(), s.proj.data(), size_t(n) * c.dim);
        dump(d, p + "attn_resid", start_pos, s.x.data(), n, c.dim);

        // Feed-forward block: down(silu(gate(x)) * up(x)).
        rmsnorm(pool_, k_, s.xn.data(), s.x.data(), L.ffn_norm, n, c.rms_eps);
        dump(d, p + "ffn_norm", start_pos, s.xn.data(), n, c.dim);
        s.xn_in.set(s.xn.data(), n, c.dim);
        if (d) {  // the dump names the products before the activation
            matmul(pool_, k_, s.xn_in, {{s.gate.data(), &M.w_gate}, {s.up.data(), &M.w_up}});
            dump(d, p + "ffn_gate", start_pos, s.gate.data(), n, c.ffn_dim);
            dump(d, p + "ffn_up", start_pos, s.up.data(), n, c.ffn_dim);
            swiglu(pool_, k_, s.gate.data(), s.up.data(), size_t(n) * c.ffn_dim);
        } else {
            matmul_swiglu(pool_, k_, s.gate.data(), s.up.data(), s.xn_in, M.w_gate, M.w_up);
        }
        dump(d, p + "ffn_act", start_pos, s.gate.data(), n, c.ffn_dim);
        s.act_in.set(s.gate.data(), n, c.ffn_dim);
        matmul(pool_, k_, s.proj.data(), s.act_in, M.w_down);
        dump(d, p + "ffn_out", start_pos, s.proj.data(), n, c.dim);
        add(s.x.data(), s.proj.data(), size_t(n) * c.dim);
        dump(d, p + "out", start_pos, s.x.data(), n, c.dim);
    }

    // Output head over the positions that want logits.
    if (!logits_all && !logits_last) return;
    if (safe_point_) safe_point_();
    const int first = logits_all ? 0 : n - 1;
    const int n_out = n - first;
    rmsnorm(pool_, k_, s.xn.data(), &s.x[size_t(first) * c.dim], w.output_norm, n_out, c.rms_eps);
    dump(d, "output_norm", start_pos + first, s.xn.data(), n_out, c.dim);
    s.xn_in.set(s.xn.data(), n_out, c.dim);
    matmul(pool_, k_, logits_out, s.xn_in, matrices_.output);
    dump(d, "logits", start_pos + first, logits_out, n_out, c.vocab_size);
}

}  // namespace qe
