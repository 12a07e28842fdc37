// The AVX2 table's float kernels of attention (scores against the f16 key cache, softmax, the
// weighted sum of the f16 value cache) and SiLU, which shares the vector e^x. Added to the AVX2
// table (and so to the AVX-512 one, built from it) by avx2.cpp.
//
// Attention reads the cache in blocks of 8 (keys) or 16 (values) rows, converted to f32 once
// into a block that stays in L1, then used by every query head of the group: the cache streams
// from memory once per KV head, and the per-key work is plain FMAs (no call, no horizontal sum
// per key: 8 keys' dot products are reduced together).
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "kernels/tables.h"
#include "kernels/x86/avx2_attention.h"
#include "kernels/x86/avx2_reduce.h"

namespace qe {
namespace {

constexpr int64_t kMaxHeadDim = 256;  // larger heads take the generic kernels

// e^x for 8 lanes, relative error ~1e-7: x = k ln2 + r with |r| <= ln2 / 2, e^r by its Taylor
// series to r^7 (remainder < 1e-8), times 2^k built in the exponent bits. x is clamped to the
// range where 2^k is a normal float (results below e^-87 become ~1e-38, not 0).
inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);  // ln2 high part (exact)
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);      // ln2 low part
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i e =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// Lane i = the sum of the lanes of v[i].
inline __m256 hsum8(const __m256* v) {
    const __m256 t0 = _mm256_hadd_ps(v[0], v[1]), t1 = _mm256_hadd_ps(v[2], v[3]);
    const __m256 t2 = _mm256_hadd_ps(v[4], v[5]), t3 = _mm256_hadd_ps(v[6], v[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    // u0 = [v0..v3 low halves | v0..v3 high halves], u1 the same for v4..v7
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20),
                         _mm256_permute2f128_ps(u0, u1, 0x31));
}

// rows [0, m) of f16 (hd each) to f32 at dst; rows [m, rows) zero.
inline void convert_rows(const uint16_t* src, int64_t m, int64_t rows, int64_t hd, float* dst) {
    for (int64_t i = 0; i < m * hd; i += 8)
        _mm256_store_ps(
            dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    std::fill(dst + m * hd, dst + rows * hd, 0.0f);
}

void attn_scores_f16(const float* q, int64_t nq, const uint16_t* k, const int64_t* nk, int64_t n,
                     int64_t hd, float scale, float* s) {
    if (hd % 8 != 0 || hd > kMaxHeadDim)
        return generic_table().attn_scores_f16(q, nq, k, nk, n, hd, scale, s);
    alignas(32) float kb[8 * kMaxHeadDim];
    const __m256 vscale = _mm256_set1_ps(scale);
    for (int64_t j0 = 0; j0 < n; j0 += 8) {
        const int64_t m = std::min<int64_t>(8, n - j0);
        convert_rows(k + j0 * hd, m, 8, hd, kb);
        for (int64_t g = 0; g < nq; ++g) {
            if (j0 >= nk[g]) continue;
            // A lane's sum is its key's alone: the rows past this query's keys change nothing.
            const int64_t mg = std::min<int64_t>(8, nk[g] - j0);
            const float* qg = q + g * hd;
            __m256 acc[8];
            for (auto& a : acc) a = _mm256_setzero_ps();
            for (int64_t c = 0; c < hd; c += 8) {
                const __m256 qv = _mm256_loadu_ps(qg + c);
#pragma GCC unroll 8
                for (int i = 0; i < 8; ++i)
                    acc[i] = _mm256_fmadd_ps(qv, _mm256_load_ps(kb + i * hd + c), acc[i]);
            }
            const __m256 r = _mm256_mul_ps(hsum8(acc), vscale);
            if (mg == 8) {
                _mm256_storeu_ps(s + g * n + j0, r);
            } else {
                alignas(32) float tmp[8];
                _mm256_store_ps(tmp, r);
                std::copy_n(tmp, mg, s + g * n + j0);
            }
        }
    }
}

// out[0, 64) += sum over the m rows of p[i] * vb row i (64 columns: 8 registers of sums).
inline void add_weighted_rows(const float* p, const float* vb, int64_t m, int64_t hd, float* out) {
    __m256 acc[8];
    for (int c = 0; c < 8; ++c) acc[c] = _mm256_loadu_ps(out + 8 * c);
    for (int64_t i = 0; i < m; ++i) {
        const __m256 pi = _mm256_broadcast_ss(p + i);
#pragma GCC unroll 8
        for (int c = 0; c < 8; ++c)
            acc[c] = _mm256_fmadd_ps(pi, _mm256_load_ps(vb + i * hd + 8 * c), acc[c]);
    }
    for (int c = 0; c < 8; ++c) _mm256_storeu_ps(out + 8 * c, acc[c]);
}

void attn_values_f16(const float* p, int64_t nq, const uint16_t* v, const int64_t* nk, int64_t n,
                     int64_t hd, float* out) {
    if (hd % 64 != 0 || hd > kMaxHeadDim)  // Qwen's heads are 64 or 128 wide
        return generic_table().attn_values_f16(p, nq, v, nk, n, hd, out);
    constexpr int64_t kRows = 16;
    alignas(32) float vb[kRows * kMaxHeadDim];
    std::fill_n(out, nq * hd, 0.0f);
    for (int64_t j0 = 0; j0 < n; j0 += kRows) {
        const int64_t m = std::min(kRows, n - j0);
        convert_rows(v + j0 * hd, m, m, hd, vb);
        for (int64_t g = 0; g < nq; ++g) {
            const int64_t mg = std::min(m, nk[g] - j0);  // this query's rows of the block
            if (mg <= 0) continue;
            for (int64_t c0 = 0; c0 < hd; c0 += 64)
                add_weighted_rows(p + g * n + j0, vb + c0, mg, hd, out + g * hd + c0);
        }
    }
}

void softmax(float* x, int64_t n) {
    if (n <= 0) return;
    int64_t i = 0;
    float mx = x[0];
    if (n >= 8) {
        __m256 m = _mm256_loadu_ps(x);
        for (i = 8; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
        mx = hmax(m);
    }
    for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
    const __m256 vmx = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmx));
        _mm256_storeu_ps(x + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum(vsum);
    for (; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);
        sum += x[i];
    }
    const float inv = 1.0f / sum;
    const __m256 vinv = _mm256_set1_ps(inv);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vinv));
    for (; i < n; ++i) x[i] *= inv;
}

void silu_mul(const float* gate, const float* up, float* y, int64_t n) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
        const __m256 s = _mm256_div_ps(g, _mm256_add_ps(one, e));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

}  // namespace

void add_avx2_attention_kernels(KernelTable& t) {
    t.attn_scores_f16 = attn_scores_f16;
    t.attn_values_f16 = attn_values_f16;
    t.softmax = softmax;
    t.silu_mul = silu_mul;
}

}  // namespace qe
