#include "model/qwen2_reference.h"

#include <string>

#include "core/error.h"
#include "model/reference_ops.h"
#include "quant/quant.h"

namespace qe {

using namespace ref;

std::vector<float> forward_reference(const ModelConfig& c, const Weights& w, KVCache& kv,
                                     std::span<const int> ids, int start_pos, LogitsFor which,
                                     const ActivationDump* d, bool hidden) {
    check_batch(c, kv.n_ctx(), ids, start_pos);
    const int n = int(ids.size());
    const size_t dim = size_t(c.dim), q_dim = size_t(c.n_heads) * c.head_dim,
                 kv_dim = size_t(c.n_kv_heads) * c.head_dim, ffn = size_t(c.ffn_dim);

    std::vector<float> x(n * dim);      // [n, dim] the residual stream
    std::vector<float> xn(n * dim);     // [n, dim] normalised input of a block
    std::vector<float> q(n * q_dim);    // [n, n_heads * head_dim]
    std::vector<float> k(n * kv_dim);   // [n, n_kv_heads * head_dim]
    std::vector<float> v(n * kv_dim);   // [n, n_kv_heads * head_dim]
    std::vector<float> att(n * q_dim);  // [n, n_heads * head_dim] attention output
    std::vector<float> proj(n * dim);   // [n, dim] a block's output before the residual add
    std::vector<float> gate(n * ffn);   // [n, ffn_dim]
    std::vector<float> up(n * ffn);     // [n, ffn_dim]

    for (int t = 0; t < n; ++t)
        dequantize_row(w.token_embd.dtype, row_pointer(w.token_embd, ids[t]), &x[t * dim], c.dim);
    dump(d, "embd", start_pos, x.data(), n, c.dim);

    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& L = w.layers[l];
        const std::string p = "blk." + std::to_string(l) + ".";

        // Attention block.
        rmsnorm(xn.data(), x.data(), L.attn_norm, n, c.rms_eps);
        dump(d, p + "attn_norm", start_pos, xn.data(), n, c.dim);
        matmul(q.data(), xn.data(), L.wq, n);
        add_bias(q.data(), L.bq, n);
        matmul(k.data(), xn.data(), L.wk, n);
        add_bias(k.data(), L.bk, n);
        matmul(v.data(), xn.data(), L.wv, n);
        add_bias(v.data(), L.bv, n);
        dump(d, p + "q", start_pos, q.data(), n, int(q_dim));
        dump(d, p + "k", start_pos, k.data(), n, int(kv_dim));
        dump(d, p + "v", start_pos, v.data(), n, int(kv_dim));
        if (c.qk_norm) {  // each head of Q and of K: one weight of head size, shared by the heads
            rmsnorm(q.data(), q.data(), L.q_norm, n * c.n_heads, c.rms_eps);
            rmsnorm(k.data(), k.data(), L.k_norm, n * c.n_kv_heads, c.rms_eps);
        }
        rope(q.data(), n, c.n_heads, c.head_dim, c.head_dim, start_pos, c.rope_theta);
        rope(k.data(), n, c.n_kv_heads, c.head_dim, c.head_dim, start_pos, c.rope_theta);
        dump(d, p + "q_rope", start_pos, q.data(), n, int(q_dim));
        dump(d, p + "k_rope", start_pos, k.data(), n, int(kv_dim));
        kv.store(l, start_pos, n, k.data(), v.data());
        attention(att.data(), q.data(), kv, l, n, start_pos, c);
        dump(d, p + "attn_out", start_pos, att.data(), n, int(q_dim));
        matmul(proj.data(), att.data(), L.wo, n);
        dump(d, p + "attn_proj", start_pos, proj.data(), n, c.dim);
        for (size_t i = 0; i < n * dim; ++i) x[i] += proj[i];
        dump(d, p + "attn_resid", start_pos, x.data(), n, c.dim);

        // Feed-forward block: down(silu(gate(x)) * up(x)).
        rmsnorm(xn.data(), x.data(), L.ffn_norm, n, c.rms_eps);
        dump(d, p + "ffn_norm", start_pos, xn.data(), n, c.dim);
        matmul(gate.data(), xn.data(), L.w_gate, n);
        matmul(up.data(), xn.data(), L.w_up, n);
        dump(d, p + "ffn_gate", start_pos, gate.data(), n, c.ffn_dim);
        dump(d, p + "ffn_up", start_pos, up.data(), n, c.ffn_dim);
        for (size_t i = 0; i < n * ffn; ++i) gate[i] = silu(gate[i]) * up[i];
        dump(d, p + "ffn_act", start_pos, gate.data(), n, c.ffn_dim);
        matmul(proj.data(), gate.data(), L.w_down, n);
        dump(d, p + "ffn_out", start_pos, proj.data(), n, c.dim);
        for (size_t i = 0; i < n * dim; ++i) x[i] += proj[i];
        dump(d, p + "out", start_pos, x.data(), n, c.dim);
    }

    // Output head over the positions that want logits.
    return output_head(c, w, x, n, start_pos, which, d, hidden);
}

std::unique_ptr<SequenceState> ReferenceModel::new_sequence(int n_ctx, DType kv_type) const {
    return std::make_unique<KVCache>(config_, n_ctx, kv_type);
}

std::span<const float> ReferenceModel::forward(std::span<const SequenceChunk> chunks,
                                               ForwardOutput output) {
    if (chunks.empty()) throw Error("nothing to evaluate (no sequences in the pass)");
    for (const SequenceChunk& c : chunks) {
        auto* kv = c.state ? dynamic_cast<KVCache*>(c.state) : nullptr;
        if (!kv) throw Error("the sequence state is not a KV cache of this model");
        check_batch(config_, kv->n_ctx(), c.ids, c.start_pos);
        check_verify(c);
    }
    logits_.clear();
    for (const SequenceChunk& c : chunks) {
        const auto rows = forward_reference(
            config_, weights_, *dynamic_cast<KVCache*>(c.state), c.ids, c.start_pos,
            c.all_logits ? LogitsFor::All : LogitsFor::Last, chunks.size() == 1 ? dump_ : nullptr,
            output == ForwardOutput::Hidden);
        logits_.insert(logits_.end(), rows.begin(), rows.end());
    }
    return logits_;
}

}  // namespace qe
