// The generic table: plain scalar C++, the reference every SIMD table is tested against.
//
// Each quantized dot product is written the way the SIMD kernels compute it: exact integer sums
// per block (or sub-block), then one float multiply-add per block with the two scales. Only the
// order of the float additions differs between tables.
#include <algorithm>
#include <cmath>

#include "core/half.h"
#include "kernels/act_layout.h"
#include "kernels/delta_chunk.h"
#include "kernels/tables.h"
#include "quant/blocks.h"
#include "quant/codecs.h"

namespace qe {
namespace {

// ---- activation quantization ----

// x * id rounded to int8, clamped in float so the conversion is always defined; NaN gives -128,
// as the SIMD tables' convert-and-saturate does.
inline int8_t round_i8(float v) {
    if (!(v >= -128.0f)) return -128;
    if (v > 127.0f) return 127;
    return int8_t(std::nearbyint(v));
}

void quantize_f32(const float* x, uint8_t* xq, int64_t cols) {
    auto* y = reinterpret_cast<float*>(xq);
    for (int64_t i = 0; i < cols; ++i) y[i] = x[i];
}

// Shared with the SIMD tables by contract: d = amax / 127, q = nearbyint(x * (127 / amax)).
void quantize_q8_32(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 32;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* sum = reinterpret_cast<int32_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(x[32 * b + j]));
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        int32_t s = 0;
        for (int j = 0; j < 32; ++j) {
            const int q = round_i8(x[32 * b + j] * id);
            qs[32 * b + j] = int8_t(q);
            s += q;
        }
        sum[b] = s;
    }
}

void quantize_q8_256(const float* x, uint8_t* xq, int64_t cols) {
    const int64_t nb = cols / 256;
    auto* qs = reinterpret_cast<int8_t*>(xq);
    auto* d = reinterpret_cast<float*>(xq + cols);
    auto* bsums = reinterpret_cast<int16_t*>(xq + cols + 4 * nb);
    for (int64_t b = 0; b < nb; ++b) {
        float amax = 0.0f;
        for (int j = 0; j < 256; ++j) amax = std::fmax(amax, std::fabs(x[256 * b + j]));
        const float id = amax > 0.0f ? 127.0f / amax : 0.0f;
        d[b] = amax / 127.0f;
        for (int g = 0; g < 16; ++g) {
            int s = 0;
            for (int j = 0; j < 16; ++j) {
                const int q = round_i8(x[256 * b + 16 * g + j] * id);
                qs[256 * b + 16 * g + j] = int8_t(q);
                s += q;
            }
            bsums[16 * b + g] = int16_t(s);
        }
    }
}

// ---- one row . one activation row ----

float dot_row_f32(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* a = reinterpret_cast<const float*>(w);
    const auto* b = reinterpret_cast<const float*>(x);
    float s = 0.0f;
    for (int64_t i = 0; i < cols; ++i) s += a[i] * b[i];
    return s;
}

float dot_row_f16(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* a = reinterpret_cast<const uint16_t*>(w);
    const auto* b = reinterpret_cast<const float*>(x);
    float s = 0.0f;
    for (int64_t i = 0; i < cols; ++i) s += f16_to_f32(a[i]) * b[i];
    return s;
}

float dot_row_bf16(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* a = reinterpret_cast<const uint16_t*>(w);
    const auto* b = reinterpret_cast<const float*>(x);
    float s = 0.0f;
    for (int64_t i = 0; i < cols; ++i) s += bf16_to_f32(a[i]) * b[i];
    return s;
}

// Sum over j < 32 of the unsigned nibble quants of a Q4 block times the activations.
int32_t dot_nibbles(const uint8_t* qs, const int8_t* a) {
    int32_t s = 0;
    for (int j = 0; j < 16; ++j) s += (qs[j] & 0x0f) * a[j] + (qs[j] >> 4) * a[j + 16];
    return s;
}

int32_t dot_q5(const uint8_t* qs, const uint8_t* qh_bytes, const int8_t* a) {
    const uint32_t qh = uint32_t(qh_bytes[0]) | uint32_t(qh_bytes[1]) << 8 |
                        uint32_t(qh_bytes[2]) << 16 | uint32_t(qh_bytes[3]) << 24;
    int32_t s = 0;
    for (int j = 0; j < 16; ++j) {
        s += ((qs[j] & 0x0f) | int((qh >> j) & 1) << 4) * a[j];
        s += ((qs[j] >> 4) | int((qh >> (j + 16)) & 1) << 4) * a[j + 16];
    }
    return s;
}

float dot_row_q4_0(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ4_0*>(w);
    const auto a = act::q8_32_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 32; ++i) {
        const int32_t isum = dot_nibbles(b[i].qs, a.qs + 32 * i) - 8 * a.sum[i];
        s += f16_to_f32(b[i].d) * a.d[i] * float(isum);
    }
    return s;
}

float dot_row_q4_1(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ4_1*>(w);
    const auto a = act::q8_32_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 32; ++i) {
        const int32_t isum = dot_nibbles(b[i].qs, a.qs + 32 * i);
        s += f16_to_f32(b[i].d) * a.d[i] * float(isum) +
             f16_to_f32(b[i].m) * a.d[i] * float(a.sum[i]);
    }
    return s;
}

float dot_row_q5_0(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ5_0*>(w);
    const auto a = act::q8_32_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 32; ++i) {
        const int32_t isum = dot_q5(b[i].qs, b[i].qh, a.qs + 32 * i) - 16 * a.sum[i];
        s += f16_to_f32(b[i].d) * a.d[i] * float(isum);
    }
    return s;
}

float dot_row_q5_1(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ5_1*>(w);
    const auto a = act::q8_32_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 32; ++i) {
        const int32_t isum = dot_q5(b[i].qs, b[i].qh, a.qs + 32 * i);
        s += f16_to_f32(b[i].d) * a.d[i] * float(isum) +
             f16_to_f32(b[i].m) * a.d[i] * float(a.sum[i]);
    }
    return s;
}

float dot_row_q8_0(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ8_0*>(w);
    const auto a = act::q8_32_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 32; ++i) {
        int32_t isum = 0;
        for (int j = 0; j < 32; ++j) isum += b[i].qs[j] * a.qs[32 * i + j];
        s += f16_to_f32(b[i].d) * a.d[i] * float(isum);
    }
    return s;
}

// K-types: per super-block, isum = sum over sub-blocks of scale * dot, msum = sum of min * bsum;
// the block contributes d_a * (d * isum - dmin * msum).

float dot_row_q2_k(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ2_K*>(w);
    const auto a = act::q8_256_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 256; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        int32_t isum = 0, msum = 0;
        for (int e = 0; e < 256; ++e) {
            const int h = e / 128, sh = 2 * ((e % 128) / 32), l = e % 32;
            isum += (b[i].scales[e / 16] & 0x0f) * ((b[i].qs[32 * h + l] >> sh) & 3) * q8[e];
        }
        for (int g = 0; g < 16; ++g) msum += (b[i].scales[g] >> 4) * a.bsums[16 * i + g];
        s += a.d[i] * (f16_to_f32(b[i].d) * float(isum) - f16_to_f32(b[i].dmin) * float(msum));
    }
    return s;
}

float dot_row_q3_k(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ3_K*>(w);
    const auto a = act::q8_256_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 256; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        int32_t isum = 0;
        for (int e = 0; e < 256; ++e) {
            const int h = e / 128, sh = 2 * ((e % 128) / 32), l = e % 32;
            const int low = (b[i].qs[32 * h + l] >> sh) & 3;
            const int high = (b[i].hmask[e % 32] >> (e / 32)) & 1;
            const int sc = unpack_scale_q3_k(b[i].scales, e / 16) - 32;
            isum += sc * (low - (high ? 0 : 4)) * q8[e];
        }
        s += a.d[i] * f16_to_f32(b[i].d) * float(isum);
    }
    return s;
}

template <bool kFifthBit, typename Block>
float dot_row_q45_k(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const Block*>(w);
    const auto a = act::q8_256_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 256; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        int32_t isum = 0, msum = 0;
        for (int sb = 0; sb < 8; ++sb) {
            int sc, m;
            unpack_scale_min_k4(b[i].scales, sb, &sc, &m);
            int32_t dot = 0;
            for (int e = 32 * sb; e < 32 * sb + 32; ++e) {
                const int c = e / 64, r = e % 64;
                int q = r < 32 ? b[i].qs[32 * c + r] & 0x0f : b[i].qs[32 * c + r - 32] >> 4;
                if constexpr (kFifthBit) q |= ((b[i].qh[e % 32] >> (e / 32)) & 1) << 4;
                dot += q * q8[e];
            }
            isum += sc * dot;
            msum += m * (a.bsums[16 * i + 2 * sb] + a.bsums[16 * i + 2 * sb + 1]);
        }
        s += a.d[i] * (f16_to_f32(b[i].d) * float(isum) - f16_to_f32(b[i].dmin) * float(msum));
    }
    return s;
}

float dot_row_q6_k(const uint8_t* w, const uint8_t* x, int64_t cols) {
    const auto* b = reinterpret_cast<const BlockQ6_K*>(w);
    const auto a = act::q8_256_row(x, cols);
    float s = 0.0f;
    for (int64_t i = 0; i < cols / 256; ++i) {
        const int8_t* q8 = a.qs + 256 * i;
        int32_t isum = 0;
        for (int e = 0; e < 256; ++e) {
            const int h = e / 128, sq = (e % 128) / 32, l = e % 32;
            const int low = (b[i].ql[64 * h + 32 * (sq % 2) + l] >> (4 * (sq / 2))) & 0x0f;
            const int high = (b[i].qh[32 * h + l] >> (2 * sq)) & 3;
            isum += b[i].scales[e / 16] * ((low | high << 4) - 32) * q8[e];
        }
        s += a.d[i] * f16_to_f32(b[i].d) * float(isum);
    }
    return s;
}

using DotRowFn = float (*)(const uint8_t* w, const uint8_t* x, int64_t cols);

template <DotRowFn kDot>
void matvec(const Matrix& w, const uint8_t* xq, float* y, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) y[r] = kDot(w.data + size_t(r) * w.row_bytes, xq, w.cols);
}

template <DotRowFn kDot>
void matmul(const Matrix& w, const uint8_t* xq, size_t xq_row_bytes, int64_t n, float* y,
            int64_t ldy, int64_t r0, int64_t r1) {
    for (int64_t t = 0; t < n; ++t)
        for (int64_t r = r0; r < r1; ++r)
            y[t * ldy + r] =
                kDot(w.data + size_t(r) * w.row_bytes, xq + size_t(t) * xq_row_bytes, w.cols);
}

template <DotRowFn kDot>
constexpr MatKernels mat() {
    return {matvec<kDot>, matmul<kDot>};
}

// ---- vector ops ----

float dot_f32(const float* a, const float* b, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

void attn_scores_f16(const float* q, int64_t nq, const uint16_t* k, const int64_t* nk, int64_t n,
                     int64_t hd, float scale, float* s) {
    for (int64_t g = 0; g < nq; ++g)
        for (int64_t j = 0; j < nk[g]; ++j) {
            float dot = 0.0f;
            for (int64_t i = 0; i < hd; ++i) dot += f16_to_f32(k[j * hd + i]) * q[g * hd + i];
            s[g * n + j] = scale * dot;
        }
}

void attn_values_f16(const float* p, int64_t nq, const uint16_t* v, const int64_t* nk, int64_t n,
                     int64_t hd, float* out) {
    for (int64_t g = 0; g < nq; ++g) {
        float* o = out + g * hd;
        std::fill_n(o, hd, 0.0f);
        for (int64_t j = 0; j < nk[g]; ++j)
            for (int64_t i = 0; i < hd; ++i) o[i] += p[g * n + j] * f16_to_f32(v[j * hd + i]);
    }
}

void f16_to_f32_row(const uint16_t* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = f16_to_f32(x[i]);
}

void f32_to_f16_row(const float* x, uint16_t* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void rmsnorm(const float* x, const float* w, float* y, int64_t n, float eps) {
    float ss = 0.0f;
    for (int64_t i = 0; i < n; ++i) ss += x[i] * x[i];
    const float scale = 1.0f / std::sqrt(ss / float(n) + eps);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

void softmax(float* x, int64_t n) {
    if (n <= 0) return;
    float mx = x[0];
    for (int64_t i = 1; i < n; ++i) mx = std::fmax(mx, x[i]);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - mx);
        sum += x[i];
    }
    const float inv = 1.0f / sum;
    for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void silu_mul(const float* gate, const float* up, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void delta_rule_step(float* S, const float* k, const float* v, const float* q, float decay,
                     float beta, float* out, float* u, int64_t dk, int64_t dv) {
    for (int64_t j = 0; j < dv; ++j) u[j] = 0.0f;
    for (int64_t i = 0; i < dk; ++i) {  // decay, and what S recalls for k: S^T k
        float* row = S + i * dv;
        for (int64_t j = 0; j < dv; ++j) {
            row[j] *= decay;
            u[j] += row[j] * k[i];
        }
    }
    for (int64_t j = 0; j < dv; ++j) {
        u[j] = (v[j] - u[j]) * beta;  // the correction written for k
        out[j] = 0.0f;
    }
    for (int64_t i = 0; i < dk; ++i) {
        float* row = S + i * dv;
        for (int64_t j = 0; j < dv; ++j) {
            row[j] += k[i] * u[j];
            out[j] += row[j] * q[i];
        }
    }
}

// The chunked delta rule's register tiles in plain scalar code: the reference for the SIMD tiles.
struct ScalarTiles {
    static constexpr int W = 1, kRows = 4, kVectors = 4;
    template <int MR, int NV>
    static void tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                     int64_t ldc, int64_t k, bool accumulate) {
        float c[MR][NV];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) c[r][j] = accumulate ? C[r * ldc + j] : 0.0f;
        for (int64_t p = 0; p < k; ++p)
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
                for (int j = 0; j < NV; ++j) c[r][j] += A[r * lda + p] * B[p * ldb + j];
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < NV; ++j) C[r * ldc + j] = c[r][j];
    }
};

void delta_rule_chunked(float* S, const DeltaRuleRun& run, int64_t dk, int64_t dv, float* scratch) {
    delta_rule_chunked_impl<ScalarTiles>(S, run, dk, dv, scratch);
}

KernelTable make_table() {
    KernelTable t;
    t.isa = Isa::Generic;
    t.name = "generic";
    t.quantize[int(ActFormat::F32)] = quantize_f32;
    t.quantize[int(ActFormat::Q8_32)] = quantize_q8_32;
    t.quantize[int(ActFormat::Q8_256)] = quantize_q8_256;
    t.mat[int(DType::F32)] = mat<dot_row_f32>();
    t.mat[int(DType::F16)] = mat<dot_row_f16>();
    t.mat[int(DType::BF16)] = mat<dot_row_bf16>();
    t.mat[int(DType::Q4_0)] = mat<dot_row_q4_0>();
    t.mat[int(DType::Q4_1)] = mat<dot_row_q4_1>();
    t.mat[int(DType::Q5_0)] = mat<dot_row_q5_0>();
    t.mat[int(DType::Q5_1)] = mat<dot_row_q5_1>();
    t.mat[int(DType::Q8_0)] = mat<dot_row_q8_0>();
    t.mat[int(DType::Q2_K)] = mat<dot_row_q2_k>();
    t.mat[int(DType::Q3_K)] = mat<dot_row_q3_k>();
    t.mat[int(DType::Q4_K)] = mat<dot_row_q45_k<false, BlockQ4_K>>();
    t.mat[int(DType::Q5_K)] = mat<dot_row_q45_k<true, BlockQ5_K>>();
    t.mat[int(DType::Q6_K)] = mat<dot_row_q6_k>();
    t.dot_f32 = dot_f32;
    t.attn_scores_f16 = attn_scores_f16;
    t.attn_values_f16 = attn_values_f16;
    t.f16_to_f32 = f16_to_f32_row;
    t.f32_to_f16 = f32_to_f16_row;
    t.rmsnorm = rmsnorm;
    t.softmax = softmax;
    t.silu_mul = silu_mul;
    t.delta_rule_step = delta_rule_step;
    t.delta_rule_chunked = delta_rule_chunked;
    return t;
}

}  // namespace

const KernelTable& generic_table() {
    static const KernelTable table = make_table();
    return table;
}

}  // namespace qe
