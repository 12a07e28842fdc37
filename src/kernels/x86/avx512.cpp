// The AVX-512 table (F/BW/VL/DQ + VNNI): Ice Lake, Sapphire Rapids, Zen 4 and later.
//
// Quantized dot products take two 32-element blocks per 512-bit register: the weights unpack to
// 64 bytes (unsigned), vpdpbusd multiplies them with 64 int8 activations and sums groups of four
// into 16 int32 lanes (lanes 0-7 block b, 8-15 block b+1), and one FMA applies the two blocks'
// scales. Q8_0's signed weights are made unsigned by flipping their top bit (w + 128); the extra
// 128 * sum(a) comes off through the activation sums, as the -8 / -16 offsets of Q4_0 / Q5_0 do.
// Q5's fifth bits go straight from the 32-bit qh fields into a 64-bit mask register.
// Tiles as in the AVX2 table: matvec 4 rows at once, matmul 2 rows x 4 tokens. Matrices packed
// in the x8 layout (at load, see pack_x8.h) use the shared x8 kernels with vpdpbusd.
// Activation quantization, the K-types and the vector ops come from the AVX2 table (this table
// is only used on CPUs that also have AVX2).
#if defined(QE_AVX512_EMULATED)
// Test build: the same code through SIMDe's portable AVX-512, so it is checked on any x86-64.
#include "avx512_simde.h"
#define QE_AVX512_TABLE avx512_emulated_table
#else
#include <immintrin.h>
#define QE_AVX512_TABLE avx512_table
#endif

#include "kernels/act_layout.h"
#include "kernels/tables.h"
#include "kernels/x86/x8_kernels.h"
#include "quant/blocks.h"

namespace qe {

const KernelTable& QE_AVX512_TABLE();

namespace {

inline float half(uint16_t h) {
    return _cvtsh_ss(h);
}

inline uint32_t load_u32(const uint8_t* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

inline __m512i dup_nibbles(__m256i two_blocks) {
    // [qs_b, qs_b1] (16 bytes each) -> 64 bytes [lo_b, hi_b, lo_b1, hi_b1]: element order.
    const __m512i z = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 1, 0, 1, 2, 3, 2, 3),
                                               _mm512_castsi256_si512(two_blocks));
    const __m512i shifted = _mm512_srlv_epi64(z, _mm512_setr_epi64(0, 0, 4, 4, 0, 0, 4, 4));
    return _mm512_and_si512(shifted, _mm512_set1_epi8(0x0f));
}

inline __m256i load2x16(const uint8_t* a, const uint8_t* b) {
    return _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)),
                            _mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
}

// Each decoder turns blocks x and y into 64 unsigned bytes (y == nullptr for an unpaired last
// block: the upper lanes then hold junk that the caller multiplies by a zero scale), and gives the
// scalar correction of one block.
struct Q4_0K {
    using Block = BlockQ4_0;
    static __m512i load(const Block& x, const Block* y) {
        return dup_nibbles(load2x16(x.qs, y ? y->qs : x.qs));
    }
    static float d(const Block& b) { return half(b.d); }
    static float corr(const Block&, float s, float, int32_t sum) { return -8.0f * s * float(sum); }
};

struct Q4_1K {
    using Block = BlockQ4_1;
    static __m512i load(const Block& x, const Block* y) {
        return dup_nibbles(load2x16(x.qs, y ? y->qs : x.qs));
    }
    static float d(const Block& b) { return half(b.d); }
    static float corr(const Block& b, float, float da, int32_t sum) {
        return half(b.m) * da * float(sum);
    }
};

template <class Block>
inline __m512i load_q5(const Block& x, const Block* y) {
    const __m512i v = dup_nibbles(load2x16(x.qs, y ? y->qs : x.qs));
    const __mmask64 high = __mmask64(load_u32(x.qh)) | __mmask64(y ? load_u32(y->qh) : 0u) << 32;
    return _mm512_or_si512(v, _mm512_maskz_mov_epi8(high, _mm512_set1_epi8(0x10)));
}

struct Q5_0K {
    using Block = BlockQ5_0;
    static __m512i load(const Block& x, const Block* y) { return load_q5(x, y); }
    static float d(const Block& b) { return half(b.d); }
    static float corr(const Block&, float s, float, int32_t sum) { return -16.0f * s * float(sum); }
};

struct Q5_1K {
    using Block = BlockQ5_1;
    static __m512i load(const Block& x, const Block* y) { return load_q5(x, y); }
    static float d(const Block& b) { return half(b.d); }
    static float corr(const Block& b, float, float da, int32_t sum) {
        return half(b.m) * da * float(sum);
    }
};

struct Q8_0K {
    using Block = BlockQ8_0;
    static __m512i load(const Block& x, const Block* y) {
        const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
        const __m256i hi = y ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs))
                             : _mm256_setzero_si256();
        const __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        return _mm512_xor_si512(v, _mm512_set1_epi8(char(0x80)));  // w + 128, unsigned
    }
    static float d(const Block& b) { return half(b.d); }
    static float corr(const Block&, float s, float, int32_t sum) {
        return -128.0f * s * float(sum);
    }
};

inline float hsum(__m512 v) {
    const __m256 s8 =
        _mm256_add_ps(_mm512_castps512_ps256(v),
                      _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m512 two_scales(float s0, float s1) {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_set1_ps(s0)), _mm256_set1_ps(s1), 1);
}

// R weight rows x T activation rows; res[r][t] = dot.
template <class K, int R, int T>
inline void tile32(const typename K::Block* const* w, const act::Q8_32Row* a, int64_t nb,
                   float (*res)[T]) {
    __m512 acc[R][T];
    float corr[R][T];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            acc[r][t] = _mm512_setzero_ps();
            corr[r][t] = 0.0f;
        }
    for (int64_t b = 0; b < nb; b += 2) {
        const bool pair = b + 1 < nb;
        __m512i av[T];
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            // The row is padded so 64 bytes from block b are readable even for the last block;
            // an unpaired block's second half meets zero scale.
            av[t] = _mm512_loadu_si512(a[t].qs + 32 * b);
        }
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
            const auto& x = w[r][b];
            const typename K::Block* y = pair ? &w[r][b + 1] : nullptr;
            const __m512i wv = K::load(x, y);
            const float dx = K::d(x), dy = pair ? K::d(*y) : 0.0f;
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                const float s0 = dx * a[t].d[b], s1 = pair ? dy * a[t].d[b + 1] : 0.0f;
                const __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wv, av[t]);
                acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), two_scales(s0, s1), acc[r][t]);
                corr[r][t] += K::corr(x, s0, a[t].d[b], a[t].sum[b]);
                if (pair) corr[r][t] += K::corr(*y, s1, a[t].d[b + 1], a[t].sum[b + 1]);
            }
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int t = 0; t < T; ++t) res[r][t] = hsum(acc[r][t]) + corr[r][t];
}

template <class K>
const typename K::Block* row_ptr(const Matrix& w, int64_t r) {
    return reinterpret_cast<const typename K::Block*>(w.data + size_t(r) * w.row_bytes);
}

template <class K>
void matvec32(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const int64_t nb = w.cols / 32;
    const act::Q8_32Row a = act::q8_32_row(xq, w.cols);
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {
        const typename K::Block* rows[4] = {row_ptr<K>(w, r), row_ptr<K>(w, r + 1),
                                            row_ptr<K>(w, r + 2), row_ptr<K>(w, r + 3)};
        float res[4][1];
        tile32<K, 4, 1>(rows, &a, nb, res);
        for (int i = 0; i < 4; ++i) y[r + i] = res[i][0];
    }
    for (; r < r1; ++r) {
        const typename K::Block* rows[1] = {row_ptr<K>(w, r)};
        float res[1][1];
        tile32<K, 1, 1>(rows, &a, nb, res);
        y[r] = res[0][0];
    }
}

template <class K, int T>
void matmul32_tokens(const Matrix& w, const act::Q8_32Row* a, float* y, int64_t ldy, int64_t r0,
                     int64_t r1) {
    const int64_t nb = w.cols / 32;
    int64_t r = r0;
    for (; r + 2 <= r1; r += 2) {
        const typename K::Block* rows[2] = {row_ptr<K>(w, r), row_ptr<K>(w, r + 1)};
        float res[2][T];
        tile32<K, 2, T>(rows, a, nb, res);
        for (int i = 0; i < 2; ++i)
            for (int t = 0; t < T; ++t) y[t * ldy + r + i] = res[i][t];
    }
    for (; r < r1; ++r) {
        const typename K::Block* rows[1] = {row_ptr<K>(w, r)};
        float res[1][T];
        tile32<K, 1, T>(rows, a, nb, res);
        for (int t = 0; t < T; ++t) y[t * ldy + r] = res[0][t];
    }
}

template <class K>
void matmul32(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
              int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kRowChunk = 64;
    for (int64_t rc = r0; rc < r1; rc += kRowChunk) {
        const int64_t rc1 = rc + kRowChunk < r1 ? rc + kRowChunk : r1;
        for (int64_t t = 0; t < n; t += 4) {
            act::Q8_32Row a[4];
            const int nt = int(n - t < 4 ? n - t : 4);
            for (int i = 0; i < nt; ++i)
                a[i] = act::q8_32_row(xq + size_t(t + i) * xq_row_bytes, w.cols);
            float* yt = y + t * ldy;
            switch (nt) {
                case 4:
                    matmul32_tokens<K, 4>(w, a, yt, ldy, rc, rc1);
                    break;
                case 3:
                    matmul32_tokens<K, 3>(w, a, yt, ldy, rc, rc1);
                    break;
                case 2:
                    matmul32_tokens<K, 2>(w, a, yt, ldy, rc, rc1);
                    break;
                default:
                    matmul32_tokens<K, 1>(w, a, yt, ldy, rc, rc1);
                    break;
            }
        }
    }
}

// x8-packed matrices (the AVX2 table's pack, inherited): the shared x8 kernels with vpdpbusd
// (256-bit, AVX512VL + VNNI) summing the 8 groups straight into int32. Q8_0's signed weights go
// in as w + 128 (top bit flipped), taken back off through the activation sum.
struct DotVnni {
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
        constexpr int kOffset = Tr::kSigned ? 128 : Tr::kOffset;
        if constexpr (kOffset != 0)
            for (int t = 0; t < T; ++t)
                acc[t] = _mm256_sub_epi32(acc[t], _mm256_set1_epi32(kOffset * a[t].sum[b]));
    }
};

template <class K, class Tr>
void matvec_any(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    if (w.layout == kLayoutX8) return matvec_x8<DotVnni, Tr>(w, xq, y, r0, r1);
    matvec32<K>(w, xq, y, r0, r1);
}

template <class K, class Tr>
void matmul_any(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
                int64_t ldy, int64_t r0, int64_t r1) {
    if (w.layout == kLayoutX8)
        return matmul_x8<DotVnni, Tr>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
    matmul32<K>(w, xq, xq_row_bytes, n, y, ldy, r0, r1);
}

template <class K, class Tr>
constexpr MatKernels mat32() {
    return {matvec_any<K, Tr>, matmul_any<K, Tr>};
}

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

KernelTable make_table() {
    KernelTable t = avx2_table();
    t.isa = Isa::Avx512;
    t.name = "avx512";
    t.mat[int(DType::F32)] = mat_float<float, load16_f32, scalar_f32>();
    t.mat[int(DType::F16)] = mat_float<uint16_t, load16_f16, scalar_f16>();
    t.mat[int(DType::BF16)] = mat_float<uint16_t, load16_bf16, scalar_bf16>();
    t.mat[int(DType::Q4_0)] = mat32<Q4_0K, X8Q4_0>();
    t.mat[int(DType::Q4_1)] = mat32<Q4_1K, X8Q4_1>();
    t.mat[int(DType::Q5_0)] = mat32<Q5_0K, X8Q5_0>();
    t.mat[int(DType::Q5_1)] = mat32<Q5_1K, X8Q5_1>();
    t.mat[int(DType::Q8_0)] = mat32<Q8_0K, X8Q8_0>();
    t.dot_f32 = dot_f32;
    return t;
}

}  // namespace

const KernelTable& QE_AVX512_TABLE() {
    static const KernelTable table = make_table();
    return table;
}

}  // namespace qe
