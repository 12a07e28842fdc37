// AVX2 matrix kernels of the K-types Q5_K, Q2_K and Q3_K (256-element super-blocks, GGUF rows)
// against Q8_256 activations; Q4_K and Q6_K, the K-types of the common files, have the kernels of
// x8_k_kernels.h (both layouts). Per 32 elements: maddubs (u8 quants x s8 activations) then madd
// with the sub-block scale broadcast as int16, so the scales are applied in integer; the mins
// (Q5_K, Q2_K) and the offsets of Q3_K (-4 where the high bit is clear) go through the
// activation's 16-element sums. One FMA per super-block applies d * d_a.
// Prefill (matmul) runs 4 tokens per pass over a row, so each super-block unpacks once for 4.
#include <immintrin.h>

#include "kernels/act_layout.h"
#include "kernels/prefetch.h"
#include "kernels/token_tiles.h"
#include "kernels/x86/avx2_k.h"
#include "kernels/x86/avx2_reduce.h"
#include "quant/blocks.h"

namespace qe {
namespace {

inline __m256i loadu(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// Bit k of every byte moved to bit `to` (and nothing else kept): the byte mask drops what a 16-bit
// shift carries over from the neighbouring byte.
template <int k, int to>
inline __m256i move_bit(__m256i v, int mask) {
    const __m256i m = _mm256_set1_epi8(char(mask));
    if constexpr (k < to) return _mm256_and_si256(_mm256_slli_epi16(v, to - k), m);
    if constexpr (k > to) return _mm256_and_si256(_mm256_srli_epi16(v, k - to), m);
    return _mm256_and_si256(v, m);
}

// The 6-bit scale/min pairs of a Q4_K/Q5_K block (packing as in quant/codecs.h), unpacked
// four bytes at a time: sc[0..7] and m[0..7] as bytes.
inline void scales_k4(const uint8_t* s, uint8_t* sc, uint8_t* m) {
    uint32_t w[3];
    __builtin_memcpy(w, s, 12);
    const uint32_t sc_lo = w[0] & 0x3f3f3f3fu;
    const uint32_t sc_hi = (w[2] & 0x0f0f0f0fu) | ((w[0] >> 2) & 0x30303030u);
    const uint32_t m_lo = w[1] & 0x3f3f3f3fu;
    const uint32_t m_hi = ((w[2] >> 4) & 0x0f0f0f0fu) | ((w[1] >> 2) & 0x30303030u);
    __builtin_memcpy(sc, &sc_lo, 4);
    __builtin_memcpy(sc + 4, &sc_hi, 4);
    __builtin_memcpy(m, &m_lo, 4);
    __builtin_memcpy(m + 4, &m_hi, 4);
}

// The 8 mins as int16, each twice (paired with the two 16-element sums of its 32 elements).
inline __m256i mins16(const uint8_t* m) {
    uint64_t m8;
    __builtin_memcpy(&m8, m, 8);
    return _mm256_cvtepu8_epi16(
        _mm_shuffle_epi8(_mm_cvtsi64_si128(int64_t(m8)),
                         _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)));
}

// Q5_K rows against T tokens at once: each super-block unpacks once for all T. The mins
// are subtracted in the float accumulators (per super-block: d_a * dmin * sum_j m_j * bsum_j).
struct DotQ5K {
    template <int T>
    static void dot(const BlockQ5_K* b, const act::Q8_256Row* a, int64_t nsb, float* out) {
        const __m256i m4 = _mm256_set1_epi8(0x0f);
        __m256 acc[T];
        for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
        for (int64_t i = 0; i < nsb; ++i) {
            if constexpr (T == 1) prefetch_ahead(&b[i]);
            uint8_t sc[8], m[8];
            scales_k4(b[i].scales, sc, m);
            __m256i qh = loadu(b[i].qh);
            __m256i isum[T];
            for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
#pragma GCC unroll 4
            for (int c = 0; c < 4; ++c) {
                const __m256i v = loadu(b[i].qs + 32 * c);
                __m256i lo = _mm256_and_si256(v, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                // chunk c's 5th bits: bits 2c (low 32), 2c + 1 (high 32)
                lo = _mm256_or_si256(lo, move_bit<0, 4>(qh, 0x10));
                hi = _mm256_or_si256(hi, move_bit<1, 4>(qh, 0x10));
                qh = _mm256_srli_epi16(qh, 2);  // the next chunk's to bits 0 and 1
                const __m256i sc_lo = _mm256_set1_epi16(short(sc[2 * c]));
                const __m256i sc_hi = _mm256_set1_epi16(short(sc[2 * c + 1]));
#pragma GCC unroll 4
                for (int t = 0; t < T; ++t) {
                    const int8_t* q8 = a[t].qs + 256 * i + 64 * c;
                    const __m256i plo = _mm256_maddubs_epi16(lo, loadu(q8));
                    const __m256i phi = _mm256_maddubs_epi16(hi, loadu(q8 + 32));
                    isum[t] =
                        _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(plo, sc_lo),
                                                                   _mm256_madd_epi16(phi, sc_hi)));
                }
            }
            const __m256i m16 = mins16(m);
            const float d = half(b[i].d), dmin = half(b[i].dmin);
#pragma GCC unroll 4
            for (int t = 0; t < T; ++t) {
                const float da = a[t].d[i];
                acc[t] =
                    _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_set1_ps(da * d), acc[t]);
                const __m256i ms = _mm256_madd_epi16(loadu(a[t].bsums + 16 * i), m16);
                acc[t] =
                    _mm256_fnmadd_ps(_mm256_cvtepi32_ps(ms), _mm256_set1_ps(da * dmin), acc[t]);
            }
        }
        for (int t = 0; t < T; ++t) out[t] = hsum(acc[t]);
    }
};

// Scale vector for the two 16-element halves of a 32-element maddubs result: lanes 0-7 of the
// int16 pairs cover elements 0..15, lanes 8-15 elements 16..31.
inline __m256i two_scales16(int lo, int hi) {
    return _mm256_set_m128i(_mm_set1_epi16(short(hi)), _mm_set1_epi16(short(lo)));
}

// Q2_K: q = 2 bits (element 128h + 32s + l at shift 2s of byte 32h + l); value
// d * (sc & 15) * q - dmin * (sc >> 4) per 16-element sub-block.
float dot_q2_k(const BlockQ2_K* b, const act::Q8_256Row& a, int64_t nsb) {
    const __m256i m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    for (int64_t i = 0; i < nsb; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        const uint8_t* sc = b[i].scales;
        const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sc));
        const __m256i m16 =
            _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sc8, 4), _mm_set1_epi8(0x0f)));
        const int32_t msum = hsum_i32(_mm256_madd_epi16(loadu(a.bsums + 16 * i), m16));
        __m256i isum = _mm256_setzero_si256();
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h) {
            const __m256i v = loadu(b[i].qs + 32 * h);
            const __m256i q[4] = {_mm256_and_si256(v, m2),
                                  _mm256_and_si256(_mm256_srli_epi16(v, 2), m2),
                                  _mm256_and_si256(_mm256_srli_epi16(v, 4), m2),
                                  _mm256_and_si256(_mm256_srli_epi16(v, 6), m2)};
#pragma GCC unroll 4
            for (int s = 0; s < 4; ++s) {
                const int k = 8 * h + 2 * s;
                const __m256i p = _mm256_maddubs_epi16(q[s], loadu(q8 + 128 * h + 32 * s));
                isum = _mm256_add_epi32(
                    isum, _mm256_madd_epi16(p, two_scales16(sc[k] & 0x0f, sc[k + 1] & 0x0f)));
            }
        }
        const float da = a.d[i];
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(da * half(b[i].d)), acc);
        mins += da * half(b[i].dmin) * float(msum);
    }
    return hsum(acc) - mins;
}

// Q3_K: q' = low 2 bits | high bit << 2 (0..7) and value d * (sc - 32) * (q' - 4), so
// sum = sum_j sc_j * (q' . a)_j - 4 * sum_j sc_j * bsum_j.
float dot_q3_k(const BlockQ3_K* b, const act::Q8_256Row& a, int64_t nsb) {
    const __m256i m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < nsb; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        const uint8_t* s = b[i].scales;
        alignas(32) int16_t sc[16];
        for (int j = 0; j < 16; ++j) {
            const int low = (s[j % 8] >> (4 * (j / 8))) & 0x0f;
            const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
            sc[j] = int16_t((low | high << 4) - 32);
        }
        const __m256i sc16 = _mm256_load_si256(reinterpret_cast<const __m256i*>(sc));
        const int32_t off = hsum_i32(_mm256_madd_epi16(loadu(a.bsums + 16 * i), sc16));
        const __m256i hm = loadu(b[i].hmask);
        __m256i isum = _mm256_setzero_si256();
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h) {
            const __m256i v = loadu(b[i].qs + 32 * h);
            // high bits of elements 128h + 32s + l: bit 4h + s of hmask[l], moved to bit 2
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(v, m2),
                                h ? move_bit<4, 2>(hm, 4) : move_bit<0, 2>(hm, 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 2), m2),
                                h ? move_bit<5, 2>(hm, 4) : move_bit<1, 2>(hm, 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), m2),
                                h ? move_bit<6, 2>(hm, 4) : move_bit<2, 2>(hm, 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 6), m2),
                                h ? move_bit<7, 2>(hm, 4) : move_bit<3, 2>(hm, 4)),
            };
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j) {
                const int k = 8 * h + 2 * j;
                const __m256i p = _mm256_maddubs_epi16(q[j], loadu(q8 + 128 * h + 32 * j));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, two_scales16(sc[k], sc[k + 1])));
            }
        }
        const float dd = a.d[i] * half(b[i].d);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(
                                  isum, _mm256_setr_epi32(4 * off, 0, 0, 0, 0, 0, 0, 0))),
                              _mm256_set1_ps(dd), acc);
    }
    return hsum(acc);
}

// A one-token dot product (Q2_K, Q3_K) as a kernel of T tokens.
template <typename Block, float (*kDot)(const Block*, const act::Q8_256Row&, int64_t)>
struct EachToken {
    template <int T>
    static void dot(const Block* b, const act::Q8_256Row* a, int64_t nsb, float* out) {
        for (int t = 0; t < T; ++t) out[t] = kDot(b, a[t], nsb);
    }
};

template <typename Block, class K>
void matvec_k(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    const act::Q8_256Row a = act::q8_256_row(xq, w.cols);
    for (int64_t r = r0; r < r1; ++r)
        K::template dot<1>(reinterpret_cast<const Block*>(w.data + size_t(r) * w.row_bytes), &a,
                           w.cols / 256, y + r);
}

// Rows in chunks that stay in L2 while every token passes over them, 4 tokens at a time.
template <typename Block, class K>
void matmul_k(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
              int64_t ldy, int64_t r0, int64_t r1) {
    constexpr int64_t kRowChunk = 16;
    const int64_t nsb = w.cols / 256;
    for (int64_t rc = r0; rc < r1; rc += kRowChunk) {
        const int64_t rc1 = rc + kRowChunk < r1 ? rc + kRowChunk : r1;
        for_token_tiles<act::Q8_256Row>(
            n, [&](int64_t t) { return act::q8_256_row(xq + size_t(t) * xq_row_bytes, w.cols); },
            [&]<int T>(const act::Q8_256Row* a, int64_t t0) {
                for (int64_t r = rc; r < rc1; ++r) {
                    float res[T];
                    K::template dot<T>(
                        reinterpret_cast<const Block*>(w.data + size_t(r) * w.row_bytes), a, nsb,
                        res);
                    for (int i = 0; i < T; ++i) y[(t0 + i) * ldy + r] = res[i];
                }
            });
    }
}

template <typename Block, class K>
constexpr MatKernels mat_k() {
    return {matvec_k<Block, K>, matmul_k<Block, K>};
}

}  // namespace

void add_avx2_k_kernels(KernelTable& t) {
    t.mat[int(DType::Q5_K)] = mat_k<BlockQ5_K, DotQ5K>();
    t.mat[int(DType::Q2_K)] = mat_k<BlockQ2_K, EachToken<BlockQ2_K, dot_q2_k>>();
    t.mat[int(DType::Q3_K)] = mat_k<BlockQ3_K, EachToken<BlockQ3_K, dot_q3_k>>();
}

}  // namespace qe
