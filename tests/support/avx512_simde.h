// AVX-512 intrinsics through SIMDe, for building the AVX-512 kernel table as a test-only copy that
// runs on any x86-64 (the kernels are then checked even where the CPU has no AVX-512).
// SIMDe 0.7 lacks a few intrinsics the kernels use; they are defined here element by element.
#pragma once

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#include <cstdint>
#include <cstring>

#include "core/half.h"

namespace qe::emu {

template <typename To, typename From>
inline To bits(const From& v) {
    static_assert(sizeof(To) == sizeof(From));
    To t;
    std::memcpy(&t, &v, sizeof t);
    return t;
}

struct I32x16 {
    int32_t v[16];
};
struct U16x16 {
    uint16_t v[16];
};
struct F32x16 {
    float v[16];
};

inline simde__m512 cvtepi32_ps(simde__m512i a) {
    const auto i = bits<I32x16>(a);
    F32x16 f;
    for (int k = 0; k < 16; ++k) f.v[k] = float(i.v[k]);
    return bits<simde__m512>(f);
}

inline simde__m512 cvtph_ps(simde__m256i a) {
    const auto h = bits<U16x16>(a);
    F32x16 f;
    for (int k = 0; k < 16; ++k) f.v[k] = f16_to_f32(h.v[k]);
    return bits<simde__m512>(f);
}

inline simde__m512i cvtepu16_epi32(simde__m256i a) {
    const auto h = bits<U16x16>(a);
    I32x16 i;
    for (int k = 0; k < 16; ++k) i.v[k] = int32_t(h.v[k]);
    return bits<simde__m512i>(i);
}

inline simde__m512i cvtepu8_epi32(simde__m128i a) {
    uint8_t b[16];
    std::memcpy(b, &a, sizeof b);
    I32x16 i;
    for (int k = 0; k < 16; ++k) i.v[k] = int32_t(b[k]);
    return bits<simde__m512i>(i);
}

inline simde__m512i srai_epi32(simde__m512i a, int n) {
    auto i = bits<I32x16>(a);
    for (int k = 0; k < 16; ++k) i.v[k] >>= (n > 31 ? 31 : n);  // arithmetic, as vpsrad
    return bits<simde__m512i>(i);
}

}  // namespace qe::emu

#ifndef _mm512_cvtepi32_ps
#define _mm512_cvtepi32_ps(a) qe::emu::cvtepi32_ps(a)
#endif
#ifndef _mm512_cvtph_ps
#define _mm512_cvtph_ps(a) qe::emu::cvtph_ps(a)
#endif
#ifndef _mm512_cvtepu16_epi32
#define _mm512_cvtepu16_epi32(a) qe::emu::cvtepu16_epi32(a)
#endif
#ifndef _mm512_cvtepu8_epi32
#define _mm512_cvtepu8_epi32(a) qe::emu::cvtepu8_epi32(a)
#endif
#ifndef _mm512_srai_epi32
#define _mm512_srai_epi32(a, n) qe::emu::srai_epi32(a, n)
#endif
