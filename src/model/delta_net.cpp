#include "model/delta_net.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "model/delta_net_math.h"
#include "model/forward_model.h"

namespace qe {
namespace {

constexpr int kMaxConvTaps = 16;  // ModelConfig checks ssm_conv_kernel <= 16

// The causal convolution of every channel at one position, then SiLU: tap j reads the input row
// rows[j] (oldest first, the position's own input last). Tap after tap over contiguous channels
// (it vectorizes); the SiLU is the table's silu_mul times ones. Every path that runs the
// convolution (prompt, decode, the replay of a rewind) computes it here, so they agree bit for bit.
void conv_silu_position(const KernelTable& k, const LayerWeights& L, int taps, int conv_dim,
                        const float* const* rows, const float* ones, float* out) {
    std::fill_n(out, conv_dim, 0.0f);
    for (int j = 0; j < taps; ++j) {
        const float* w = &L.ssm_conv[size_t(j) * conv_dim];
        const float* x = rows[j];
        for (int ch = 0; ch < conv_dim; ++ch) out[ch] += w[ch] * x[ch];
    }
    k.silu_mul(out, ones, out, conv_dim);
}

// Moves a convolution window ([taps - 1, conv_dim], oldest first) on by one input row.
void push_window(float* window, int taps, int conv_dim, const float* in) {
    if (taps < 2) return;
    std::copy(window + conv_dim, window + size_t(taps - 1) * conv_dim, window);
    std::copy_n(in, conv_dim, window + size_t(taps - 2) * conv_dim);
}

// Speculative decoding: applies n recorded positions of a verification chunk (rows [n,
// record_width]: the input projection | alpha | beta) to a layer's recurrent values (conv:
// [taps - 1, conv_dim], delta: [heads, hd, hd]) exactly as delta_net_layer's recurrent steps do,
// outputs discarded.
void replay_recorded(ThreadPool& pool, const KernelTable& k, const ModelConfig& c,
                     const LayerWeights& L, const float* ones, float* window, float* delta,
                     const float* rows, int n) {
    const int conv_dim = c.ssm_conv_dim(), k_dim = c.ssm_k_dim(),
              width = conv_dim + 2 * c.ssm_v_heads;
    const int hd = c.ssm_head_dim, taps = c.ssm_conv_kernel, heads = c.ssm_v_heads;
    std::vector<float> mixed(size_t(n) * conv_dim);  // [n, conv_dim]
    const float q_scale = 1.0f / std::sqrt(float(hd));
    for (int t = 0; t < n; ++t) {
        const float* in = rows + size_t(t) * width;
        float* m = &mixed[size_t(t) * conv_dim];
        const float* taps_in[kMaxConvTaps];
        for (int j = 0; j + 1 < taps; ++j) taps_in[j] = window + size_t(j) * conv_dim;
        taps_in[taps - 1] = in;
        conv_silu_position(k, L, taps, conv_dim, taps_in, ones, m);
        push_window(window, taps, conv_dim, in);
        for (int h = 0; h < c.ssm_k_heads; ++h) {
            l2_normalize(m + h * hd, hd, c.rms_eps);
            l2_normalize(m + k_dim + h * hd, hd, c.rms_eps);
            for (int i = 0; i < hd; ++i) m[h * hd + i] *= q_scale;
        }
    }
    pool.parallel_for(heads, [&](int64_t job) {
        const int h = int(job);
        thread_local std::vector<float> u, o;
        u.resize(size_t(hd));
        o.resize(size_t(hd));
        float* S = delta + size_t(h) * hd * hd;
        for (int t = 0; t < n; ++t) {
            const float* row = &mixed[size_t(t) * conv_dim];
            const float* gates = rows + size_t(t) * width + conv_dim;  // alpha | beta
            const float decay = delta_decay(L.ssm_a[h], gates[h], L.ssm_dt_bias[h]);
            k.delta_rule_step(S, row + k_dim + (h % c.ssm_k_heads) * hd, row + 2 * k_dim + h * hd,
                              row + (h % c.ssm_k_heads) * hd, decay, sigmoid(gates[heads + h]),
                              o.data(), u.data(), hd, hd);
        }
    });
}

}  // namespace

DeltaNetScratch::DeltaNetScratch(const ModelConfig& c, int max_batch) {
    const size_t b = size_t(max_batch);
    qkv.resize(b * c.ssm_conv_dim());
    mixed.resize(b * c.ssm_conv_dim());
    z.resize(b * c.ssm_v_dim());
    alpha.resize(b * c.ssm_v_heads);
    beta.resize(b * c.ssm_v_heads);
    o.resize(b * c.ssm_v_dim());
    ones.assign(size_t(c.ssm_conv_dim()), 1.0f);
}

void delta_net_layer(ThreadPool& pool, const KernelTable& k, const ModelConfig& c,
                     const LayerWeights& L, const LayerMatrices& M, int d,
                     HybridState* const* states, int n, MatmulInput& xn_in, DeltaNetScratch& s,
                     float* out) {
    const int conv_dim = c.ssm_conv_dim(), k_dim = c.ssm_k_dim(), v_dim = c.ssm_v_dim();
    const int hd = c.ssm_head_dim, taps = c.ssm_conv_kernel, heads = c.ssm_v_heads;
    matmul(pool, k, xn_in,
           {{s.qkv.data(), &M.ssm_qkv},
            {s.z.data(), &M.ssm_z},
            {s.alpha.data(), &M.ssm_alpha},
            {s.beta.data(), &M.ssm_beta}});

    // The light steps (convolution, norms) of a few positions run on this thread: split across
    // the pool they would cost more in waiting for the threads than they save. Each item is
    // computed the same way wherever it runs.
    const bool few = n <= 8;
    auto each = [&](int64_t count, const std::function<void(int64_t)>& fn) {
        if (few) {
            for (int64_t i = 0; i < count; ++i) fn(i);
        } else {
            pool.parallel_for(count, fn);
        }
    };

    // The sequences of the piece: runs [first, end) of rows sharing a state.
    std::vector<int> run_start;
    for (int t = 0; t < n; ++t)
        if (t == 0 || states[t] != states[t - 1]) run_start.push_back(t);
    const int runs = int(run_start.size());
    run_start.push_back(n);

    // Speculative decoding: a state rewound into its last verification chunk first replays the
    // chunk's accepted positions; a verification chunk records what a rewind will replay.
    const int width = HybridState::record_width(c);
    for (int r = 0; r < runs; ++r) {
        HybridState& state = *states[run_start[r]];
        state.prepare_layer(
            d,
            [&](float* window, float* delta, const float* rows, int count) {
                replay_recorded(pool, k, c, L, s.ones.data(), window, delta, rows, count);
            },
            &pool);
        float* rec = state.record_rows(d, run_start[r + 1] - run_start[r]);
        for (int t = run_start[r]; rec && t < run_start[r + 1]; ++t, rec += width) {
            std::copy_n(&s.qkv[size_t(t) * conv_dim], conv_dim, rec);
            std::copy_n(&s.alpha[size_t(t) * heads], heads, rec + conv_dim);
            std::copy_n(&s.beta[size_t(t) * heads], heads, rec + conv_dim + heads);
        }
    }

    // Causal convolution + SiLU, position by position (each independent of the others): tap j of
    // position t reads the input of position t - (taps - 1) + j, a row of the projection, or
    // before its run's first position a row of the state's window (the sequence's last taps - 1
    // inputs). The windows move on once all positions are done.
    each(n, [&](int64_t t) {
        // the start of t's run: the last run_start <= t
        const int first =
            *(std::upper_bound(run_start.begin(), run_start.begin() + runs, int(t)) - 1);
        const float* window = states[first]->conv(d);  // [taps - 1, conv_dim]
        const float* taps_in[kMaxConvTaps];
        for (int j = 0; j < taps; ++j) {
            const int p = int(t) - (taps - 1) + j;
            taps_in[j] = p >= first ? &s.qkv[size_t(p) * conv_dim]
                                    : window + size_t(taps - 1 + p - first) * conv_dim;
        }
        conv_silu_position(k, L, taps, conv_dim, taps_in, s.ones.data(),
                           &s.mixed[size_t(t) * conv_dim]);
    });
    for (int r = 0; r < runs; ++r) {
        const int first = run_start[r], end = run_start[r + 1];
        float* window = states[first]->conv(d);
        // Row j takes the input of position end - (taps - 1) + j: from the projection, or (a run
        // shorter than the window) from a later row of the old window, read before it is written.
        for (int j = 0; j + 1 < taps; ++j) {
            const int p = end - (taps - 1) + j;
            const float* src = p >= first ? &s.qkv[size_t(p) * conv_dim]
                                          : window + size_t(taps - 1 + p - first) * conv_dim;
            std::copy_n(src, conv_dim, window + size_t(j) * conv_dim);
        }
    }

    // q and k per key head: L2-normalised, q scaled by 1/sqrt(head size).
    const float q_scale = 1.0f / std::sqrt(float(hd));
    each(n, [&](int64_t t) {
        float* q = &s.mixed[size_t(t) * conv_dim];
        for (int h = 0; h < c.ssm_k_heads; ++h) {
            l2_normalize(q + h * hd, hd, c.rms_eps);
            l2_normalize(q + k_dim + h * hd, hd, c.rms_eps);
            for (int i = 0; i < hd; ++i) q[h * hd + i] *= q_scale;
        }
    });

    // The gated delta rule for each (sequence, value head); value head h reads key head h mod
    // key heads. A run of a prompt longer than a verification chunk takes the chunked form (a
    // few matrix products per chunk of positions); decode and verification runs step token after
    // token, so how their tokens are split into passes changes no bit.
    pool.parallel_for(int64_t(runs) * heads, [&](int64_t job) {
        const int r = int(job / heads), h = int(job % heads);
        const int first = run_start[r], len = run_start[r + 1] - first;
        float* S = states[first]->delta(d, h);
        const size_t kh = size_t(h % c.ssm_k_heads) * size_t(hd);
        const float* row0 = &s.mixed[size_t(first) * conv_dim];
        float* out0 = &s.o[size_t(first) * v_dim + size_t(h) * hd];
        thread_local std::vector<float> decay, beta, scratch;
        decay.resize(size_t(len));
        beta.resize(size_t(len));
        for (int t = 0; t < len; ++t) {
            const size_t at = size_t(first + t) * heads + h;
            decay[size_t(t)] = delta_decay(L.ssm_a[h], s.alpha[at], L.ssm_dt_bias[h]);
            beta[size_t(t)] = sigmoid(s.beta[at]);
        }
        if (len > kMaxVerifyChunk) {
            DeltaRuleRun run;
            run.q = row0 + kh;
            run.k = row0 + k_dim + kh;
            run.v = row0 + 2 * k_dim + size_t(h) * hd;
            run.decay = decay.data();
            run.beta = beta.data();
            run.out = out0;
            run.n = len;
            run.ld_qk = run.ld_v = conv_dim;
            run.ld_out = v_dim;
            scratch.resize(delta_rule_chunked_scratch(hd, hd));
            k.delta_rule_chunked(S, run, hd, hd, scratch.data());
            return;
        }
        scratch.resize(size_t(hd));  // u of the step
        for (int t = 0; t < len; ++t) {
            const float* row = row0 + size_t(t) * conv_dim;
            k.delta_rule_step(S, row + k_dim + kh, row + 2 * k_dim + size_t(h) * hd, row + kh,
                              decay[size_t(t)], beta[size_t(t)], out0 + size_t(t) * v_dim,
                              scratch.data(), hd, hd);
        }
    });

    // Gated RMSNorm per value head: RMSNorm(o) * ssm_norm * SiLU(z); then the output projection.
    each(int64_t(n) * heads, [&](int64_t i) {
        float* o = &s.o[size_t(i) * hd];
        k.rmsnorm(o, L.ssm_norm.data(), o, hd, c.rms_eps);
        k.silu_mul(&s.z[size_t(i) * hd], o, o, hd);
    });
    s.o_in.set(s.o.data(), n, v_dim);
    matmul(pool, k, out, s.o_in, M.ssm_out);
}

}  // namespace qe
