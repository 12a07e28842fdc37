#include "model/qwen35_reference.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "model/delta_net_math.h"
#include "model/reference_ops.h"
#include "quant/quant.h"

namespace qe {

using namespace ref;

namespace {

// One position of a Gated DeltaNet layer's recurrent part: the convolution's window ([taps - 1,
// conv_dim], oldest first) slides over the input projection `in` ([conv_dim], [q | k | v]), then
// the gated delta rule updates the state of every value head (delta: [v_heads, hd, hd], S[key
// i][value j]) with the gates' inputs alpha, beta ([v_heads] each). o: [v_dim] the delta rule's
// output; mixed [conv_dim] and kv_mem [hd] are scratch.
void recurrent_step(const ModelConfig& c, const LayerWeights& L, float* window, float* delta,
                    const float* in, const float* alpha, const float* beta, float* mixed,
                    float* kv_mem, float* o) {
    const int conv_dim = c.ssm_conv_dim(), k_dim = c.ssm_k_dim();
    const int hd = c.ssm_head_dim, taps = c.ssm_conv_kernel;
    // Causal depthwise convolution: each channel over its last `taps` inputs.
    for (int ch = 0; ch < conv_dim; ++ch)
        mixed[ch] =
            causal_conv_silu(&L.ssm_conv[size_t(ch)], taps, window + ch, size_t(conv_dim), in[ch]);
    if (taps > 1) {
        std::copy(window + conv_dim, window + size_t(taps - 1) * conv_dim, window);
        std::copy(in, in + conv_dim, window + size_t(taps - 2) * conv_dim);
    }
    float* q = mixed;
    float* k = q + k_dim;
    const float* v = k + k_dim;
    const float q_scale = 1.0f / std::sqrt(float(hd));
    for (int h = 0; h < c.ssm_k_heads; ++h) {
        l2_normalize(q + h * hd, hd, c.rms_eps);
        l2_normalize(k + h * hd, hd, c.rms_eps);
        for (int i = 0; i < hd; ++i) q[h * hd + i] *= q_scale;
    }
    // The gated delta rule per value head; value head h reads key head h mod key heads.
    for (int h = 0; h < c.ssm_v_heads; ++h) {
        const float* qh = q + (h % c.ssm_k_heads) * hd;
        const float* kh = k + (h % c.ssm_k_heads) * hd;
        const float* vh = v + h * hd;
        const float decay = delta_decay(L.ssm_a[h], alpha[h], L.ssm_dt_bias[h]);
        const float b = sigmoid(beta[h]);
        float* S = delta + size_t(h) * hd * hd;  // S[i][j]: key i, value j
        for (int i = 0; i < hd * hd; ++i) S[i] *= decay;
        std::fill(kv_mem, kv_mem + hd, 0.0f);  // S^T k: what S recalls for k
        for (int i = 0; i < hd; ++i)
            for (int j = 0; j < hd; ++j) kv_mem[j] += S[i * hd + j] * kh[i];
        for (int j = 0; j < hd; ++j) kv_mem[j] = (vh[j] - kv_mem[j]) * b;  // the correction
        for (int i = 0; i < hd; ++i)
            for (int j = 0; j < hd; ++j) S[i * hd + j] += kh[i] * kv_mem[j];
        float* oh = o + h * hd;  // S^T q
        std::fill(oh, oh + hd, 0.0f);
        for (int i = 0; i < hd; ++i)
            for (int j = 0; j < hd; ++j) oh[j] += S[i * hd + j] * qh[i];
    }
}

// A Gated DeltaNet layer on the normed input xn [n, dim]; its output before the residual add goes
// to out [n, dim]. `d` numbers the layer among the DeltaNet layers (its place in the state).
void delta_net_layer(const ModelConfig& c, const LayerWeights& L, HybridState& state, int d,
                     const float* xn, int n, float* out) {
    const int conv_dim = c.ssm_conv_dim(), v_dim = c.ssm_v_dim(), heads = c.ssm_v_heads;
    std::vector<float> qkv(size_t(n) * conv_dim);  // [n, conv_dim] rows [q | k | v]
    std::vector<float> z(size_t(n) * v_dim);       // [n, v_dim]
    std::vector<float> alpha(size_t(n) * heads);   // [n, v_heads]
    std::vector<float> beta(size_t(n) * heads);    // [n, v_heads]
    matmul(qkv.data(), xn, L.ssm_qkv, n);
    matmul(z.data(), xn, L.ssm_z, n);
    matmul(alpha.data(), xn, L.ssm_alpha, n);
    matmul(beta.data(), xn, L.ssm_beta, n);

    std::vector<float> mixed(
        static_cast<size_t>(conv_dim));       // one position's [q | k | v] after conv + SiLU
    std::vector<float> o(size_t(n) * v_dim);  // [n, v_dim] the delta rule's output
    std::vector<float> kv_mem(size_t(c.ssm_head_dim));
    // Speculative decoding: replay a verification chunk's accepted positions, or record them.
    state.prepare_layer(d, [&](float* window, float* delta, const float* rows, int count) {
        std::vector<float> discarded(static_cast<size_t>(v_dim));
        const int width = HybridState::record_width(c);
        for (int t = 0; t < count; ++t) {
            const float* row = rows + size_t(t) * width;
            recurrent_step(c, L, window, delta, row, row + conv_dim, row + conv_dim + heads,
                           mixed.data(), kv_mem.data(), discarded.data());
        }
    });
    if (float* rec = state.record_rows(d, n))
        for (int t = 0; t < n; ++t, rec += HybridState::record_width(c)) {
            std::copy_n(&qkv[size_t(t) * conv_dim], conv_dim, rec);
            std::copy_n(&alpha[size_t(t) * heads], heads, rec + conv_dim);
            std::copy_n(&beta[size_t(t) * heads], heads, rec + conv_dim + heads);
        }
    for (int t = 0; t < n; ++t)
        recurrent_step(c, L, state.conv(d), state.delta(d, 0), &qkv[size_t(t) * conv_dim],
                       &alpha[size_t(t) * heads], &beta[size_t(t) * heads], mixed.data(),
                       kv_mem.data(), &o[size_t(t) * v_dim]);
    // Gated RMSNorm per value head: RMSNorm(o) * ssm_norm * SiLU(z).
    rmsnorm(o.data(), o.data(), L.ssm_norm, n * heads, c.rms_eps);
    for (size_t i = 0; i < o.size(); ++i) o[i] *= silu(z[i]);
    matmul(out, o.data(), L.ssm_out, n);
}

// A gated full-attention layer on the normed input xn [n, dim]: GQA over the state's KV cache
// (attention layer `a`), per-head q/k RMSNorm, rotary embedding over the first rotary_dims() of
// each head, the output scaled by a sigmoid gate the Q projection carries. out: [n, dim]
void gated_attention_layer(const ModelConfig& c, const LayerWeights& L, HybridState& state, int a,
                           const float* xn, int n, int start_pos, float* out) {
    const int hd = c.head_dim, q_dim = c.n_heads * hd, kv_dim = c.n_kv_heads * hd;
    std::vector<float> qg(size_t(n) * 2 * q_dim);  // [n, n_heads, query | gate]
    std::vector<float> q(size_t(n) * q_dim), gate(size_t(n) * q_dim);
    std::vector<float> k(size_t(n) * kv_dim), v(size_t(n) * kv_dim), att(size_t(n) * q_dim);
    matmul(qg.data(), xn, L.wq, n);
    for (int r = 0; r < n * c.n_heads; ++r) {
        std::copy_n(&qg[size_t(r) * 2 * hd], hd, &q[size_t(r) * hd]);
        std::copy_n(&qg[size_t(r) * 2 * hd + hd], hd, &gate[size_t(r) * hd]);
    }
    matmul(k.data(), xn, L.wk, n);
    matmul(v.data(), xn, L.wv, n);
    rmsnorm(q.data(), q.data(), L.q_norm, n * c.n_heads, c.rms_eps);
    rmsnorm(k.data(), k.data(), L.k_norm, n * c.n_kv_heads, c.rms_eps);
    // The file's rope sections (interleaved MRoPE) give text positions the same angle in every
    // section: for text it is the plain rotation over the rotated dims.
    rope(q.data(), n, c.n_heads, hd, c.rotary_dims(), start_pos, c.rope_theta);
    rope(k.data(), n, c.n_kv_heads, hd, c.rotary_dims(), start_pos, c.rope_theta);
    state.kv().store(a, start_pos, n, k.data(), v.data());
    attention(att.data(), q.data(), state.kv(), a, n, start_pos, c);
    for (size_t i = 0; i < att.size(); ++i) att[i] *= sigmoid(gate[i]);
    matmul(out, att.data(), L.wo, n);
}

}  // namespace

std::vector<float> forward_hybrid_reference(const ModelConfig& c, const Weights& w,
                                            HybridState& state, std::span<const int> ids,
                                            int start_pos, LogitsFor which, bool keep,
                                            const ActivationDump* d, bool hidden, bool verify) {
    check_batch(c, state.n_ctx(), ids, start_pos);
    check_verify({&state, ids, start_pos, false, keep, verify});
    state.check_start(start_pos);
    state.begin_pass(int(ids.size()), verify);
    const int n = int(ids.size());
    const size_t dim = size_t(c.dim), ffn = size_t(c.ffn_dim);
    std::vector<float> x(n * dim);     // [n, dim] the residual stream
    std::vector<float> xn(n * dim);    // [n, dim] normalised input of a block
    std::vector<float> proj(n * dim);  // [n, dim] a block's output before the residual add
    std::vector<float> gate(n * ffn);  // [n, ffn_dim]
    std::vector<float> up(n * ffn);    // [n, ffn_dim]

    for (int t = 0; t < n; ++t)
        dequantize_row(w.token_embd.dtype, row_pointer(w.token_embd, ids[t]), &x[t * dim], c.dim);
    dump(d, "embd", start_pos, x.data(), n, c.dim);

    int delta_layer = 0, attention_layer = 0;
    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& L = w.layers[l];
        const std::string p = "blk." + std::to_string(l) + ".";

        rmsnorm(xn.data(), x.data(), L.attn_norm, n, c.rms_eps);
        if (c.is_delta_net_layer(l))
            delta_net_layer(c, L, state, delta_layer++, xn.data(), n, proj.data());
        else
            gated_attention_layer(c, L, state, attention_layer++, xn.data(), n, start_pos,
                                  proj.data());
        dump(d, p + "attn_proj", start_pos, proj.data(), n, c.dim);
        for (size_t i = 0; i < n * dim; ++i) x[i] += proj[i];

        // Feed-forward block: down(silu(gate(x)) * up(x)).
        rmsnorm(xn.data(), x.data(), L.ffn_norm, n, c.rms_eps);
        matmul(gate.data(), xn.data(), L.w_gate, n);
        matmul(up.data(), xn.data(), L.w_up, n);
        for (size_t i = 0; i < n * ffn; ++i) gate[i] = silu(gate[i]) * up[i];
        matmul(proj.data(), gate.data(), L.w_down, n);
        for (size_t i = 0; i < n * dim; ++i) x[i] += proj[i];
        dump(d, p + "out", start_pos, x.data(), n, c.dim);
    }
    state.advance(n, keep);

    return output_head(c, w, x, n, start_pos, which, d, hidden);
}

std::unique_ptr<SequenceState> HybridReferenceModel::new_sequence(int n_ctx, DType kv_type) const {
    return std::make_unique<HybridState>(config_, n_ctx, kv_type);
}

std::span<const float> HybridReferenceModel::forward(std::span<const SequenceChunk> chunks,
                                                     ForwardOutput output) {
    if (chunks.empty()) throw Error("nothing to evaluate (no sequences in the pass)");
    for (const SequenceChunk& c : chunks) {
        auto* s = c.state ? dynamic_cast<HybridState*>(c.state) : nullptr;
        if (!s) throw Error("the sequence state is not a hybrid state of this model");
        check_batch(config_, s->n_ctx(), c.ids, c.start_pos);
        check_verify(c);
        s->check_start(c.start_pos);
    }
    logits_.clear();
    for (const SequenceChunk& c : chunks) {
        const auto rows = forward_hybrid_reference(
            config_, weights_, *dynamic_cast<HybridState*>(c.state), c.ids, c.start_pos,
            c.all_logits ? LogitsFor::All : LogitsFor::Last, c.keep,
            chunks.size() == 1 ? dump_ : nullptr, output == ForwardOutput::Hidden, c.verify);
        logits_.insert(logits_.end(), rows.begin(), rows.end());
    }
    return logits_;
}

}  // namespace qe
