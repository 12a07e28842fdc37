#include "model/transformer.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "model/activation_dump.h"
#include "model/attention.h"
#include "model/delta_net_math.h"
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

// cos/sin of each batch position's rotary angles over the rotated dims: [n, rot_dims / 2] each.
void rope_angles(float* cos_out, float* sin_out, const int* pos, int n, int rot_dims, float theta) {
    const int half = rot_dims / 2;
    for (int i = 0; i < half; ++i) {
        const double freq = std::pow(double(theta), -2.0 * i / rot_dims);
        for (int t = 0; t < n; ++t) {
            const double angle = double(pos[t]) * freq;
            cos_out[t * half + i] = float(std::cos(angle));
            sin_out[t * half + i] = float(std::sin(angle));
        }
    }
}

// Rotate-half ("NeoX") RoPE with precomputed angles over the first rot_dims of each head.
// x: [n, n_heads * head_dim]
void rope(float* x, int n, int n_heads, int head_dim, int rot_dims, const float* cos_t,
          const float* sin_t) {
    const int half = rot_dims / 2;
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

// Hands named activations of a piece ([n, cols] each) to the activation dump (QE_DUMP), when
// there is one: names are NAME, or blk.LAYER.NAME inside a layer.
struct Tap {
    struct Named {
        const char* name;
        const float* data;
        int cols;
    };
    const ActivationDump* dump;
    int start_pos, n;
    int layer = -1;

    void operator()(std::initializer_list<Named> items) const {
        if (!dump) return;
        const std::string block = layer >= 0 ? "blk." + std::to_string(layer) + "." : "";
        for (const Named& a : items) dump->write(block + a.name, start_pos, a.data, n, a.cols);
    }
};

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
    if (c.attn_output_gate) {
        qg.resize(b * 2 * q_dim);
        attn_gate.resize(b * q_dim);
    }
    k.resize(b * kv_dim);
    v.resize(b * kv_dim);
    att.resize(b * q_dim);
    proj.resize(b * c.dim);
    gate.resize(b * c.ffn_dim);
    up.resize(b * c.ffn_dim);
    rope_cos.resize(b * (c.rotary_dims() / 2));
    rope_sin.resize(b * (c.rotary_dims() / 2));
    ids.resize(b);
    pos.resize(b);
    caches.resize(b);
    states.resize(b);
    if (c.full_attention_interval > 0) delta = std::make_unique<DeltaNetScratch>(c, max_batch);
}

Transformer::Transformer(const ModelConfig& config, const Weights& weights,
                         const Matrices& matrices, ThreadPool& pool, int max_batch)
    : config_(config),
      weights_(weights),
      matrices_(matrices),
      pool_(pool),
      k_(*matrices.table),
      s_(config, std::max(1, max_batch)) {
    int attention_layers = 0, delta_layers = 0;
    for (int l = 0; l < config.n_layers; ++l) {
        const bool delta = config.is_delta_net_layer(l);
        kv_layer_.push_back(delta ? -1 : attention_layers++);
        delta_layer_.push_back(delta ? delta_layers++ : -1);
    }
}

std::unique_ptr<SequenceState> Transformer::new_sequence(int n_ctx, DType kv_type) const {
    if (config_.full_attention_interval > 0)
        return std::make_unique<HybridState>(config_, n_ctx, kv_type);
    return std::make_unique<KVCache>(config_, n_ctx, kv_type);
}

KVCache& kv_cache_of(SequenceState& state) {
    auto* kv = dynamic_cast<KVCache*>(&state);
    if (!kv) throw Error("the sequence state is not a KV cache of this model");
    return *kv;
}

std::span<const float> Transformer::forward(std::span<const SequenceChunk> chunks,
                                            ForwardOutput output) {
    if (chunks.empty()) throw Error("nothing to evaluate (no sequences in the pass)");
    size_t n_positions = 0, n_rows = 0;
    const bool hybrid = config_.full_attention_interval > 0;
    chunk_caches_.clear();
    chunk_states_.clear();
    for (size_t i = 0; i < chunks.size(); ++i) {
        const SequenceChunk& c = chunks[i];
        try {
            if (!c.state) throw Error("no sequence state");
            if (hybrid) {
                auto* state = dynamic_cast<HybridState*>(c.state);
                if (!state) throw Error("the sequence state is not a hybrid state of this model");
                chunk_states_.push_back(state);
                chunk_caches_.push_back(&state->kv());
            } else {
                chunk_caches_.push_back(&kv_cache_of(*c.state));
            }
            check_batch(config_, chunk_caches_.back()->n_ctx(), c.ids, c.start_pos);
            check_verify(c);
            if (hybrid) chunk_states_.back()->check_start(c.start_pos);
        } catch (const Error& e) {
            throw Error("sequence " + std::to_string(i) + ": " + e.what());
        }
        n_positions += c.ids.size();
        n_rows += c.all_logits ? c.ids.size() : 1;
    }
    const bool hidden = output == ForwardOutput::Hidden;
    const size_t width = size_t(hidden ? config_.dim : config_.vocab_size);
    s_.logits.resize(n_rows * width);
    const ActivationDump* dump = chunks.size() == 1 ? dump_ : nullptr;
    for (size_t i = 0; i < chunk_states_.size(); ++i)
        chunk_states_[i]->begin_pass(int(chunks[i].ids.size()), chunks[i].verify);

    // The positions of all chunks one after the other, cut into pieces of max_batch.
    size_t chunk = 0, in_chunk = 0, rows_done = 0;
    for (size_t done = 0; done < n_positions;) {
        const int m = int(std::min(size_t(s_.max_batch), n_positions - done));
        s_.out_rows.clear();
        for (int t = 0; t < m; ++t) {
            while (in_chunk == chunks[chunk].ids.size()) ++chunk, in_chunk = 0;
            const SequenceChunk& c = chunks[chunk];
            s_.ids[size_t(t)] = c.ids[in_chunk];
            s_.pos[size_t(t)] = c.start_pos + int(in_chunk);
            s_.caches[size_t(t)] = chunk_caches_[chunk];
            s_.states[size_t(t)] = hybrid ? chunk_states_[chunk] : nullptr;
            ++in_chunk;
            if (c.all_logits || in_chunk == c.ids.size()) s_.out_rows.push_back(t);
        }
        forward_piece(m, &s_.logits[rows_done * width], hidden, dump);
        rows_done += s_.out_rows.size();
        done += size_t(m);
    }
    for (size_t i = 0; i < chunk_states_.size(); ++i)
        chunk_states_[i]->advance(int(chunks[i].ids.size()), chunks[i].keep);
    return s_.logits;
}

void Transformer::attention_block(int l, int n, const ActivationDump* d) {
    const ModelConfig& c = config_;
    const LayerWeights& L = weights_.layers[size_t(l)];
    const LayerMatrices& M = matrices_.layers[size_t(l)];
    RunState& s = s_;
    const int q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim;
    const int kv_layer = kv_layer_[size_t(l)];
    Tap tap{d, s.pos[0], n};
    tap.layer = l;
    // With the output gate, the Q projection yields per head [query | gate].
    float* q_out = c.attn_output_gate ? s.qg.data() : s.q.data();
    matmul(pool_, k_, s.xn_in, {{q_out, &M.wq}, {s.k.data(), &M.wk}, {s.v.data(), &M.wv}});
    if (c.attn_output_gate) {
        const size_t hd = size_t(c.head_dim);
        for (size_t r = 0; r < size_t(n) * c.n_heads; ++r) {
            std::copy_n(&s.qg[r * 2 * hd], hd, &s.q[r * hd]);
            std::copy_n(&s.qg[r * 2 * hd + hd], hd, &s.attn_gate[r * hd]);
        }
    }
    add_bias(s.q.data(), L.bq, n);  // the biases are empty in models without them
    add_bias(s.k.data(), L.bk, n);
    add_bias(s.v.data(), L.bv, n);
    tap({{"attn_norm", s.xn.data(), c.dim},
         {"q", s.q.data(), q_dim},
         {"k", s.k.data(), kv_dim},
         {"v", s.v.data(), kv_dim}});
    if (c.qk_norm) {  // each head of Q and of K: one weight of head size, shared by the heads
        rmsnorm(pool_, k_, s.q.data(), s.q.data(), L.q_norm, n * c.n_heads, c.rms_eps);
        rmsnorm(pool_, k_, s.k.data(), s.k.data(), L.k_norm, n * c.n_kv_heads, c.rms_eps);
    }
    const int rot = c.rotary_dims();
    rope(s.q.data(), n, c.n_heads, c.head_dim, rot, s.rope_cos.data(), s.rope_sin.data());
    rope(s.k.data(), n, c.n_kv_heads, c.head_dim, rot, s.rope_cos.data(), s.rope_sin.data());
    store_keys_values(kv_layer, s.pos.data(), s.caches.data(), n, s.k.data(), s.v.data(), kv_dim);
    attention(pool_, k_, s.att.data(), s.q.data(), s.caches.data(), s.pos.data(), n, kv_layer, c);
    if (c.attn_output_gate)
        for (size_t i = 0; i < size_t(n) * q_dim; ++i) s.att[i] *= sigmoid(s.attn_gate[i]);
    s.att_in.set(s.att.data(), n, q_dim);
    matmul(pool_, k_, s.proj.data(), s.att_in, M.wo);
    tap({{"q_rope", s.q.data(), q_dim},
         {"k_rope", s.k.data(), kv_dim},
         {"attn_out", s.att.data(), q_dim},
         {"attn_proj", s.proj.data(), c.dim}});
}

void Transformer::forward_piece(int n, float* out, bool hidden, const ActivationDump* d) {
    const ModelConfig& c = config_;
    const Weights& w = weights_;
    RunState& s = s_;
    Tap tap{d, s.pos[0], n};

    for (int t = 0; t < n; ++t)
        dequantize_row(w.token_embd.dtype, row_pointer(w.token_embd, s.ids[size_t(t)]),
                       &s.x[size_t(t) * c.dim], c.dim);
    tap({{"embd", s.x.data(), c.dim}});
    const int rot = c.rotary_dims();
    rope_angles(s.rope_cos.data(), s.rope_sin.data(), s.pos.data(), n, rot, c.rope_theta);

    for (int l = 0; l < c.n_layers; ++l) {
        if (safe_point_) safe_point_();
        const LayerWeights& L = w.layers[l];
        const LayerMatrices& M = matrices_.layers[size_t(l)];
        tap.layer = l;

        rmsnorm(pool_, k_, s.xn.data(), s.x.data(), L.attn_norm, n, c.rms_eps);
        s.xn_in.set(s.xn.data(), n, c.dim);
        if (c.is_delta_net_layer(l)) {
            delta_net_layer(pool_, k_, c, L, M, delta_layer_[size_t(l)], s.states.data(), n,
                            s.xn_in, *s.delta, s.proj.data());
            tap({{"attn_norm", s.xn.data(), c.dim}, {"attn_proj", s.proj.data(), c.dim}});
        } else {
            attention_block(l, n, d);
        }
        add(s.x.data(), s.proj.data(), size_t(n) * c.dim);

        // Feed-forward block: down(silu(gate(x)) * up(x)), the activation in gate's place.
        rmsnorm(pool_, k_, s.xn.data(), s.x.data(), L.ffn_norm, n, c.rms_eps);
        s.xn_in.set(s.xn.data(), n, c.dim);
        matmul_swiglu(pool_, k_, s.gate.data(), s.up.data(), s.xn_in, M.w_gate, M.w_up);
        s.act_in.set(s.gate.data(), n, c.ffn_dim);
        matmul(pool_, k_, s.proj.data(), s.act_in, M.w_down);
        tap({{"attn_resid", s.x.data(), c.dim},
             {"ffn_norm", s.xn.data(), c.dim},
             {"ffn_up", s.up.data(), c.ffn_dim},
             {"ffn_act", s.gate.data(), c.ffn_dim},
             {"ffn_out", s.proj.data(), c.dim}});
        add(s.x.data(), s.proj.data(), size_t(n) * c.dim);
        tap({{"out", s.x.data(), c.dim}});
    }

    // Output head over the positions that want logits.
    if (s.out_rows.empty()) return;
    if (safe_point_) safe_point_();
    const int n_out = int(s.out_rows.size());
    float* normed = hidden ? out : s.xn.data();  // [n_out, dim]
    for (int i = 0; i < n_out; ++i)
        k_.rmsnorm(&s.x[size_t(s.out_rows[size_t(i)]) * c.dim], w.output_norm.data(),
                   &normed[size_t(i) * c.dim], c.dim, c.rms_eps);
    if (hidden) return;
    s.xn_in.set(s.xn.data(), n_out, c.dim);
    matmul(pool_, k_, out, s.xn_in, matrices_.output);
    // A single chunk's rows are contiguous: they start at position pos[out_rows[0]].
    tap = Tap{d, s.pos[size_t(s.out_rows[0])], n_out};
    tap({{"output_norm", s.xn.data(), c.dim}, {"logits", out, c.vocab_size}});
}

}  // namespace qe
