// The AVX2 table (AVX2 + FMA + F16C): any x86-64 since Haswell / Zen.
//
// Quantized dot products (32-element block types, both layouts: x8_kernels.h): weights unpack to
// 32 bytes per block (unsigned nibbles, or signed int8 for Q8_0), _mm256_maddubs_epi16 multiplies
// with the int8 activations into int16 pairs (never saturating here: |pair| <= 2 * 31 * 127),
// _mm256_madd_epi16 widens to int32. Offsets (Q4_0's -8, Q5_0's -16) come off in integer through
// the activation block sums, mins (Q4_1, Q5_1) in float, once per block. Q4_K and Q6_K: the
// kernels of x8_k_kernels.h (both layouts), maddubs then madd by the sub-block's scales.
// Float weights: R rows x T tokens per tile, one FMA chain per row and token (float_tile).
#include <immintrin.h>

#include <cmath>

#include "kernels/act_layout.h"
#include "kernels/pack_x8.h"
#include "kernels/tables.h"
#include "kernels/token_tiles.h"
#include "kernels/x86/avx2_attention.h"
#include "kernels/x86/avx2_delta_net.h"
#include "kernels/x86/avx2_k.h"
#include "kernels/x86/avx2_reduce.h"
#include "kernels/x86/x8_k_kernels.h"
#include "kernels/x86/x8_kernels.h"
#include "quant/blocks.h"

namespace qe {
namespace {

// ---- activation quantization (bit-identical to the generic table) ----

// Rounds 32 floats (times id) to int8 in element order; returns their sum.
inline int32_t round_pack_32(const float* x, __m256 id, int8_t* out, int32_t* sum16 = nullptr) {
    __m256i i[4];
    for (int k = 0; k < 4; ++k) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + 8 * k), id);
        i[k] =
            _mm256_cvtps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    }
    const __m256i s01 = _mm256_add_epi32(i[0], i[1]), s23 = _mm256_add_epi32(i[2], i[3]);
    if (sum16) {
        sum16[0] = hsum_i32(s01);
        sum16[1] = hsum_i32(s23);
    }
    // packs work within 128-bit lanes: fix the order with one cross-lane permute.
    const __m256i p16a = _mm256_packs_epi32(i[0], i[1]), p16b = _mm256_packs_epi32(i[2], i[3]);
    const __m256i p8 = _mm256_packs_epi16(p16a, p16b);
    const __m256i ordered =
        _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), ordered);
    return sum16 ? sum16[0] + sum16[1] : hsum_i32(_mm256_add_epi32(s01, s23));
}

inline float absmax(const float* x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < n; k += 8)
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)));
    return hmax(m);
}

void quantize_f32(const float* x, uint8_t* xq, int64_t cols) {
    auto* y = reinterpret_cast<float*>(xq);
    for (int64_t i = 0; i < cols; ++i) y[i] = x[i];
}

void quantize_q8_32(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 32;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* sum = reinterpret_cast<int32_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        const float amax = absmax(x + 32 * b, 32);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        sum[b] = round_pack_32(x + 32 * b, _mm256_set1_ps(id), qs + 32 * b);
    }
}

void quantize_q8_256(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 256;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* bsums = reinterpret_cast<int16_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        const float amax = absmax(x + 256 * b, 256);
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        const __m256 vid = _mm256_set1_ps(id);
        for (int k = 0; k < 8; ++k) {
            int32_t s[2];
            round_pack_32(x + 256 * b + 32 * k, vid, qs + 256 * b + 32 * k, s);
            bsums[16 * b + 2 * k] = int16_t(s[0]);
            bsums[16 * b + 2 * k + 1] = int16_t(s[1]);
        }
    }
}

// ---- the 32-element types: kernels in x8_kernels.h, with maddubs as the dot product ----

// u8 x s8 -> 8 int32 partial sums
inline __m256i dot_u8s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// dot8: the sum over the 8 groups of an x8 record of u8 weights x s8 activations, per row (lane),
// for T tokens at once (group-major, so each weight vector is loaded and sign-folded once for all
// T). maddubs results add up in int16 as long as they cannot overflow (Tr::kAdd16 at a time), then
// widen once. dot32: one GGUF block's 32 quants x 32 activations as 8 partial sums. Q8_0's signed
// weights go in as |w| x (a with w's sign) (|w| <= 128 fits u8 and a != -128).
struct DotMaddubs {
    static constexpr bool kPrefetch = true;  // decoding: +8% on q8_0 (Zen 3, PERFORMANCE.md)
    template <class Tr>
    static constexpr int offset() {
        return Tr::kOffset;
    }
    template <class Tr>
    static __m256i dot32(__m256i w, __m256i a) {
        if constexpr (Tr::kSigned) return dot_u8s8(_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
        return dot_u8s8(w, a);
    }
    template <class Tr, int T>
    static void dot8(const typename Tr::Rec& p, const act::Q8_32Row* a, int64_t b, __m256i* i32) {
        const __m256i ones = _mm256_set1_epi16(1);
        __m256i s16[T];
        for (int t = 0; t < T; ++t) i32[t] = s16[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
            // |w| x (a with w's sign) for Q8_0's signed weights
            const __m256i gk = Tr::group(p, k);
            const __m256i w = Tr::kSigned ? _mm256_sign_epi8(gk, gk) : gk;
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                __m256i av = bcast4(a[t].qs + 32 * b + Tr::offset(k));
                if constexpr (Tr::kSigned) av = _mm256_sign_epi8(av, gk);
                const __m256i prod = _mm256_maddubs_epi16(w, av);
                if constexpr (Tr::kAdd16 == 1) {
                    i32[t] = _mm256_add_epi32(i32[t], _mm256_madd_epi16(prod, ones));
                } else {
                    s16[t] = _mm256_add_epi16(s16[t], prod);
                    if ((k + 1) % Tr::kAdd16 == 0) {
                        i32[t] = _mm256_add_epi32(i32[t], _mm256_madd_epi16(s16[t], ones));
                        s16[t] = _mm256_setzero_si256();
                    }
                }
            }
        }
        if constexpr (Tr::kOffset != 0)
            for (int t = 0; t < T; ++t)
                i32[t] = _mm256_sub_epi32(i32[t], _mm256_set1_epi32(Tr::kOffset * a[t].sum[b]));
    }
    // acc[t] += sc * sum over the G groups of a K-type sub-block (x8_k_kernels.h) of w . a[t]; the
    // maddubs pairs of kAdd16 groups add up in int16, then madd by the scale widens them.
    template <int T, int G, int kAdd16, class Groups>
    static void scaled_sum(const Groups& grp, const int8_t* const* at, __m256i sc32, __m256i* acc) {
        const __m256i sc16 = _mm256_blend_epi16(sc32, _mm256_slli_epi32(sc32, 16), 0xaa);
        __m256i s16[T];
        for (int t = 0; t < T; ++t) s16[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int k = 0; k < G; ++k) {
            const __m256i w = grp.w(k);
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                s16[t] =
                    _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(w, bcast4(at[t] + grp.off(k))));
                if ((k + 1) % kAdd16 == 0) {
                    acc[t] = _mm256_add_epi32(acc[t], _mm256_madd_epi16(s16[t], sc16));
                    s16[t] = _mm256_setzero_si256();
                }
            }
        }
    }
    static __m256i pairs(__m256i acc, __m256i a16, __m256i b16) {
        return _mm256_add_epi32(acc, _mm256_madd_epi16(a16, b16));
    }
};

// ---- float weights ----

inline __m256 load8_f32(const float* p) {
    return _mm256_loadu_ps(p);
}
inline __m256 load8_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8_bf16(const uint16_t* p) {
    const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
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

// dot of n weights (any of the float types) with n floats; 4 accumulators of 8.
template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*)>
inline float dot_float(const W* w, const float* x, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(kLoad(w + i), _mm256_loadu_ps(x + i), acc0);
        acc1 = _mm256_fmadd_ps(kLoad(w + i + 8), _mm256_loadu_ps(x + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(kLoad(w + i + 16), _mm256_loadu_ps(x + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(kLoad(w + i + 24), _mm256_loadu_ps(x + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(kLoad(w + i), _mm256_loadu_ps(x + i), acc0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i) s += kScalar(w + i) * x[i];
    return s;
}

// R rows x T tokens per tile; res[r][t] = dot. Each row and token has one FMA chain over 8 lanes,
// summed once at the end, then the scalar tail: the same operations for every tile shape, so a
// row's product does not depend on how many rows or tokens share its tile (matvec takes 4 rows for
// 4 independent chains; matmul 2 rows x 4 tokens so each weight vector converts once for 4).
template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*), int R, int T>
inline void float_tile(const W* const* w, const float* const* x, int64_t n_cols, float (*res)[T]) {
    __m256 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n_cols; i += 8) {
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
            const __m256 wv = kLoad(w[r] + i);
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t)
                acc[r][t] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x[t] + i), acc[r][t]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) {
            float s = hsum(acc[r][t]);
            for (int64_t j = i; j < n_cols; ++j) s += kScalar(w[r] + j) * x[t][j];
            res[r][t] = s;
        }
}

template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*)>
void matvec_float(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const float* x[1] = {reinterpret_cast<const float*>(xq)};
    auto row = [&](int64_t r) {
        return reinterpret_cast<const W*>(w.data + size_t(r) * w.row_bytes);
    };
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const W* rows[4] = {row(r), row(r + 1), row(r + 2), row(r + 3)};
        float res[4][1];
        float_tile<W, kLoad, kScalar, 4, 1>(rows, x, w.cols, res);
        for (int i = 0; i < 4; ++i) y[r + i] = res[i][0];
    }
    for (; r < r1; ++r) {
        const W* rows[1] = {row(r)};
        float res[1][1];
        float_tile<W, kLoad, kScalar, 1, 1>(rows, x, w.cols, res);
        y[r] = res[0][0];
    }
}

template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*), int T>
void matmul_float_tokens(const Matrix& w, const float* const* x, float* y, int64_t ldy, int64_t r0,
                         int64_t r1) {
    auto row = [&](int64_t r) {
        return reinterpret_cast<const W*>(w.data + size_t(r) * w.row_bytes);
    };
    int64_t r = r0;
    for (; r + 2 <= r1; r += 2) {
        const W* rows[2] = {row(r), row(r + 1)};
        float res[2][T];
        float_tile<W, kLoad, kScalar, 2, T>(rows, x, w.cols, res);
        for (int t = 0; t < T; ++t) {
            y[t * ldy + r] = res[0][t];
            y[t * ldy + r + 1] = res[1][t];
        }
    }
    if (r < r1) {
        const W* rows[1] = {row(r)};
        float res[1][T];
        float_tile<W, kLoad, kScalar, 1, T>(rows, x, w.cols, res);
        for (int t = 0; t < T; ++t) y[t * ldy + r] = res[0][t];
    }
}

template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*)>
void matmul_float(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                  int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kRowChunk = 32;  // weight rows reused from L1/L2 across all tokens
    for (int64_t rc = r0; rc < r1; rc += kRowChunk) {
        const int64_t rc1 = rc + kRowChunk < r1 ? rc + kRowChunk : r1;
        for_token_tiles<const float*>(
            n,
            [&](int64_t t) {
                return reinterpret_cast<const float*>(xq + size_t(t) * xq_row_bytes);
            },
            [&]<int T>(const float* const* x, int64_t t0) {
                matmul_float_tokens<W, kLoad, kScalar, T>(w, x, y + t0 * ldy, ldy, rc, rc1);
            });
    }
}

template <typename W, __m256 (*kLoad)(const W*), float (*kScalar)(const W*)>
constexpr MatKernels mat_float() {
    return {matvec_float<W, kLoad, kScalar>, matmul_float<W, kLoad, kScalar>};
}

// ---- vector ops ----

float dot_f32(const float* a, const float* b, int64_t n) {
    return dot_float<float, load8_f32, scalar_f32>(a, b, n);
}

void f16_to_f32_row(const uint16_t* x, float* y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, load8_f16(x + i));
    for (; i < n; ++i) y[i] = half(x[i]);
}

void f32_to_f16_row(const float* x, uint16_t* y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) y[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps) {
    const float ss = dot_f32(x, x, n);
    const float scale = 1.0f / std::sqrt(ss / float(n) + eps);
    const __m256 vs = _mm256_set1_ps(scale);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs),
                                              _mm256_loadu_ps(w + i)));
    for (; i < n; ++i) y[i] = x[i] * scale * w[i];
}

KernelTable make_table() {
    KernelTable t = generic_table();  // vector ops not written here fall back to generic
    t.isa = Isa::Avx2;
    t.name = "avx2";
    t.quantize[int(ActFormat::F32)] = quantize_f32;
    t.quantize[int(ActFormat::Q8_32)] = quantize_q8_32;
    t.quantize[int(ActFormat::Q8_256)] = quantize_q8_256;
    t.mat[int(DType::F32)] = mat_float<float, load8_f32, scalar_f32>();
    t.mat[int(DType::F16)] = mat_float<uint16_t, load8_f16, scalar_f16>();
    t.mat[int(DType::BF16)] = mat_float<uint16_t, load8_bf16, scalar_bf16>();
    t.pack = x8::pack;
    t.mat[int(DType::Q4_0)] = mat_q32<DotMaddubs, X8Q4_0>();
    t.mat[int(DType::Q4_1)] = mat_q32<DotMaddubs, X8Q4_1>();
    t.mat[int(DType::Q5_0)] = mat_q32<DotMaddubs, X8Q5_0>();
    t.mat[int(DType::Q5_1)] = mat_q32<DotMaddubs, X8Q5_1>();
    t.mat[int(DType::Q8_0)] = mat_q32<DotMaddubs, X8Q8_0>();
    add_avx2_k_kernels(t);
    t.mat[int(DType::Q4_K)] = mat_k8<DotMaddubs, KQ4>();
    t.mat[int(DType::Q6_K)] = mat_k8<DotMaddubs, KQ6>();
    t.dot_f32 = dot_f32;
    add_avx2_attention_kernels(t);
    add_avx2_delta_net_kernels(t);
    t.f16_to_f32 = f16_to_f32_row;
    t.f32_to_f16 = f32_to_f16_row;
    t.rmsnorm = rmsnorm;
    return t;
}

}  // namespace

const KernelTable& avx2_table() {
    static const KernelTable table = make_table();
    return table;
}

}  // namespace qe
