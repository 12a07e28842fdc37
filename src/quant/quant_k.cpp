// Codecs of the K-types (256-element super-blocks): Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K.
//
// Quantizing: each sub-block gets a float scale (and min) by a small search: a dozen candidate
// scales around max/levels, each refined by least squares over the integers it produces; the one
// of least squared error wins. The sub-block scales are then quantized against a super-block
// scale, and the elements re-quantized against the scales as stored, so the error is what the
// decoder will see.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "quant/codecs.h"
#include "quant/rounding.h"

namespace qe {
namespace {

// Scale s for x ~ s * L, L in [-nmax, nmax - 1] (the extra negative level goes to the element of
// largest magnitude, as in the 32-block types).
float fit_symmetric(const float* x, int n, int nmax) {
    float v = 0.0f;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(v)) v = x[i];
    if (std::fabs(v) < 1e-30f) return 0.0f;
    float best_s = v / float(-nmax), best_err = INFINITY;
    for (int k = -6; k <= 6; ++k) {
        const float iscale = -(float(nmax) + 0.1f * float(k)) / v;
        double sxl = 0, sll = 0;
        for (int i = 0; i < n; ++i) {
            const int l = round_clamp(x[i] * iscale, -nmax, nmax - 1);
            sxl += double(x[i]) * l;
            sll += double(l) * l;
        }
        if (sll <= 0) continue;
        const float s = float(sxl / sll);
        if (s == 0.0f) continue;
        float err = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float e = x[i] - s * float(round_clamp(x[i] / s, -nmax, nmax - 1));
            err += e * e;
        }
        if (err < best_err) {
            best_err = err;
            best_s = s;
        }
    }
    return best_s;
}

// Scale s >= 0 and min m >= 0 for x ~ s * L - m, L in [0, nmax].
void fit_offset(const float* x, int n, int nmax, float* s_out, float* m_out) {
    float lo = 0.0f, hi = x[0];  // the min is kept <= 0: the format stores -min as unsigned
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    *s_out = 0.0f;
    *m_out = -lo;
    if (!(hi > lo)) return;
    float best_err = INFINITY;
    auto try_fit = [&](float s, float m) {
        if (!(s > 0.0f)) return;
        float err = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float e = x[i] - (s * float(round_clamp((x[i] + m) / s, 0, nmax)) - m);
            err += e * e;
        }
        if (err < best_err) {
            best_err = err;
            *s_out = s;
            *m_out = m;
        }
    };
    try_fit((hi - lo) / float(nmax), -lo);
    for (int k = -4; k <= 8; ++k) {
        const float iscale = (float(nmax) + 0.1f * float(k)) / (hi - lo);
        double sl = 0, sll = 0, sx = 0, sxl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = round_clamp((x[i] - lo) * iscale, 0, nmax);
            sl += l;
            sll += double(l) * l;
            sx += x[i];
            sxl += double(x[i]) * l;
        }
        const double det = n * sll - sl * sl;
        if (det <= 0) continue;
        double s = (n * sxl - sl * sx) / det;
        double b = (sll * sx - sl * sxl) / det;  // x ~ s * l + b
        if (b > 0) {                             // the min must stay <= 0
            b = 0;
            s = sxl / sll;
        }
        try_fit(float(s), float(-b));
    }
}

// Quantizes sub-block scales (all >= 0) to integers in [0, qmax] against one super-scale, which
// is returned (f16-rounded).
float quantize_scales(const float* s, int n, int qmax, int* q) {
    float mx = 0.0f;
    for (int i = 0; i < n; ++i) mx = std::max(mx, s[i]);
    const float d = f16_round(mx / float(qmax));
    const float id = d > 0.0f ? 1.0f / d : 0.0f;
    for (int i = 0; i < n; ++i) q[i] = round_clamp(s[i] * id, 0, qmax);
    return d;
}

// As quantize_scales for signed scales, to integers in [qmin, qmax] (qmin = -qmax - 1).
float quantize_signed_scales(const float* s, int n, int qmax, int* q) {
    float mx = 0.0f;
    for (int i = 0; i < n; ++i) mx = std::max(mx, std::fabs(s[i]));
    const float d = f16_round(mx / float(qmax));
    const float id = d > 0.0f ? 1.0f / d : 0.0f;
    for (int i = 0; i < n; ++i) q[i] = round_clamp(s[i] * id, -qmax - 1, qmax);
    return d;
}

// Integers of one sub-block against its stored scale and min.
void requantize_offset(const float* x, int n, int nmax, float s, float m, uint8_t* l) {
    const float is = s > 0.0f ? 1.0f / s : 0.0f;
    for (int i = 0; i < n; ++i) l[i] = uint8_t(round_clamp((x[i] + m) * is, 0, nmax));
}

void requantize_symmetric(const float* x, int n, int nmax, float s, int8_t* l) {
    const float is = s != 0.0f ? 1.0f / s : 0.0f;
    for (int i = 0; i < n; ++i) l[i] = int8_t(round_clamp(x[i] * is, -nmax, nmax - 1));
}

// Elements e = 128h + 32s + l at 2-bit shift 2s of byte 32h + l (Q2_K and Q3_K's low bits).
void pack_2bit(const uint8_t* q, uint8_t* qs) {
    std::memset(qs, 0, kBlockK / 4);
    for (int e = 0; e < kBlockK; ++e) {
        const int h = e / 128, s = (e % 128) / 32, l = e % 32;
        qs[32 * h + l] |= uint8_t((q[e] & 3) << (2 * s));
    }
}

int unpack_2bit(const uint8_t* qs, int e) {
    const int h = e / 128, s = (e % 128) / 32, l = e % 32;
    return (qs[32 * h + l] >> (2 * s)) & 3;
}

// Elements of chunk c (64 each): the first 32 in low nibbles of bytes 32c.., the next in high.
int unpack_4bit_k(const uint8_t* qs, int e) {
    const int c = e / 64, r = e % 64;
    return r < 32 ? qs[32 * c + r] & 0x0f : qs[32 * c + r - 32] >> 4;
}

void pack_4bit_k(const uint8_t* q, uint8_t* qs) {
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            qs[32 * c + l] = uint8_t((q[64 * c + l] & 0x0f) | (q[64 * c + 32 + l] & 0x0f) << 4);
}

void pack_scale_min_k4(uint8_t* s, const int* sc, const int* m) {
    std::memset(s, 0, kScalesK);
    for (int i = 0; i < 8; ++i) {
        if (i < 4) {
            s[i] |= uint8_t(sc[i] & 63);
            s[i + 4] |= uint8_t(m[i] & 63);
        } else {
            s[i + 4] = uint8_t((sc[i] & 0x0f) | (m[i] & 0x0f) << 4);
            s[i - 4] |= uint8_t((sc[i] >> 4) << 6);
            s[i] |= uint8_t((m[i] >> 4) << 6);
        }
    }
}

void pack_scales_q3_k(uint8_t* s, const int* stored) {
    std::memset(s, 0, kScalesK);
    for (int i = 0; i < 16; ++i) {
        s[i % 8] |= uint8_t((stored[i] & 0x0f) << (4 * (i / 8)));
        s[8 + i % 4] |= uint8_t(((stored[i] >> 4) & 3) << (2 * (i / 4)));
    }
}

// Q4_K and Q5_K share their scale search: 8 sub-blocks of 32 with offsets, 6-bit scale and min.
void quantize_k_offset_32(const float* x, int nmax, uint16_t* d_out, uint16_t* dmin_out,
                          uint8_t* scales, uint8_t* q) {
    float s[8], m[8];
    for (int i = 0; i < 8; ++i) fit_offset(x + 32 * i, 32, nmax, &s[i], &m[i]);
    int qs[8], qm[8];
    const float d = quantize_scales(s, 8, 63, qs);
    const float dmin = quantize_scales(m, 8, 63, qm);
    *d_out = f32_to_f16(d);
    *dmin_out = f32_to_f16(dmin);
    pack_scale_min_k4(scales, qs, qm);
    for (int i = 0; i < 8; ++i)
        requantize_offset(x + 32 * i, 32, nmax, d * float(qs[i]), dmin * float(qm[i]), q + 32 * i);
}

}  // namespace

void dequantize_q2_k(const BlockQ2_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        for (int e = 0; e < kBlockK; ++e) {
            const uint8_t sc = x[b].scales[e / 16];
            y[e] = d * float(sc & 0x0f) * float(unpack_2bit(x[b].qs, e)) - dmin * float(sc >> 4);
        }
    }
}

void dequantize_q3_k(const BlockQ3_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d);
        for (int e = 0; e < kBlockK; ++e) {
            const int sc = unpack_scale_q3_k(x[b].scales, e / 16) - 32;
            const bool high = (x[b].hmask[e % 32] >> (e / 32)) & 1;
            const int q = unpack_2bit(x[b].qs, e) - (high ? 0 : 4);
            y[e] = d * float(sc) * float(q);
        }
    }
}

void dequantize_q4_k(const BlockQ4_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        for (int e = 0; e < kBlockK; ++e) {
            int sc, m;
            unpack_scale_min_k4(x[b].scales, e / 32, &sc, &m);
            y[e] = d * float(sc) * float(unpack_4bit_k(x[b].qs, e)) - dmin * float(m);
        }
    }
}

void dequantize_q5_k(const BlockQ5_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        for (int e = 0; e < kBlockK; ++e) {
            int sc, m;
            unpack_scale_min_k4(x[b].scales, e / 32, &sc, &m);
            const int q = unpack_4bit_k(x[b].qs, e) | ((x[b].qh[e % 32] >> (e / 32)) & 1) << 4;
            y[e] = d * float(sc) * float(q) - dmin * float(m);
        }
    }
}

void dequantize_q6_k(const BlockQ6_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d);
        for (int e = 0; e < kBlockK; ++e) {
            const int h = e / 128, s = (e % 128) / 32, l = e % 32;
            const int low = (x[b].ql[64 * h + 32 * (s % 2) + l] >> (4 * (s / 2))) & 0x0f;
            const int high = (x[b].qh[32 * h + l] >> (2 * s)) & 3;
            y[e] = d * float(x[b].scales[e / 16]) * float((low | high << 4) - 32);
        }
    }
}

void dequantize_q8_k(const BlockQ8_K* x, float* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, y += kBlockK)
        for (int e = 0; e < kBlockK; ++e) y[e] = x[b].d * float(x[b].qs[e]);
}

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        float s[16], m[16];
        for (int i = 0; i < 16; ++i) fit_offset(x + 16 * i, 16, 3, &s[i], &m[i]);
        int qs[16], qm[16];
        const float d = quantize_scales(s, 16, 15, qs);
        const float dmin = quantize_scales(m, 16, 15, qm);
        y[b].d = f32_to_f16(d);
        y[b].dmin = f32_to_f16(dmin);
        uint8_t q[kBlockK];
        for (int i = 0; i < 16; ++i) {
            y[b].scales[i] = uint8_t(qs[i] | qm[i] << 4);
            requantize_offset(x + 16 * i, 16, 3, d * float(qs[i]), dmin * float(qm[i]), q + 16 * i);
        }
        pack_2bit(q, y[b].qs);
    }
}

void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        float s[16];
        for (int i = 0; i < 16; ++i) s[i] = fit_symmetric(x + 16 * i, 16, 4);
        int qs[16];
        const float d = quantize_signed_scales(s, 16, 31, qs);
        y[b].d = f32_to_f16(d);
        int stored[16];
        for (int i = 0; i < 16; ++i) stored[i] = qs[i] + 32;
        pack_scales_q3_k(y[b].scales, stored);
        int8_t l[kBlockK];
        for (int i = 0; i < 16; ++i)
            requantize_symmetric(x + 16 * i, 16, 4, d * float(qs[i]), l + 16 * i);
        uint8_t low[kBlockK];
        std::memset(y[b].hmask, 0, sizeof(y[b].hmask));
        for (int e = 0; e < kBlockK; ++e) {
            const int q = l[e] + 4;  // 0..7: bit 2 is the high bit, set when l >= 0
            low[e] = uint8_t(q & 3);
            if (q & 4) y[b].hmask[e % 32] |= uint8_t(1 << (e / 32));
        }
        pack_2bit(low, y[b].qs);
    }
}

void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        uint8_t q[kBlockK];
        quantize_k_offset_32(x, 15, &y[b].d, &y[b].dmin, y[b].scales, q);
        pack_4bit_k(q, y[b].qs);
    }
}

void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        uint8_t q[kBlockK];
        quantize_k_offset_32(x, 31, &y[b].d, &y[b].dmin, y[b].scales, q);
        pack_4bit_k(q, y[b].qs);
        std::memset(y[b].qh, 0, sizeof(y[b].qh));
        for (int e = 0; e < kBlockK; ++e)
            if (q[e] & 16) y[b].qh[e % 32] |= uint8_t(1 << (e / 32));
    }
}

void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        float s[16];
        for (int i = 0; i < 16; ++i) s[i] = fit_symmetric(x + 16 * i, 16, 32);
        int qs[16];
        const float d = quantize_signed_scales(s, 16, 127, qs);
        y[b].d = f32_to_f16(d);
        int8_t l[kBlockK];
        for (int i = 0; i < 16; ++i) {
            y[b].scales[i] = int8_t(qs[i]);
            requantize_symmetric(x + 16 * i, 16, 32, d * float(qs[i]), l + 16 * i);
        }
        std::memset(y[b].ql, 0, sizeof(y[b].ql));
        std::memset(y[b].qh, 0, sizeof(y[b].qh));
        for (int e = 0; e < kBlockK; ++e) {
            const int q = l[e] + 32;  // 0..63
            const int h = e / 128, s4 = (e % 128) / 32, i = e % 32;
            y[b].ql[64 * h + 32 * (s4 % 2) + i] |= uint8_t((q & 0x0f) << (4 * (s4 / 2)));
            y[b].qh[32 * h + i] |= uint8_t((q >> 4) << (2 * s4));
        }
    }
}

void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t nblocks) {
    for (int64_t b = 0; b < nblocks; ++b, x += kBlockK) {
        float amax = 0.0f;
        for (int e = 0; e < kBlockK; ++e) amax = std::max(amax, std::fabs(x[e]));
        const float d = amax / 127.0f;  // f32 scale: no rounding through f16 here
        const float id = d > 0.0f ? 1.0f / d : 0.0f;
        for (int e = 0; e < kBlockK; ++e) y[b].qs[e] = int8_t(round_clamp(x[e] * id, -127, 127));
        for (int i = 0; i < 16; ++i) {
            int sum = 0;
            for (int e = 0; e < 16; ++e) sum += y[b].qs[16 * i + e];
            y[b].bsums[i] = int16_t(sum);
        }
        y[b].d = d;
    }
}

}  // namespace qe
