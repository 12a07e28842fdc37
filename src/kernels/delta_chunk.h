// The chunked ("WY") form of the gated delta rule (KernelTable::delta_rule_chunked), written once:
// the algebra of a chunk over one small matrix product that each ISA file supplies as register
// tiles. Derivation, for the positions t = 0..n-1 of a chunk starting from the state S0, with
// gamma_t = g_0 ... g_t (the decay since the chunk start):
//   S_t = gamma_t S0 + sum_{s <= t} (gamma_t / gamma_s) k_s u_s^T
//   u_t = beta_t (v_t - gamma_t S0^T k_t - sum_{s < t} (gamma_t / gamma_s) (k_t . k_s) u_s)
//   o_t = gamma_t S0^T q_t + sum_{s <= t} (gamma_t / gamma_s) (q_t . k_s) u_s
// so U [n, dv] solves the unit lower-triangular system (I + A) U = beta (V - gamma K S0) with
// A[t][s] = beta_t (gamma_t / gamma_s) (k_t . k_s), s < t (forward substitution), and the chunk's
// outputs and final state are matrix products. The ratios gamma_t / gamma_s (s <= t) are
// exp(L_t - L_s) of the cumulative log decays L from the chunk start: never above 1, so nothing
// overflows however long the run or strong the decay.
//
// Internal linkage on purpose (see token_tiles.h): the tiles it instantiates are compiled with the
// including file's ISA flags. For the same reason no inline library templates (std::min, std::copy)
// are used: the linker could pick a copy built with another file's flags.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace qe {
namespace {

// Positions per chunk. The products' cost per position grows with the chunk (its triangles) and
// their efficiency too: 32 was measured fastest for 128 x 128 heads on AVX2 (16: 1.6x, 32: 1.7x,
// 64: 1.4x the positions per second of the recurrent form; docs/PERFORMANCE.md).
constexpr int64_t kChunk = 32;
static_assert(kChunk <= kDeltaChunk, "delta_rule_chunked_scratch() sizes for kDeltaChunk");

inline int64_t chunk_min(int64_t a, int64_t b) {
    return a < b ? a : b;
}

// Which part of C = A B a product computes (rows i of C):
//   Full:       every column, every k
//   LowerOut:   columns j <= i only (a Gram matrix's lower triangle), rounded up to whole vectors
//               of W: a few columns past the diagonal are written too, so B and C must have
//               room for n rounded up to W columns
//   LowerK:     k up to i only, for a lower-triangular A (read per row tile of Tiles::kRows rows,
//               so A[i][p] for i < p < the tile's end is read: it must be 0)
enum class Tri { Full, LowerOut, LowerK };

// C[m, n] (+)= A[m, k] B[k, n], all row-major with leading dimensions lda, ldb, ldc. Tiles (the
// ISA's, Tiles::W lanes): Tiles::template tile<MR, NV>(A, lda, B, ldb, C, ldc, k, accumulate)
// computes MR rows x NV vectors of W columns; columns past the last whole vector run scalar here.
template <class Tiles>
inline void chunk_gemm(const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                       int64_t ldc, int64_t m, int64_t n, int64_t k, bool accumulate, Tri tri) {
    constexpr int kMR = Tiles::kRows, kNV = Tiles::kVectors, W = Tiles::W;
    for (int64_t i0 = 0; i0 < m; i0 += kMR) {
        const int mr = int(chunk_min(kMR, m - i0));
        const int64_t cols =
            tri == Tri::LowerOut ? chunk_min((n + W - 1) / W * W, (i0 + mr + W - 1) / W * W) : n;
        const int64_t kk = tri == Tri::LowerK ? chunk_min(k, i0 + mr) : k;
        const float* a = A + i0 * lda;
        float* c = C + i0 * ldc;
        int64_t j = 0;
        auto run = [&]<int NV>() {
            switch (mr) {
                case 1:
                    Tiles::template tile<1, NV>(a, lda, B + j, ldb, c + j, ldc, kk, accumulate);
                    break;
                case 2:
                    Tiles::template tile<2, NV>(a, lda, B + j, ldb, c + j, ldc, kk, accumulate);
                    break;
                case 3:
                    Tiles::template tile<3, NV>(a, lda, B + j, ldb, c + j, ldc, kk, accumulate);
                    break;
                default:
                    Tiles::template tile<kMR, NV>(a, lda, B + j, ldb, c + j, ldc, kk, accumulate);
                    break;
            }
        };
        for (; j + kNV * W <= cols; j += kNV * W) run.template operator()<kNV>();
        for (; j + W <= cols; j += W) run.template operator()<1>();
        for (; j < cols; ++j)
            for (int r = 0; r < mr; ++r) {
                float sum = accumulate ? c[r * ldc + j] : 0.0f;
                for (int64_t p = 0; p < kk; ++p) sum += a[r * lda + p] * B[p * ldb + j];
                c[r * ldc + j] = sum;
            }
    }
}

// The scratch layout of one call, in floats (C = kChunk rows per chunk).
struct ChunkScratch {
    float *kc, *qc;  // [C, dk]: the chunk's keys and queries, contiguous
    float* kt;       // [dk, C]: the keys transposed (then scaled by the decay to the chunk end)
    float *a, *p;    // [C, C]: -beta (gamma ratio) K K^T (strictly lower), (gamma ratio) Q K^T
    float *w, *u;    // [C, dv]: K S0; the solved U (then scaled by the decay to the chunk end)
    float* log_g;    // [C]: cumulative log decay from the chunk start

    ChunkScratch(float* base, int64_t dk, int64_t dv) {
        constexpr int64_t C = kChunk;
        kc = base;
        qc = kc + C * dk;
        kt = qc + C * dk;
        a = kt + dk * C;
        p = a + C * C;
        w = p + C * C;
        u = w + C * dv;
        log_g = u + C * dv;
    }
};

template <class Tiles>
void delta_rule_chunked_impl(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv,
                             float* scratch) {
    constexpr int64_t C = kChunk;
    const ChunkScratch x(scratch, dk, dv);
    // The key columns past a short last chunk are read (not used) by the Gram products' whole
    // vectors: defined values.
    for (int64_t i = 0; i < dk * C; ++i) x.kt[i] = 0.0f;
    for (int64_t t0 = 0; t0 < run.n; t0 += C) {
        const int64_t n = chunk_min(C, run.n - t0);
        const float* beta = run.beta + t0;
        float* out = run.out + t0 * run.ld_out;  // [n, dv] rows ld_out apart

        // Cumulative log decays (a decay that underflowed to 0 clears the state as exp(-87)
        // does), the chunk's keys and queries, and the keys transposed.
        float sum = 0.0f;
        for (int64_t t = 0; t < n; ++t) {
            const float g = run.decay[t0 + t];
            sum += std::log(g > FLT_MIN ? g : FLT_MIN);
            x.log_g[t] = sum;
            const float* kr = run.k + (t0 + t) * run.ld_qk;
            const float* qr = run.q + (t0 + t) * run.ld_qk;
            for (int64_t i = 0; i < dk; ++i) {
                x.kc[t * dk + i] = kr[i];
                x.qc[t * dk + i] = qr[i];
                x.kt[i * C + t] = kr[i];
            }
        }

        // What the state before the chunk recalls for each key and answers each query.
        chunk_gemm<Tiles>(x.kc, dk, S, dv, x.w, dv, n, dv, dk, false, Tri::Full);
        chunk_gemm<Tiles>(x.qc, dk, S, dv, out, run.ld_out, n, dv, dk, false, Tri::Full);
        // The chunk's key-key and query-key products, lower triangles.
        chunk_gemm<Tiles>(x.kc, dk, x.kt, C, x.a, C, n, n, dk, false, Tri::LowerOut);
        chunk_gemm<Tiles>(x.qc, dk, x.kt, C, x.p, C, n, n, dk, false, Tri::LowerOut);

        // Decay ratios into both; the right-hand side beta (v - gamma W) into U; o = gamma Q S0.
        for (int64_t t = 0; t < n; ++t) {
            float* at = x.a + t * C;
            float* pt = x.p + t * C;
            for (int64_t s = 0; s < t; ++s) {
                const float ratio = std::exp(x.log_g[t] - x.log_g[s]);
                at[s] *= -beta[t] * ratio;
                pt[s] *= ratio;
            }
            for (int64_t s = t + 1; s < n; ++s) pt[s] = 0.0f;  // read by the LowerK tiles
            const float gamma = std::exp(x.log_g[t]);
            const float* v = run.v + (t0 + t) * run.ld_v;
            float* u = x.u + t * dv;
            const float* w = x.w + t * dv;
            float* o = out + t * run.ld_out;
            for (int64_t j = 0; j < dv; ++j) {
                u[j] = beta[t] * (v[j] - gamma * w[j]);
                o[j] *= gamma;
            }
        }

        // Forward substitution U_t += sum_{s < t} A[t][s] U_s, in row blocks: a block's rows take
        // the finished blocks above in one product, then each other inside the block.
        constexpr int64_t kBlock = Tiles::kRows;
        for (int64_t b0 = 0; b0 < n; b0 += kBlock) {
            const int64_t rows = chunk_min(kBlock, n - b0);
            if (b0 > 0)
                chunk_gemm<Tiles>(x.a + b0 * C, C, x.u, dv, x.u + b0 * dv, dv, rows, dv, b0, true,
                                  Tri::Full);
            for (int64_t t = b0 + 1; t < b0 + rows; ++t)
                chunk_gemm<Tiles>(x.a + t * C + b0, C, x.u + b0 * dv, dv, x.u + t * dv, dv, 1, dv,
                                  t - b0, true, Tri::Full);
        }

        // Outputs: o += (decayed Q K^T, lower) U.
        chunk_gemm<Tiles>(x.p, C, x.u, dv, out, run.ld_out, n, dv, n, true, Tri::LowerK);

        // State: S = gamma_end S0 + K^T (diag(gamma_end / gamma_s) U); U is not needed after.
        const float end = x.log_g[n - 1];
        for (int64_t s = 0; s < n; ++s) {
            const float ratio = std::exp(end - x.log_g[s]);
            float* u = x.u + s * dv;
            for (int64_t j = 0; j < dv; ++j) u[j] *= ratio;
        }
        const float gamma_end = std::exp(end);
        for (int64_t i = 0; i < dk * dv; ++i) S[i] *= gamma_end;
        chunk_gemm<Tiles>(x.kt, C, x.u, dv, S, dv, dk, dv, n, true, Tri::Full);
    }
}

}  // namespace
}  // namespace qe
