// The gated delta rule's one-token step (KernelTable::delta_rule_step) with 8-lane FMAs. The
// state is walked in column blocks of 32 (4 registers): the block's part of S^T k (then of the
// output) stays in registers while the rows stream past, so each pass reads and writes every row
// once. Per column the sums run over the rows in order, as in the generic kernel. The chunked
// form (kernels/delta_chunk.h) runs on 4 x 16 register tiles.
#include <immintrin.h>

#include "kernels/delta_chunk.h"
#include "kernels/x86/avx2_delta_net.h"

namespace qe {
namespace {

// Columns [j0, j0 + 8 * V) of the first pass: S = decay * S, u = S^T k.
template <int V>
inline void decay_recall(float* S, const float* k, float decay, float* u, int64_t dk, int64_t dv,
                         int64_t j0) {
    const __m256 vd = _mm256_set1_ps(decay);
    __m256 acc[V];
    for (int c = 0; c < V; ++c) acc[c] = _mm256_setzero_ps();
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        const __m256 ki = _mm256_set1_ps(k[i]);
        for (int c = 0; c < V; ++c) {
            const __m256 s = _mm256_mul_ps(_mm256_loadu_ps(row + 8 * c), vd);
            _mm256_storeu_ps(row + 8 * c, s);
            acc[c] = _mm256_fmadd_ps(s, ki, acc[c]);
        }
    }
    for (int c = 0; c < V; ++c) _mm256_storeu_ps(u + j0 + 8 * c, acc[c]);
}

// Columns [j0, j0 + 8 * V) of the second pass: S = S + k u^T, out = S^T q.
template <int V>
inline void write_read(float* S, const float* k, const float* q, const float* u, float* out,
                       int64_t dk, int64_t dv, int64_t j0) {
    __m256 uu[V], acc[V];
    for (int c = 0; c < V; ++c) {
        uu[c] = _mm256_loadu_ps(u + j0 + 8 * c);
        acc[c] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        const __m256 ki = _mm256_set1_ps(k[i]), qi = _mm256_set1_ps(q[i]);
        for (int c = 0; c < V; ++c) {
            const __m256 s = _mm256_fmadd_ps(ki, uu[c], _mm256_loadu_ps(row + 8 * c));
            _mm256_storeu_ps(row + 8 * c, s);
            acc[c] = _mm256_fmadd_ps(s, qi, acc[c]);
        }
    }
    for (int c = 0; c < V; ++c) _mm256_storeu_ps(out + j0 + 8 * c, acc[c]);
}

void delta_rule_step(float* S, const float* k, const float* v, const float* q, float decay,
                     float beta, float* out, float* u, int64_t dk, int64_t dv) {
    int64_t j = 0;
    for (; j + 32 <= dv; j += 32) decay_recall<4>(S, k, decay, u, dk, dv, j);
    for (; j + 8 <= dv; j += 8) decay_recall<1>(S, k, decay, u, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] *= decay;
            acc += S[i * dv + j] * k[i];
        }
        u[j] = acc;
    }
    for (j = 0; j < dv; ++j) u[j] = (v[j] - u[j]) * beta;
    for (j = 0; j + 32 <= dv; j += 32) write_read<4>(S, k, q, u, out, dk, dv, j);
    for (; j + 8 <= dv; j += 8) write_read<1>(S, k, q, u, out, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] += k[i] * u[j];
            acc += S[i * dv + j] * q[i];
        }
        out[j] = acc;
    }
}

// C[MR, 8 NV] (+)= A[MR, k] B[k, 8 NV]: each B row is loaded once for the tile's MR rows.
struct Avx2Tiles {
    static constexpr int W = 8, kRows = 4, kVectors = 2;
    template <int MR, int NV>
    static void tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc, int64_t k, bool accumulate) {
        __m256 c[MR][NV];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j)
                c[r][j] = accumulate ? _mm256_loadu_ps(C + r * ldc + 8 * j) : _mm256_setzero_ps();
        for (int64_t p = 0; p < k; ++p) {
            __m256 b[NV];
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) b[j] = _mm256_loadu_ps(B + p * ldb + 8 * j);
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const __m256 a = _mm256_broadcast_ss(A + r * lda + p);
#pragma GCC unroll 8
                for (int j = 0; j < NV; ++j) c[r][j] = _mm256_fmadd_ps(a, b[j], c[r][j]);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) _mm256_storeu_ps(C + r * ldc + 8 * j, c[r][j]);
    }
};

void delta_rule_chunked(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv, float* scratch) {
    delta_rule_chunked_impl<Avx2Tiles>(S, run, dk, dv, scratch);
}

}  // namespace

void add_avx2_delta_net_kernels(KernelTable& t) {
    t.delta_rule_step = delta_rule_step;
    t.delta_rule_chunked = delta_rule_chunked;
}

}  // namespace qe
