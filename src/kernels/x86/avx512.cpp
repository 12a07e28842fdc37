// The AVX-512 table (F/BW/VL/DQ + VNNI): Ice Lake, Sapphire Rapids, Zen 4 and later.
//
// The 32-element block types run the shared kernels of x8_kernels.h (both layouts) with vpdpbusd
// as the integer dot, the prompt's products of x8-packed ones two groups of 8 rows at a time in
// 512-bit registers (avx512_pair_tiles.h); Q8_0's signed weights are made unsigned by flipping
// their top bit (w + 128) and the extra 128 * sum(a) comes off through the activation sums, as the
// -8 / -16 offsets of Q4_0 / Q5_0 do. Float weights: 16 lanes, 4 accumulators. Q4_K and Q6_K run
// the kernels of x8_k_kernels.h the same way (vpdpbusd per sub-block, one multiply by its scales,
// vpdpwssd for the mins and offsets). Activation quantization, the other K-types and the vector ops
// come from the AVX2 table (this table is only used on CPUs that also have AVX2).
#if defined(QE_AVX512_EMULATED)
// Test build: the same code through SIMDe's portable AVX-512, so it is checked on any x86-64.
#include "avx512_simde.h"
#define QE_AVX512_TABLE avx512_emulated_table
#else
#include <immintrin.h>
#define QE_AVX512_TABLE avx512_table
#endif

#include "kernels/act_layout.h"
#include "kernels/delta_chunk.h"
#include "kernels/tables.h"
#include "kernels/x86/avx512_pair_tiles.h"
#include "kernels/x86/x8_k_kernels.h"
#include "kernels/x86/x8_kernels.h"
#include "quant/blocks.h"

namespace qe {

const KernelTable& QE_AVX512_TABLE();

namespace {

inline float half(uint16_t h) {
    return _cvtsh_ss(h);
}

inline float hsum(__m512 v) {
    const __m256 s8 =
        _mm256_add_ps(_mm512_castps512_ps256(v),
                      _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The 32-element types (both layouts; x8 packing is the AVX2 table's, inherited): the shared
// kernels of x8_kernels.h with vpdpbusd (256-bit, AVX512VL + VNNI) summing straight into int32.
// Q8_0's signed weights go in as w + 128 (top bit flipped), taken back off through the
// activation sum.
struct DotVnni {
    // Decoding the 32-element types without software prefetch: on Zen 4 it is about 10% faster
    // (q8_0, 1 and 2 threads); the hardware prefetcher keeps up with these short records.
    static constexpr bool kPrefetch = false;
    template <class Tr>
    static constexpr int offset() {
        return Tr::kSigned ? 128 : Tr::kOffset;
    }
    template <class Tr>
    static __m256i dot32(__m256i w, __m256i a) {
        const __m256i u = Tr::kSigned ? _mm256_xor_si256(w, _mm256_set1_epi8(char(0x80))) : w;
        return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, a);
    }
    template <class Tr, int T>
    static void dot8(const typename Tr::Rec& p, const act::Q8_32Row* a, int64_t b, __m256i* acc) {
        for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
            const __m256i gk = Tr::group(p, k);
            const __m256i w = Tr::kSigned ? _mm256_xor_si256(gk, _mm256_set1_epi8(char(0x80))) : gk;
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t)
                acc[t] = _mm256_dpbusd_epi32(acc[t], w, bcast4(a[t].qs + 32 * b + Tr::offset(k)));
        }
        constexpr int kOffset = offset<Tr>();
        if constexpr (kOffset != 0)
            for (int t = 0; t < T; ++t)
                acc[t] = _mm256_sub_epi32(acc[t], _mm256_set1_epi32(kOffset * a[t].sum[b]));
    }
    // acc[t] += sc * sum over the G groups of a K-type sub-block (x8_k_kernels.h) of w . a[t]
    template <int T, int G, int, class Groups>
    static void scaled_sum(const Groups& grp, const int8_t* const* at, __m256i sc32, __m256i* acc) {
        __m256i s[T];
        for (int t = 0; t < T; ++t) s[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < G; ++k) {
            const __m256i w = grp.w(k);
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t)
                s[t] = _mm256_dpbusd_epi32(s[t], w, bcast4(at[t] + grp.off(k)));
        }
        for (int t = 0; t < T; ++t)
            acc[t] = _mm256_add_epi32(acc[t], _mm256_mullo_epi32(s[t], sc32));
    }
    static __m256i pairs(__m256i acc, __m256i a16, __m256i b16) {
        return _mm256_dpwssd_epi32(acc, a16, b16);
    }
};

// ---- float weights: 16 lanes, 4 accumulators ----

inline __m512 load16_f32(const float* p) {
    return _mm512_loadu_ps(p);
}
inline __m512 load16_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 load16_bf16(const uint16_t* p) {
    const __m512i v =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
}

float scalar_f32(const float* p) {
    return *p;
}
float scalar_f16(const uint16_t* p) {
    return half(*p);
}
float scalar_bf16(const uint16_t* p) {
    const uint32_t u = uint32_t(*p) << 16;
    float f;
    __builtin_memcpy(&f, &u, 4);
    return f;
}

template <typename W, __m512 (*kLoad)(const W*), float (*kScalar)(const W*)>
inline float dot_float(const W* w, const float* x, int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        acc0 = _mm512_fmadd_ps(kLoad(w + i), _mm512_loadu_ps(x + i), acc0);
        acc1 = _mm512_fmadd_ps(kLoad(w + i + 16), _mm512_loadu_ps(x + i + 16), acc1);
        acc2 = _mm512_fmadd_ps(kLoad(w + i + 32), _mm512_loadu_ps(x + i + 32), acc2);
        acc3 = _mm512_fmadd_ps(kLoad(w + i + 48), _mm512_loadu_ps(x + i + 48), acc3);
    }
    for (; i + 16 <= n; i += 16) acc0 = _mm512_fmadd_ps(kLoad(w + i), _mm512_loadu_ps(x + i), acc0);
    float s = hsum(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
    for (; i < n; ++i) s += kScalar(w + i) * x[i];
    return s;
}

template <typename W, __m512 (*kLoad)(const W*), float (*kScalar)(const W*)>
void matvec_float(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const auto* x = reinterpret_cast<const float*>(xq);
    for (int64_t r = r0; r < r1; ++r)
        y[r] = dot_float<W, kLoad, kScalar>(
            reinterpret_cast<const W*>(w.data + size_t(r) * w.row_bytes), x, w.cols);
}

template <typename W, __m512 (*kLoad)(const W*), float (*kScalar)(const W*)>
void matmul_float(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                  int64_t ldy, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
        const auto* wr = reinterpret_cast<const W*>(w.data + size_t(r) * w.row_bytes);
        for (int64_t t = 0; t < n; ++t)
            y[t * ldy + r] = dot_float<W, kLoad, kScalar>(
                wr, reinterpret_cast<const float*>(xq + size_t(t) * xq_row_bytes), w.cols);
    }
}

template <typename W, __m512 (*kLoad)(const W*), float (*kScalar)(const W*)>
constexpr MatKernels mat_float() {
    return {matvec_float<W, kLoad, kScalar>, matmul_float<W, kLoad, kScalar>};
}

float dot_f32(const float* a, const float* b, int64_t n) {
    return dot_float<float, load16_f32, scalar_f32>(a, b, n);
}

// The gated delta rule's one-token step (KernelTable::delta_rule_step) in 16 lanes, walked in
// column blocks of 64 (4 registers) as the AVX2 kernel does in blocks of 32.
template <int V>
inline void decay_recall(float* S, const float* k, float decay, float* u, int64_t dk, int64_t dv,
                         int64_t j0) {
    const __m512 vd = _mm512_set1_ps(decay);
    __m512 acc[V];
    for (int c = 0; c < V; ++c) acc[c] = _mm512_setzero_ps();
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        const __m512 ki = _mm512_set1_ps(k[i]);
        for (int c = 0; c < V; ++c) {
            const __m512 x = _mm512_mul_ps(_mm512_loadu_ps(row + 16 * c), vd);
            _mm512_storeu_ps(row + 16 * c, x);
            acc[c] = _mm512_fmadd_ps(x, ki, acc[c]);
        }
    }
    for (int c = 0; c < V; ++c) _mm512_storeu_ps(u + j0 + 16 * c, acc[c]);
}

template <int V>
inline void write_read(float* S, const float* k, const float* q, const float* u, float* out,
                       int64_t dk, int64_t dv, int64_t j0) {
    __m512 uu[V], acc[V];
    for (int c = 0; c < V; ++c) {
        uu[c] = _mm512_loadu_ps(u + j0 + 16 * c);
        acc[c] = _mm512_setzero_ps();
    }
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv + j0;
        const __m512 ki = _mm512_set1_ps(k[i]), qi = _mm512_set1_ps(q[i]);
        for (int c = 0; c < V; ++c) {
            const __m512 x = _mm512_fmadd_ps(ki, uu[c], _mm512_loadu_ps(row + 16 * c));
            _mm512_storeu_ps(row + 16 * c, x);
            acc[c] = _mm512_fmadd_ps(x, qi, acc[c]);
        }
    }
    for (int c = 0; c < V; ++c) _mm512_storeu_ps(out + j0 + 16 * c, acc[c]);
}

void delta_rule_step(float* S, const float* k, const float* v, const float* q, float decay,
                     float beta, float* out, float* u, int64_t dk, int64_t dv) {
    int64_t j = 0;
    for (; j + 64 <= dv; j += 64) decay_recall<4>(S, k, decay, u, dk, dv, j);
    for (; j + 16 <= dv; j += 16) decay_recall<1>(S, k, decay, u, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] *= decay;
            acc += S[i * dv + j] * k[i];
        }
        u[j] = acc;
    }
    for (j = 0; j < dv; ++j) u[j] = (v[j] - u[j]) * beta;
    for (j = 0; j + 64 <= dv; j += 64) write_read<4>(S, k, q, u, out, dk, dv, j);
    for (; j + 16 <= dv; j += 16) write_read<1>(S, k, q, u, out, dk, dv, j);
    for (; j < dv; ++j) {
        float acc = 0.0f;
        for (int64_t i = 0; i < dk; ++i) {
            S[i * dv + j] += k[i] * u[j];
            acc += S[i * dv + j] * q[i];
        }
        out[j] = acc;
    }
}

// The chunked delta rule's register tiles: C[MR, 16 NV] (+)= A[MR, k] B[k, 16 NV].
struct Avx512Tiles {
    static constexpr int W = 16, kRows = 4, kVectors = 2;
    template <int MR, int NV>
    static void tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc, int64_t k, bool accumulate) {
        __m512 c[MR][NV];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j)
                c[r][j] = accumulate ? _mm512_loadu_ps(C + r * ldc + 16 * j) : _mm512_setzero_ps();
        for (int64_t p = 0; p < k; ++p) {
            __m512 b[NV];
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) b[j] = _mm512_loadu_ps(B + p * ldb + 16 * j);
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const __m512 a = _mm512_set1_ps(A[r * lda + p]);
#pragma GCC unroll 8
                for (int j = 0; j < NV; ++j) c[r][j] = _mm512_fmadd_ps(a, b[j], c[r][j]);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) _mm512_storeu_ps(C + r * ldc + 16 * j, c[r][j]);
    }
};

void delta_rule_chunked(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv, float* scratch) {
    delta_rule_chunked_impl<Avx512Tiles>(S, run, dk, dv, scratch);
}

KernelTable make_table() {
    KernelTable t = avx2_table();
    t.isa = Isa::Avx512;
    t.name = "avx512";
    t.mat[int(DType::F32)] = mat_float<float, load16_f32, scalar_f32>();
    t.mat[int(DType::F16)] = mat_float<uint16_t, load16_f16, scalar_f16>();
    t.mat[int(DType::BF16)] = mat_float<uint16_t, load16_bf16, scalar_bf16>();
    t.mat[int(DType::Q4_0)] = mat_q32_pairs<DotVnni, X8Q4_0>();
    t.mat[int(DType::Q4_1)] = mat_q32_pairs<DotVnni, X8Q4_1>();
    t.mat[int(DType::Q5_0)] = mat_q32_pairs<DotVnni, X8Q5_0>();
    t.mat[int(DType::Q5_1)] = mat_q32_pairs<DotVnni, X8Q5_1>();
    t.mat[int(DType::Q8_0)] = mat_q32_pairs<DotVnni, X8Q8_0>();
    t.mat[int(DType::Q4_K)] = mat_k_pairs<DotVnni, KQ4>();
    t.mat[int(DType::Q6_K)] = mat_k_pairs<DotVnni, KQ6>();
    t.dot_f32 = dot_f32;
    t.delta_rule_step = delta_rule_step;
    t.delta_rule_chunked = delta_rule_chunked;
    return t;
}

}  // namespace

const KernelTable& QE_AVX512_TABLE() {
    static const KernelTable table = make_table();
    return table;
}

}  // namespace qe
